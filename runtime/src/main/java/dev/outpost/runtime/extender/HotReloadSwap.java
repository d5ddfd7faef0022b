package dev.outpost.runtime.extender;

import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginState;
import dev.outpost.runtime.content.JarContent;
import dev.outpost.runtime.process.PluginHost;
import dev.outpost.runtime.services.ServiceRegistrar;
import dev.outpost.runtime.supervision.PluginSupervisor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * A hot reload ({@link dev.outpost.api.Plugins#update}): the new content's plugin is started
 * beside the old one and must serve first; its services are registered beside the old ones, new
 * calls go to it, calls in flight on the old process finish; then the bundle is updated, the old
 * process stopped and reaped, and the new plugin adopted by the bundle's new revision. Consumers
 * see one service replaced, never a gap. Owns the successors waiting for their revision to start.
 */
final class HotReloadSwap {
    private final BundleContext context;
    private final PluginHost host;
    private final Consumer<PluginEvent> events;
    /** Plugins started by a hot reload, waiting for their bundle's new revision to start. */
    private final Map<Long, PluginSupervisor> successors = new ConcurrentHashMap<>();
    /** Bundles a hot reload is under way for: a second one at the same time is refused. */
    private final Set<Long> underWay = ConcurrentHashMap.newKeySet();

    HotReloadSwap(BundleContext context, PluginHost host, Consumer<PluginEvent> events) {
        this.context = context;
        this.host = host;
        this.events = events;
    }

    /** The plugin a hot reload started for this bundle's new revision, now starting; null if none. */
    PluginSupervisor takeSuccessor(long bundleId) {
        return successors.remove(bundleId);
    }

    /**
     * Replaces {@code old} (the serving plugin of {@code bundle}) by the plugin of {@code jar} and
     * updates the bundle; a new plugin that does not serve leaves the old one serving.
     *
     * @throws IllegalStateException saying why, when the new content cannot run, the update fails,
     *     or another hot reload of the bundle is under way
     */
    void swap(Bundle bundle, PluginSupervisor old, byte[] jar) {
        long bundleId = bundle.getBundleId();
        if (!underWay.add(bundleId)) {
            throw new IllegalStateException("a hot reload of bundle " + bundleId + " is already under way");
        }
        try {
            swapNow(bundle, old, jar);
        } finally {
            underWay.remove(bundleId);
        }
    }

    private void swapNow(Bundle bundle, PluginSupervisor old, byte[] jar) {
        long bundleId = bundle.getBundleId();
        PluginSupervisor next;
        try {
            next = new PluginSupervisor(bundle, host, events, new JarContent(jar), new ServiceRegistrar(context), old);
        } catch (IOException e) {
            throw new IllegalStateException("the new content of bundle " + bundleId + " cannot run: " + e.getMessage(), e);
        }
        next.start();
        PluginState state = next.awaitServing(host.config.handshakeTimeout().toMillis() + 1000);
        if (state != PluginState.RUNNING) {
            String why = next.info().failure().orElse("it is " + state);
            next.stop();
            throw new IllegalStateException("the new content of bundle " + bundleId + " does not serve; the old one"
                    + " keeps serving: " + why);
        }
        successors.put(bundleId, next);
        old.handOverTo(next);
        try {
            update(bundle, jar);
        } finally {
            PluginSupervisor orphan = successors.remove(bundleId);
            if (orphan != null) {
                orphan.stop(); // the new revision did not start: the update failed
            }
        }
    }

    /** A plain {@code Bundle.update} from the bytes. */
    static void update(Bundle bundle, byte[] jar) {
        try {
            bundle.update(new ByteArrayInputStream(jar));
        } catch (BundleException e) {
            throw new IllegalStateException("update of bundle " + bundle.getBundleId() + " failed: " + e.getMessage(), e);
        }
    }
}
