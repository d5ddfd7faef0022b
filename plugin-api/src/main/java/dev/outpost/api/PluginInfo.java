package dev.outpost.api;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one plugin process, taken when {@link Plugins} was asked. It owns nothing and
 * does not change afterwards.
 *
 * @param name the plugin's name (argv[0] of its process)
 * @param bundleId the bundle that carries it
 * @param state its state when the snapshot was taken
 * @param pid the process id, or 0 when no process was spawned
 * @param exitDescription how the process ended ("exited with 0", "killed by signal 9"), if it did
 * @param failure why the plugin failed, if it did
 * @param recentStderr the last lines the process wrote to stderr, oldest first
 */
public record PluginInfo(String name, long bundleId, PluginState state, long pid,
                         Optional<String> exitDescription, Optional<String> failure,
                         List<String> recentStderr) {
}
