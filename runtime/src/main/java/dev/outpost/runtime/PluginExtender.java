package dev.outpost.runtime;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.framework.BundleException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;

/**
 * The extender: turns every active bundle with an {@link OutpostHeaders#EXECUTABLE} header into a
 * running plugin process, and stops that process, synchronously, when the bundle stops (so
 * {@code Bundle.stop()} returns after the process has been reaped). Bundles without the header are
 * left alone. Starting does not wait for the plugin's handshake.
 */
final class PluginExtender implements BundleTrackerCustomizer<PluginBundle>, Plugins {
    private final PluginHost host;
    private final BundleTracker<PluginBundle> tracker;
    private final Map<Long, PluginBundle> plugins = new ConcurrentHashMap<>();

    private final Consumer<PluginEvent> events;

    PluginExtender(BundleContext context, PluginHost host, Consumer<PluginEvent> events) {
        this.host = host;
        this.events = events;
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
    }

    void open() {
        tracker.open();
    }

    /** Stops every plugin process, each reaped before this returns. */
    void close() {
        tracker.close();
    }

    @Override
    public PluginBundle addingBundle(Bundle bundle, BundleEvent event) {
        if (bundle.getHeaders().get(OutpostHeaders.EXECUTABLE) == null) {
            return null;
        }
        PluginBundle plugin = new PluginBundle(bundle, host, events);
        plugins.put(bundle.getBundleId(), plugin);
        plugin.start();
        return plugin;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, PluginBundle plugin) {
        // nothing changes for a plugin while its bundle stays active
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, PluginBundle plugin) {
        try {
            plugin.stop();
        } finally {
            plugins.remove(bundle.getBundleId(), plugin);
        }
    }

    @Override
    public List<PluginInfo> list() {
        List<PluginInfo> all = new ArrayList<>();
        for (PluginBundle p : plugins.values()) {
            all.add(p.info());
        }
        all.sort((a, b) -> Long.compare(a.bundleId(), b.bundleId()));
        return all;
    }

    @Override
    public Optional<PluginInfo> forBundle(long bundleId) {
        return Optional.ofNullable(plugins.get(bundleId)).map(PluginBundle::info);
    }

    @Override
    public void restart(long bundleId) {
        PluginBundle p = plugins.get(bundleId);
        if (p == null) {
            throw new IllegalArgumentException("bundle " + bundleId + " carries no plugin");
        }
        if (p.state() == PluginState.FAILED) {
            // a plugin that failed for good starts afresh with its bundle
            Bundle bundle = p.bundle();
            try {
                bundle.stop(Bundle.STOP_TRANSIENT);
                bundle.start(Bundle.START_TRANSIENT);
            } catch (BundleException e) {
                throw new IllegalStateException("cannot restart bundle " + bundleId + ": " + e.getMessage(), e);
            }
            return;
        }
        p.restart();
    }

    /** The running process of a bundle, for tests and shell commands. */
    Optional<PluginProcess> process(long bundleId) {
        return Optional.ofNullable(plugins.get(bundleId)).flatMap(PluginBundle::process);
    }
}
