package dev.outpost.api;

/**
 * Register a service of this type to be told of every plugin's state changes (the whiteboard
 * pattern). The runtime calls it on one thread of its own, in order; it must not block for long.
 * Exceptions it throws are logged and otherwise ignored.
 */
@FunctionalInterface
public interface PluginListener {
    void pluginChanged(PluginEvent event);
}
