package dev.outpost.runtime.sandbox;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.runtime.content.SandboxRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a bundle asks ({@link SandboxRequest}) against what the host allows ({@link SandboxSettings}):
 * the {@link SandboxPlan} of one plugin, or a refusal that names the header, what it asked and the
 * ceiling it passed. Stateless.
 */
final class SandboxPolicy {
    private SandboxPolicy() {
    }

    /** The bundle asked for more than the host allows; the start fails with this message. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message);
        }
    }

    /**
     * @param hostPrivate directories no plugin may be given to read, whatever the settings allow
     *     (the deploy folder, the bundle cache, the host's working directory, the plugins' work root)
     * @throws Refusal naming each request beyond its ceiling, and each path it may not read
     */
    static SandboxPlan plan(SandboxRequest asked, SandboxSettings host, List<Path> hostPrivate) throws Refusal {
        List<String> refused = new ArrayList<>();
        long memory = (long) pick(asked.memory(), host.memory(), "memory", refused, true);
        int tasks = (int) pick(asked.tasks(), host.tasks(), "tasks", refused, false);
        double cpu = pick(asked.cpu(), host.cpu(), "cpu", refused, false);
        int files = (int) pick(asked.files(), host.files(), "files", refused, false);
        long fileSize = (long) pick(asked.fileSize(), host.fileSize(), "file-size", refused, true);
        String network = asked.network() == null ? "none" : asked.network();
        if (SandboxRequest.NETWORKS.indexOf(network) > SandboxRequest.NETWORKS.indexOf(host.network())) {
            refused.add("network=" + network + " (the host allows at most " + host.network() + ": "
                    + SandboxSettings.PREFIX + ".network.max)");
        }
        List<String> read = new ArrayList<>();
        for (String p : asked.read()) {
            String why = unreadable(p, host.readable(), hostPrivate);
            if (why != null) {
                refused.add("read=" + p + " (" + why + ")");
            } else {
                read.add(p);
            }
        }
        if (!refused.isEmpty()) {
            throw new Refusal(OutpostHeaders.SANDBOX + " asks for more than this host allows: "
                    + String.join("; ", refused));
        }
        String profile = asked.profile() == null ? "default" : asked.profile();
        return new SandboxPlan(host.uid(), host.gid(), memory, tasks, cpu, files, fileSize, network, profile, read);
    }

    private static double pick(Number asked, SandboxSettings.Bound bound, String key, List<String> refused,
                               boolean bytes) {
        if (asked == null) {
            return bound.fallback();
        }
        double v = asked.doubleValue();
        if (v > bound.ceiling()) {
            refused.add(key + "=" + (bytes ? SandboxPlan.bytes((long) v) : format(v)) + " (the host allows at most "
                    + (bytes ? SandboxPlan.bytes((long) bound.ceiling()) : format(bound.ceiling())) + ": "
                    + bound.ceilingProperty() + ")");
        }
        return v;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Why the plugin may not be given {@code path} to read, or null if it may. */
    private static String unreadable(String path, List<String> readable, List<Path> hostPrivate) {
        Path asked = Path.of(path).normalize();
        Path real;
        try {
            real = asked.toRealPath();
        } catch (IOException e) {
            return "it does not exist";
        }
        for (Path p : hostPrivate) {
            Path own = realOrSelf(p);
            if (real.startsWith(own) || own.startsWith(real)) {
                return "it is or contains " + p + ", which is the host's";
            }
        }
        for (Path candidate : List.of(asked, real)) {
            if (readable.stream().map(Path::of).noneMatch(candidate::startsWith)) {
                return (candidate == real && !real.equals(asked) ? "it leads to " + real + ", which is " : "")
                        + "not beneath " + String.join(":", readable) + " (" + SandboxSettings.PREFIX
                        + ".read.allowed)";
            }
        }
        return null;
    }

    private static Path realOrSelf(Path p) {
        try {
            return Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
