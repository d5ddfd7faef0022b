package dev.outpost.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one plugin, taken when {@link Plugins} was asked. It owns nothing and does not
 * change afterwards.
 *
 * @param name the plugin's name (argv[0] of its process)
 * @param version the version the plugin announced, or "" before its handshake
 * @param bundleId the bundle that carries it
 * @param state the state of its current (or last) process
 * @param pid the current (or last) process id, or 0 when none was spawned
 * @param startedAt when the current (or last) process was spawned, if one was
 * @param restarts how many times the runtime restarted the plugin after a failure
 * @param calls calls sent to the plugin's processes, in all
 * @param errors calls among them that failed, for whatever reason
 * @param exitDescription how the last process ended ("exited with 0", "killed by signal 9 (SIGKILL)"), if it did
 * @param failure why the plugin failed, if it did
 * @param recentStderr the last lines the current (or last) process wrote to stderr, oldest first
 * @param sandbox the confinement of the current (or last) process and its resource usage
 * @param verification how its executable was checked before it ran ("sha-256 ... checked",
 *     "signed by CN=... (trusted)"), once it was loaded
 */
public record PluginInfo(String name, String version, long bundleId, PluginState state, long pid,
                         Optional<Instant> startedAt, int restarts, long calls, long errors,
                         Optional<String> exitDescription, Optional<String> failure, List<String> recentStderr,
                         PluginSandbox sandbox, Optional<String> verification) {
}
