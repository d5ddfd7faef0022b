package dev.outpost.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Prints the comparison as one Markdown table from the {@link Figures} files that run.sh leaves
 * in one folder per placement ({@code RESULTS/<placement>/*.txt}).
 *
 * <p>Ratios only ever compare figures of the same run and the same placement. "× floor" is what
 * Outpost costs against the C floor (time ÷ time, or rate ÷ rate inverted: above 1 is slower);
 * "vs gRPC" is Outpost's speed-up over gRPC (above 1: Outpost is faster). The target column
 * checks the issue's goals on the p50 figure of that placement.
 *
 * <p>Usage: {@code Report RESULTS placement...}
 */
public final class Report {
    /** One figure of a row: p50 and p99 (NaN when the figure has one value). */
    record Value(double p50, double p99, String unit) {
    }

    /** A row: the keys of Outpost, the floor and gRPC ({@code null}: no such figure). */
    record Row(String label, String outpost, String floor, String grpc, boolean rate, String target,
               Predicate<Map<String, Value>> met) {
    }

    private static final List<Row> ROWS = List.of(
            time("64 B call round trip (µs)", "rtt.64", "≤ 1.5× floor, ≥ 5× faster than gRPC",
                    v -> ratio(v, "outpost.rtt.64", "floor.rtt.64") <= 1.5
                            && ratio(v, "grpc.rtt.64", "outpost.rtt.64") >= 5),
            time("4 KiB call round trip (µs)", "rtt.4096", "", null),
            new Row("64 B typed call (µs; \"floor\": the untyped call)", "outpost.typed.64", "outpost.rtt.64", null,
                    false, "≤ untyped + 2 µs", v -> p50(v, "outpost.typed.64") - p50(v, "outpost.rtt.64") <= 2),
            new Row("64 B plugin → host round trip (µs, mean of 1,000; \"floor\": host → plugin)",
                    "outpost.hostcall.64", "outpost.rtt.64", null, false, "≤ 1.5× host → plugin",
                    v -> ratio(v, "outpost.hostcall.64", "outpost.rtt.64") <= 1.5),
            new Row("calls/s, 1 in flight", "outpost.tput.1", null, "grpc.tput.1", true, "", null),
            new Row("calls/s, 16 in flight", "outpost.tput.16", null, "grpc.tput.16", true, "", null),
            new Row("calls/s, 64 in flight", "outpost.tput.64", null, "grpc.tput.64", true, "≥ 300,000",
                    v -> p50(v, "outpost.tput.64") >= 300_000),
            new Row("1 MiB round trip (payload MB/s)", "outpost.large.1048576", "floor.large.1048576", null, true,
                    "≥ 2,000 MB/s", v -> p50(v, "outpost.large.1048576") >= 2000),
            new Row("16 MiB round trip (payload MB/s)", "outpost.large.16777216", "floor.large.16777216", null,
                    true, "", null),
            new Row("start → serving (µs; floor: spawn → first message)", "outpost.start", "floor.spawn", null,
                    false, "≤ 2,000 µs", v -> p50(v, "outpost.start") <= 2000),
            new Row("cooperative stop → reaped (µs; floor: close → reaped)", "outpost.stop", "floor.stop", null,
                    false, "≤ 1,000 µs", v -> p50(v, "outpost.stop") <= 1000),
            new Row("start → serving, confined (µs; \"floor\": the same unconfined)", "outpost.start",
                    "outpost.start.unconfined", null, false, "", null),
            new Row("cooperative stop, confined (µs; \"floor\": the same unconfined)", "outpost.stop",
                    "outpost.stop.unconfined", null, false, "", null),
            single("confinement's cost per start, p50 (µs)", "outpost.start.confinement_cost", "< 500 µs",
                    v -> p50(v, "outpost.start.confinement_cost") < 500),
            new Row("64 B call beside a spinner capped at 0.5 cores (µs; \"floor\": alone)", "outpost.quota.capped",
                    "outpost.quota.alone", null, false, "≤ 2× alone",
                    v -> ratio(v, "outpost.quota.capped", "outpost.quota.alone") <= 2),
            new Row("64 B call beside the spinner uncapped (µs; \"floor\": alone)", "outpost.quota.uncapped",
                    "outpost.quota.alone", null, false, "", null),
            single("scale: plugins started at once", "outpost.scale.plugins", "1,000",
                    v -> p50(v, "outpost.scale.plugins") >= 1000),
            single("scale: the 1,000 bundle.start() calls return (ms)", "outpost.scale.started", "", null),
            single("scale: start → all serving (ms)", "outpost.scale.serving", "≤ 2,000 ms",
                    v -> p50(v, "outpost.scale.serving") <= 2000),
            single("scale: one call each, in turn (ms)", "outpost.scale.call_each", "", null),
            single("scale: framework stop → all reaped (ms)", "outpost.scale.stop_all", "", null),
            single("scale: host threads before plugins", "outpost.scale.threads_before", "", null),
            single("scale: host threads with the plugins", "outpost.scale.threads", "no growth per plugin",
                    v -> p50(v, "outpost.scale.threads") - p50(v, "outpost.scale.threads_before") < 16),
            single("scale: host heap after GC (MiB)", "outpost.scale.heap", "≤ 256 MiB",
                    v -> p50(v, "outpost.scale.heap") <= 256),
            single("scale: plugins' summed RSS (MiB)", "outpost.scale.plugin_rss", "", null),
            single("scale: plugins' summed PSS (MiB)", "outpost.scale.plugin_pss", "", null),
            single("scale: host open descriptors", "outpost.scale.host_fds", "", null),
            single("scale: children left after stop", "outpost.scale.children_left", "0", v -> p50(v,
                    "outpost.scale.children_left") == 0));

    private Report() {
    }

    private static Row time(String label, String key, String target, Predicate<Map<String, Value>> met) {
        return new Row(label, "outpost." + key, "floor." + key, "grpc." + key, false, target, met);
    }

    private static Row single(String label, String key, String target, Predicate<Map<String, Value>> met) {
        return new Row(label, key, null, null, false, target, met);
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("--peer")) {
            System.out.println(GrpcPeer.describe());
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: Report RESULTS placement...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<String> placements = List.of(args).subList(1, args.length);
        Map<String, Map<String, Value>> byPlacement = new HashMap<>();
        Map<String, String> notes = new HashMap<>();
        for (String p : placements) {
            byPlacement.put(p, read(dir.resolve(p), notes));
        }
        System.out.print(table(placements, byPlacement));
        notes.forEach((k, v) -> System.out.println("- " + k + ": " + v));
    }

    static Map<String, Value> read(Path dir, Map<String, String> notes) throws IOException {
        Map<String, Value> values = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return values;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] w = line.trim().split("\\s+");
                    if (w.length != 4) {
                        continue;
                    }
                    if (w[3].equals("text")) {
                        notes.put(w[0] + " (" + dir.getFileName() + ")", w[1].replace('_', ' '));
                        continue;
                    }
                    try {
                        values.put(w[0], new Value(Double.parseDouble(w[1]),
                                w[2].equals("-") ? Double.NaN : Double.parseDouble(w[2]), w[3]));
                    } catch (NumberFormatException e) {
                        // not a figure line (a log line that happens to have four words)
                    }
                }
            }
        }
        return values;
    }

    static String table(List<String> placements, Map<String, Map<String, Value>> byPlacement) {
        StringBuilder b = new StringBuilder();
        b.append("| figure | placement | Outpost p50 / p99 | C floor p50 / p99 | × floor p50 / p99"
                + " | gRPC p50 / p99 | vs gRPC p50 / p99 | target (p50) |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Row r : ROWS) {
            for (String p : placements) {
                Map<String, Value> v = byPlacement.get(p);
                if (!v.containsKey(r.outpost())) {
                    continue;
                }
                Value o = v.get(r.outpost());
                Value f = r.floor() == null ? null : v.get(r.floor());
                Value g = r.grpc() == null ? null : v.get(r.grpc());
                List<String> cells = new ArrayList<>();
                cells.add(r.label());
                cells.add(p);
                cells.add(pair(o));
                cells.add(pair(f));
                cells.add(f == null ? "" : r.rate() ? ratios(f, o) : ratios(o, f));
                cells.add(pair(g));
                cells.add(g == null ? "" : r.rate() ? ratios(o, g) : ratios(g, o));
                cells.add(r.target().isEmpty() ? "" : r.target() + (r.met() == null ? ""
                        : safeTest(r.met(), v) ? " ✔" : " ✘ missed"));
                b.append("| ").append(String.join(" | ", cells)).append(" |\n");
            }
        }
        return b.toString();
    }

    private static boolean safeTest(Predicate<Map<String, Value>> met, Map<String, Value> v) {
        try {
            return met.test(v);
        } catch (NullPointerException e) {
            return false; // a figure the target needs is missing from this run
        }
    }

    private static double p50(Map<String, Value> v, String key) {
        return v.get(key).p50();
    }

    private static double ratio(Map<String, Value> v, String top, String bottom) {
        return p50(v, top) / p50(v, bottom);
    }

    private static String pair(Value v) {
        if (v == null) {
            return "";
        }
        return Double.isNaN(v.p99()) ? num(v.p50()) : num(v.p50()) + " / " + num(v.p99());
    }

    private static String ratios(Value top, Value bottom) {
        String p50 = String.format(Locale.ROOT, "%.2f×", top.p50() / bottom.p50());
        if (Double.isNaN(top.p99()) || Double.isNaN(bottom.p99())) {
            return p50;
        }
        return p50 + String.format(Locale.ROOT, " / %.2f×", top.p99() / bottom.p99());
    }

    private static String num(double d) {
        if (Math.abs(d) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.0f" : "%.1f", d);
    }
}
