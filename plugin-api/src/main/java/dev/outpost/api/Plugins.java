package dev.outpost.api;

import java.io.InputStream;
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

    /**
     * Replaces the bundle's content (a hot reload) without failing a call: a process is started
     * from the new content and must complete its handshake first; its services are registered
     * beside the old ones, then the old ones are withdrawn and new calls go to the new process;
     * calls in flight on the old process finish (within {@code outpost.reload.drain.ms}); then the
     * bundle is updated and the old process stopped and reaped. Blocks until all that is done.
     * A bundle that carries no running plugin is simply updated.
     *
     * @param content the new bundle jar; read to the end, not closed
     * @throws IllegalStateException when the new content cannot run; the old plugin keeps serving
     * @throws IllegalArgumentException when there is no such bundle
     */
    void update(long bundleId, InputStream content);
}
