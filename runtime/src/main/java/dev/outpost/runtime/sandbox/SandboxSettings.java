package dev.outpost.runtime.sandbox;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.content.SandboxRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The host's side of confinement, from framework (or system) properties {@code outpost.sandbox.*}:
 * whether plugins are confined, as whom, the limits a bundle gets when it asks for nothing (the
 * defaults), the most it may ask for (the ceilings), and what to do where this host cannot give a
 * protection. A value that does not parse is an error naming the property. See docs/sandbox.md.
 *
 * @param enabled confinement on ({@code outpost.sandbox}, {@code on} or {@code off})
 * @param uid the uid plugins run as; 0: the host's ({@code outpost.sandbox.uid}; 65534 when the host is root)
 * @param gid their gid ({@code outpost.sandbox.gid})
 * @param memory default and ceiling, bytes
 * @param tasks default and ceiling, processes and threads
 * @param cpu default and ceiling, cores
 * @param files default and ceiling, open descriptors
 * @param fileSize default and ceiling, bytes per file written
 * @param network the most a bundle may ask for: none, connect or any ({@code outpost.sandbox.network.max})
 * @param readable prefixes beneath which a bundle may ask to read ({@code outpost.sandbox.read.allowed},
 *     {@code :}-separated)
 * @param refuseMissing a protection this host lacks fails every start instead of being reported
 *     ({@code outpost.sandbox.missing}, {@code warn} or {@code refuse})
 * @param cgroup which cgroups to use ({@code outpost.sandbox.cgroup}): {@code auto} (v1 where its
 *     controllers are mounted, else v2), {@code v1}, {@code v2} or {@code none}
 */
public record SandboxSettings(boolean enabled, int uid, int gid, Bound memory, Bound tasks, Bound cpu, Bound files,
                              Bound fileSize, String network, List<String> readable, boolean refuseMissing,
                              String cgroup) {
    static final List<String> CGROUPS = List.of("auto", "v1", "v2", "none");
    static final String PREFIX = "outpost.sandbox";
    /** The uid and gid of "nobody" on Debian and most distributions. */
    static final int NOBODY = 65534;
    static final String DEFAULT_READABLE = "/usr:/opt:/srv:/etc/ssl:/etc/ca-certificates:/etc/localtime:/etc/timezone";

    /**
     * A default and a ceiling, with the name of the ceiling's property for messages.
     *
     * @param fallback what a bundle that asks for nothing gets
     * @param ceiling the most a bundle may ask for
     */
    public record Bound(double fallback, double ceiling, String ceilingProperty) {
        public Bound {
            if (fallback > ceiling) {
                throw new IllegalArgumentException(ceilingProperty + " (" + ceiling + ") is below its default ("
                        + fallback + ")");
            }
        }
    }

    public SandboxSettings {
        readable = List.copyOf(readable);
    }

    /** The settings with every property unset, for a host of that uid. */
    public static SandboxSettings defaults(boolean hostIsRoot) {
        return from(key -> null, hostIsRoot);
    }

    /**
     * Reads the settings through {@code properties}.
     *
     * @param hostIsRoot whether the host runs as root: only then can plugins be given another uid
     * @throws IllegalArgumentException naming the property whose value is wrong
     */
    public static SandboxSettings from(Function<String, String> properties, boolean hostIsRoot) {
        String on = text(properties, PREFIX, "on").toLowerCase(Locale.ROOT);
        if (!on.equals("on") && !on.equals("off")) {
            throw new IllegalArgumentException(PREFIX + " must be on or off, not '" + on + "'");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        long uid = RuntimeConfig.number(properties, PREFIX + ".uid", hostIsRoot ? NOBODY : 0, 0, 0x7fff_ffffL);
        long gid = RuntimeConfig.number(properties, PREFIX + ".gid", uid == 0 ? 0 : uid, 0, 0x7fff_ffffL);
        if ((uid == 0) != (gid == 0)) {
            throw new IllegalArgumentException(PREFIX + ".uid and " + PREFIX + ".gid must both be 0 or neither");
        }
        if (uid != 0 && !hostIsRoot) {
            throw new IllegalArgumentException(PREFIX + ".uid " + uid + " needs a host that runs as root");
        }
        String network = text(properties, PREFIX + ".network.max", "connect").toLowerCase(Locale.ROOT);
        if (!SandboxRequest.NETWORKS.contains(network)) {
            throw new IllegalArgumentException(PREFIX + ".network.max must be one of "
                    + String.join(", ", SandboxRequest.NETWORKS) + ", not '" + network + "'");
        }
        String missing = text(properties, PREFIX + ".missing", "warn").toLowerCase(Locale.ROOT);
        if (!missing.equals("warn") && !missing.equals("refuse")) {
            throw new IllegalArgumentException(PREFIX + ".missing must be warn or refuse, not '" + missing + "'");
        }
        String cgroup = text(properties, PREFIX + ".cgroup", "auto").toLowerCase(Locale.ROOT);
        if (!CGROUPS.contains(cgroup)) {
            throw new IllegalArgumentException(PREFIX + ".cgroup must be one of " + String.join(", ", CGROUPS)
                    + ", not '" + cgroup + "'");
        }
        List<String> readable = new ArrayList<>();
        for (String p : text(properties, PREFIX + ".read.allowed", DEFAULT_READABLE).split(":")) {
            if (!p.isBlank()) {
                if (!p.trim().startsWith("/")) {
                    throw new IllegalArgumentException(PREFIX + ".read.allowed: '" + p.trim() + "' is not absolute");
                }
                readable.add(p.trim());
            }
        }
        return new SandboxSettings(on.equals("on"), (int) uid, (int) gid,
                sizes(properties, "memory", "256m", "1g"),
                counts(properties, "tasks", 64, 1024),
                cpu(properties, cores),
                counts(properties, "files", 256, 4096),
                sizes(properties, "file.size", "256m", "4g"),
                network, readable, missing.equals("refuse"), cgroup);
    }

    private static Bound sizes(Function<String, String> properties, String name, String fallback, String ceiling) {
        String key = PREFIX + "." + name;
        return new Bound(size(properties, key, fallback), size(properties, key + ".max", ceiling), key + ".max");
    }

    private static long size(Function<String, String> properties, String key, String fallback) {
        String v = text(properties, key, fallback);
        try {
            return SandboxRequest.parseSize(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static Bound counts(Function<String, String> properties, String name, long fallback, long ceiling) {
        String key = PREFIX + "." + name;
        return new Bound(RuntimeConfig.number(properties, key, fallback, 1, Integer.MAX_VALUE),
                RuntimeConfig.number(properties, key + ".max", ceiling, 1, Integer.MAX_VALUE), key + ".max");
    }

    private static Bound cpu(Function<String, String> properties, int cores) {
        String key = PREFIX + ".cpu";
        return new Bound(decimal(properties, key, 1), decimal(properties, key + ".max", cores), key + ".max");
    }

    private static double decimal(Function<String, String> properties, String key, double fallback) {
        String v = properties.apply(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0.01 && d <= 4096) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(key + " must be a number of cores between 0.01 and 4096, not '" + v.trim()
                + "'");
    }

    private static String text(Function<String, String> properties, String key, String fallback) {
        String v = properties.apply(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
