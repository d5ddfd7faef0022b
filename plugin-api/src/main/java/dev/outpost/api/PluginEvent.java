package dev.outpost.api;

import java.util.Optional;

/**
 * A plugin changed state. Events of one plugin are delivered in the order they happened.
 *
 * @param pluginName the plugin's name
 * @param bundleId the bundle that carries it
 * @param pid the process the change is about, or 0 when no process is involved
 * @param from the state it left
 * @param to the state it entered
 * @param reason why, for failures and restarts ("exited unexpectedly: killed by signal 9 (SIGKILL)")
 */
public record PluginEvent(String pluginName, long bundleId, long pid, PluginState from, PluginState to,
                          Optional<String> reason) {
}
