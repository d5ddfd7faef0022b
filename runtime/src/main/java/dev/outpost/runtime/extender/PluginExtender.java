package dev.outpost.runtime.extender;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import dev.outpost.runtime.content.InstalledContent;
import dev.outpost.runtime.process.PluginHost;
import dev.outpost.runtime.supervision.PluginSupervisor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;

/**
 * The extender: turns every active bundle with an {@link OutpostHeaders#EXECUTABLE} header into a
 * running plugin process, and stops that process, synchronously, when the bundle stops (so
 * {@code Bundle.stop()} returns after the process has been reaped). Bundles without the header are
 * left alone. Starting does not wait for the plugin's handshake.
 */
public final class PluginExtender implements BundleTrackerCustomizer<PluginSupervisor>, Plugins {
    private static final System.Logger LOG = System.getLogger(PluginExtender.class.getName());
    private final PluginHost host;
    private final BundleTracker<PluginSupervisor> tracker;
    private final Map<Long, PluginSupervisor> plugins = new ConcurrentHashMap<>();

    private final Consumer<PluginEvent> events;
    private final BundleContext context;
    private final RevisionCheck revisions;
    private final HotReloadSwap reloads;

    public PluginExtender(BundleContext context, PluginHost host, Consumer<PluginEvent> events) {
        this.host = host;
        this.events = events;
        this.context = context;
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
        this.revisions = new RevisionCheck(host.images);
        this.reloads = new HotReloadSwap(context, host, events);
    }

    public void open() {
        context.addBundleListener(revisions);
        tracker.open();
    }

    /** Stops every plugin process, each reaped before this returns. */
    public void close() {
        context.removeBundleListener(revisions);
        tracker.close();
    }

    @Override
    public PluginSupervisor addingBundle(Bundle bundle, BundleEvent event) {
        if (bundle.getHeaders().get(OutpostHeaders.EXECUTABLE) == null) {
            return null;
        }
        PluginSupervisor successor = reloads.takeSuccessor(bundle.getBundleId());
        if (successor != null) {
            successor.adopt(bundle.getBundleContext());
            plugins.put(bundle.getBundleId(), successor);
            return successor;
        }
        PluginSupervisor plugin = new PluginSupervisor(bundle, host, events, new InstalledContent(bundle, host.images), null, null);
        plugins.put(bundle.getBundleId(), plugin);
        plugin.start();
        return plugin;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, PluginSupervisor plugin) {
        // nothing changes for a plugin while its bundle stays active
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, PluginSupervisor plugin) {
        try {
            plugin.stop();
        } finally {
            plugins.remove(bundle.getBundleId(), plugin);
        }
    }

    @Override
    public List<PluginInfo> list() {
        List<PluginInfo> all = new ArrayList<>();
        for (PluginSupervisor p : plugins.values()) {
            all.add(p.info());
        }
        all.sort((a, b) -> Long.compare(a.bundleId(), b.bundleId()));
        return all;
    }

    @Override
    public Optional<PluginInfo> forBundle(long bundleId) {
        return Optional.ofNullable(plugins.get(bundleId)).map(PluginSupervisor::info);
    }

    @Override
    public void restart(long bundleId) {
        PluginSupervisor p = plugins.get(bundleId);
        if (p == null) {
            throw new IllegalArgumentException("bundle " + bundleId + " carries no plugin");
        }
        if (p.state() == PluginState.FAILED || p.state() == PluginState.STOPPED) {
            // a plugin that failed for good, or left under a policy of never, starts afresh with its bundle
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

    @Override
    public void update(long bundleId, InputStream content) {
        Bundle bundle = context.getBundle(bundleId);
        if (bundle == null) {
            throw new IllegalArgumentException("no bundle " + bundleId);
        }
        byte[] jar;
        try {
            jar = content.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the new content of bundle " + bundleId + ": " + e.getMessage(), e);
        }
        PluginSupervisor old = plugins.get(bundleId);
        if (old == null || old.state() != PluginState.RUNNING) {
            HotReloadSwap.update(bundle, jar);
        } else {
            reloads.swap(bundle, old, jar);
        }
    }
}
