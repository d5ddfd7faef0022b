package dev.outpost.api;

import java.util.List;
import java.util.Optional;

/**
 * The runtime's view of its plugins, registered once in the OSGi service registry by the
 * runtime. Everything it returns is a snapshot.
 */
public interface Plugins {

    /** Every plugin the runtime knows of, one per active bundle that carries an executable. */
    List<PluginInfo> list();

    /** The plugin carried by the bundle with this id, if there is one. */
    Optional<PluginInfo> forBundle(long bundleId);

    /**
     * Stops the bundle's plugin process (the normal stop sequence, reaped before this returns) and
     * starts a new one from the same executable; returns without waiting for the new handshake.
     *
     * @throws IllegalArgumentException when the bundle carries no plugin
     */
    void restart(long bundleId);
}
