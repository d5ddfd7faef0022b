package dev.outpost.runtime.extender;

import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginListener;
import dev.outpost.runtime.config.DaemonThreads;
import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Delivers plugin events to every {@link PluginListener} in the service registry (the whiteboard
 * pattern), in order, on one thread of its own ({@code outpost-events}), so that a slow listener
 * delays only other listeners. A listener sees the events from its registration on; while there
 * is none, events are dropped where they arise and the thread is not even started. Owns that
 * thread and the tracker until {@link #close()}.
 */
public final class PluginEvents implements Consumer<PluginEvent>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PluginEvents.class.getName());

    private final ServiceTracker<PluginListener, PluginListener> listeners;
    private final ExecutorService thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), DaemonThreads.named("outpost-events"));

    public PluginEvents(BundleContext context) {
        this.listeners = new ServiceTracker<>(context, PluginListener.class, null);
        listeners.open();
    }

    @Override
    public void accept(PluginEvent event) {
        LOG.log(Level.DEBUG, () -> event.toString());
        if (listeners.isEmpty()) {
            return; // nobody listens: no hand-off, so no thread woken on every start and stop
        }
        try {
            thread.execute(() -> deliver(event));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the runtime is going away; nobody is left to listen
        }
    }

    private void deliver(PluginEvent event) {
        for (PluginListener l : listeners.getServices(new PluginListener[0])) {
            try {
                l.pluginChanged(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "plugin listener " + l + " failed on " + event, e);
            }
        }
    }

    /** Delivers what is queued (bounded wait), then stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listeners.close();
    }
}
