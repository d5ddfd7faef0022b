package dev.outpost.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the JMH benchmarks of the comparison and turns their results into {@link Figures}.
 *
 * <p>Usage: {@code BenchMain [--smoke|--quick] [--out FILE] [--json FILE] [include-regex...]}. The full
 * run forks one JVM per benchmark (the fork inherits the CPU affinity run.sh gives this one);
 * {@code --quick} runs one short iteration per fork; {@code --smoke} runs each briefly in this JVM, for the test that proves the benchmarks work.
 */
public final class BenchMain {
    private static final String[] PROPERTIES = {EchoHost.BUNDLE_PROPERTY, EchoHost.PLUGIN_PROPERTY,
            GrpcPeer.SERVER_PROPERTY};

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        boolean quick = false;
        Path out = null;
        Path json = null;
        List<String> includes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                default -> includes.add(args[i]);
            }
        }
        if (includes.isEmpty()) {
            includes = List.of(OutpostBenchmark.class.getSimpleName(), TypedBenchmark.class.getSimpleName(),
                    GrpcBenchmark.class.getSimpleName());
        }
        ChainedOptionsBuilder options = options(smoke, includes);
        if (quick) {
            options.warmupIterations(1).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(1).measurementTime(TimeValue.seconds(1));
        }
        if (json != null) {
            options.resultFormat(ResultFormatType.JSON).result(json.toString());
        }
        figures(new Runner(options.build()).run()).emit(out);
    }

    static ChainedOptionsBuilder options(boolean smoke, List<String> includes) {
        ChainedOptionsBuilder b = new OptionsBuilder().shouldFailOnError(true);
        includes.forEach(b::include);
        if (smoke) {
            b.forks(0).verbosity(VerboseMode.SILENT).warmupIterations(0).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(50));
        } else {
            b.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2));
        }
        List<String> jvmArgs = new ArrayList<>();
        for (String p : PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) {
                jvmArgs.add("-D" + p + "=" + v);
            }
        }
        return b.jvmArgsAppend(jvmArgs.toArray(new String[0]));
    }

    /**
     * Latencies: p50 and p99 over all samples. Large payloads: payload MB/s at the p50 and p99
     * round trip. Throughput: calls/s, the median and the worst of the measured iterations.
     */
    static Figures figures(Collection<RunResult> results) {
        Figures f = new Figures();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String bench = p.getBenchmark();
            String system = bench.contains(".GrpcBenchmark.") ? "grpc" : "outpost";
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            Statistics s = r.getPrimaryResult().getStatistics();
            switch (method) {
                case "latency" -> f.add(system + ".rtt." + p.getParam("size"),
                        s.getPercentile(50), s.getPercentile(99), "us");
                case "large" -> {
                    double mb = Integer.parseInt(p.getParam("bytes")) / 1e6;
                    // the score is in ms per call
                    f.add(system + ".large." + p.getParam("bytes"),
                            mb / (s.getPercentile(50) / 1e3), mb / (s.getPercentile(99) / 1e3), "MB/s");
                }
                case "window" -> f.add(system + ".tput." + p.getParam("inflight"),
                        s.getPercentile(50), s.getMin(), "calls/s");
                case "typed" -> f.add("outpost.typed.64", s.getPercentile(50), s.getPercentile(99), "us");
                // one sample is LOOP round trips: its p99 is that of a mean of LOOP, not of one call
                case "pluginToHost" -> f.add("outpost.hostcall.64", s.getPercentile(50), s.getPercentile(99), "us");
                default -> throw new IllegalStateException("no figure for " + bench);
            }
        }
        return f;
    }
}
