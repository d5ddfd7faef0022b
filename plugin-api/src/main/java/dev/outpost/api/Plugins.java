package dev.outpost.api;

import java.util.List;
import java.util.Optional;

/**
 * The runtime's view of its plugins, registered once in the OSGi service registry by the
 * runtime. Everything it returns is a snapshot.
 */
public interface Plugins {

    /** Every plugin the runtime knows of, one per bundle that carries an executable. */
    List<PluginInfo> list();

    /** The plugin carried by the bundle with this id, if there is one. */
    Optional<PluginInfo> forBundle(long bundleId);
}
