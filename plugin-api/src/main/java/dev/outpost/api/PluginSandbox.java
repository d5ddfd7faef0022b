package dev.outpost.api;

import java.time.Duration;
import java.util.List;

/**
 * The confinement of a plugin's current (or last) process and what it uses now, as
 * {@code outpost:show} prints it. A snapshot: it owns nothing and does not change afterwards.
 * Limits and usage are -1 where there is no limit or nothing could be measured.
 *
 * @param confined whether the process runs confined at all
 * @param inForce the protections in force, one per line ("uid 65534, gid 65534",
 *     "memory 64 MiB (cgroup v1)", "seccomp profile default", "network none", "read /usr", ...)
 * @param unavailable protections this host cannot give, each with the reason
 * @param memoryBytes memory charged to the plugin's cgroup now
 * @param memoryLimit its memory limit, bytes
 * @param tasks processes and threads in its cgroup now
 * @param tasksLimit its task limit
 * @param cpuTime CPU time used by the plugin and its descendants; {@link Duration#ZERO} if unknown
 * @param oomKills how often the kernel killed one of its processes at its memory limit
 */
public record PluginSandbox(boolean confined, List<String> inForce, List<String> unavailable, long memoryBytes,
                            long memoryLimit, long tasks, long tasksLimit, Duration cpuTime, long oomKills) {
    /** No confinement and nothing measured: a plugin that never ran, or a host with confinement off. */
    public static final PluginSandbox NONE = new PluginSandbox(false, List.of(), List.of(), -1, -1, -1, -1,
            Duration.ZERO, 0);

    public PluginSandbox {
        inForce = List.copyOf(inForce);
        unavailable = List.copyOf(unavailable);
    }
}
