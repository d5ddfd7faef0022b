package dev.outpost.runtime;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import org.osgi.framework.BundleListener;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;

/**
 * The extender: turns every active bundle with an {@link OutpostHeaders#EXECUTABLE} header into a
 * running plugin process, and stops that process, synchronously, when the bundle stops (so
 * {@code Bundle.stop()} returns after the process has been reaped). Bundles without the header are
 * left alone. Starting does not wait for the plugin's handshake.
 */
final class PluginExtender implements BundleTrackerCustomizer<PluginBundle>, Plugins {
    private static final System.Logger LOG = System.getLogger(PluginExtender.class.getName());
    private final PluginHost host;
    private final BundleTracker<PluginBundle> tracker;
    private final Map<Long, PluginBundle> plugins = new ConcurrentHashMap<>();

    private final Consumer<PluginEvent> events;
    private final BundleContext context;
    /** Processes started by a hot reload, waiting for their bundle's new revision to start. */
    private final Map<Long, PluginBundle> successors = new ConcurrentHashMap<>();

    PluginExtender(BundleContext context, PluginHost host, Consumer<PluginEvent> events) {
        this.host = host;
        this.events = events;
        this.context = context;
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
    }

    void open() {
        context.addBundleListener(headerCheck);
        tracker.open();
    }

    /**
     * Checks a plugin bundle's headers as soon as it is installed or updated, not only at start;
     * forgets the executable images of revisions that are gone.
     */
    private final BundleListener headerCheck = this::bundleChanged;

    private void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UPDATED || event.getType() == BundleEvent.UNINSTALLED) {
            host.images.evict(event.getBundle().getBundleId());
        }
        if (event.getType() != BundleEvent.INSTALLED && event.getType() != BundleEvent.UPDATED) {
            return;
        }
        Bundle b = event.getBundle();
        if (b.getHeaders().get(OutpostHeaders.EXECUTABLE) == null) {
            return;
        }
        try {
            PluginSpec.parse(key -> b.getHeaders().get(key), Platform.current(), path -> entryExists(b, path));
        } catch (PluginSpec.InvalidPluginException e) {
            LOG.log(System.Logger.Level.ERROR, "bundle " + b.getSymbolicName() + " [" + b.getBundleId()
                    + "] cannot run its plugin: " + e.getMessage());
        } catch (RevisionGone e) {
            // the event is delivered asynchronously: the revision was replaced or uninstalled in the
            // meantime, and a newer revision is checked by its own event
        }
    }

    /** Felix throws (a NullPointerException) for the entries of a revision whose content is closed. */
    private static boolean entryExists(Bundle b, String path) {
        try {
            return b.getEntry(path) != null;
        } catch (RuntimeException e) {
            if (b.getState() == Bundle.UNINSTALLED || e instanceof NullPointerException) {
                throw new RevisionGone();
            }
            throw e;
        }
    }

    /** The revision an event was about is not there any more. */
    private static final class RevisionGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RevisionGone() {
            super(null, null, false, false);
        }
    }

    /** Stops every plugin process, each reaped before this returns. */
    void close() {
        context.removeBundleListener(headerCheck);
        tracker.close();
    }

    @Override
    public PluginBundle addingBundle(Bundle bundle, BundleEvent event) {
        if (bundle.getHeaders().get(OutpostHeaders.EXECUTABLE) == null) {
            return null;
        }
        PluginBundle successor = successors.remove(bundle.getBundleId());
        if (successor != null) {
            successor.adopt(new ServiceRegistrar(bundle.getBundleContext()));
            plugins.put(bundle.getBundleId(), successor);
            return successor;
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
        PluginBundle old = plugins.get(bundleId);
        if (old == null || old.state() != PluginState.RUNNING) {
            updateBundle(bundle, jar);
            return;
        }
        PluginBundle next;
        try {
            next = new PluginBundle(bundle, host, events, new JarContent(jar), new ServiceRegistrar(context));
        } catch (IOException e) {
            throw new IllegalStateException("the new content of bundle " + bundleId + " cannot run: " + e.getMessage(), e);
        }
        next.start();
        PluginState state = next.awaitSettled(host.config.handshakeTimeout().toMillis() + 1000);
        if (state != PluginState.RUNNING) {
            String why = next.info().failure().orElse("it is " + state);
            next.stop();
            throw new IllegalStateException("the new content of bundle " + bundleId + " does not serve; the old one"
                    + " keeps serving: " + why);
        }
        successors.put(bundleId, next);
        old.handOverTo(next);
        try {
            updateBundle(bundle, jar);
        } finally {
            PluginBundle orphan = successors.remove(bundleId);
            if (orphan != null) {
                orphan.stop(); // the new revision did not start: the update failed
            }
        }
    }

    private static void updateBundle(Bundle bundle, byte[] jar) {
        try {
            bundle.update(new ByteArrayInputStream(jar));
        } catch (BundleException e) {
            throw new IllegalStateException("update of bundle " + bundle.getBundleId() + " failed: " + e.getMessage(), e);
        }
    }
}
