package dev.outpost.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The one result format every part of the comparison writes and {@link Report} reads: a line
 * per figure, {@code name p50 p99 unit} ({@code -} for a figure with one value). The C floor
 * prints the same format.
 */
final class Figures {
    private final List<String> lines = new ArrayList<>();

    void add(String name, double p50, double p99, String unit) {
        lines.add(String.format(Locale.ROOT, "%s %.2f %.2f %s", name, p50, p99, unit));
    }

    void add(String name, double value, String unit) {
        lines.add(String.format(Locale.ROOT, "%s %.2f - %s", name, value, unit));
    }

    void note(String name, String text) {
        lines.add(name + " " + text.replace(' ', '_') + " - text");
    }

    /** Percentiles of nanosecond samples, in microseconds. */
    void addMicros(String name, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        add(name, percentile(s, 0.50) / 1e3, percentile(s, 0.99) / 1e3, "us");
    }

    static long percentile(long[] sorted, double p) {
        return sorted[(int) Math.round(p * (sorted.length - 1))];
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Prints the figures and, when {@code out} is not null, writes them there too. */
    void emit(Path out) throws IOException {
        lines.forEach(System.out::println);
        if (out != null) {
            Files.write(out, lines);
        }
    }
}
