package dev.outpost.bench;

import com.google.protobuf.ByteString;
import dev.outpost.api.HostService;
import dev.outpost.api.PluginService;
import dev.outpost.bench.grpc.Blob;
import dev.outpost.bench.grpc.Echo;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.osgi.framework.Bundle;

/**
 * The typed path and the other direction, against the untyped 64 B call of {@link OutpostBenchmark}
 * in the same run:
 * <ul>
 *   <li>{@link #typed}: a 64 B {@code Blob} through the interface generated from bench_echo.proto
 *       ({@code Echo.over}, the object the runtime registers as {@code Echo}), to the bench plugin's
 *       generated C glue, which unpacks it with protobuf-c and packs the answer;
 *   <li>{@link #pluginToHost}: the bench plugin calls the host's service "bench" (a
 *       {@link HostService} that answers its payload) with 64 B, {@value #LOOP} times one after the
 *       other; one operation is one such round trip.
 * </ul>
 */
public class TypedBenchmark {
    static final int LOOP = 1000;

    /** The bench plugin in a fresh framework, with the host service it calls. */
    @State(Scope.Benchmark)
    public static class Plugin {
        EchoHost host;
        Echo echo;
        PluginService bench;
        final Blob blob = Blob.newBuilder().setData(ByteString.copyFrom(OutpostBenchmark.payload(64))).build();
        final byte[] loop = Integer.toString(LOOP).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            host = EchoHost.start();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(HostService.EXPORT, "bench");
            host.context.registerService(HostService.class, (method, payload) -> payload, props);
            Bundle bundle = host.installBenchPlugin();
            PluginService service = host.startAndAwait(bundle, 10_000);
            echo = Echo.over(service);
            bench = host.service(bundle, "bench");
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (host != null) {
                host.close();
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Blob typed(Plugin s) {
        return s.echo.echo(s.blob);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(LOOP)
    public byte[] pluginToHost(Plugin s) {
        return s.bench.call("hostloop", s.loop, null);
    }
}
