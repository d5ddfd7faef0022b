package dev.outpost.itests;

import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginListener;
import dev.outpost.api.PluginState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** A {@link PluginListener} that records every event, for assertions on whole histories. */
final class PluginEventRecorder implements PluginListener, AutoCloseable {
    private final List<PluginEvent> events = new ArrayList<>();
    private final ServiceRegistration<PluginListener> registration;

    PluginEventRecorder(BundleContext context) {
        this.registration = context.registerService(PluginListener.class, this, null);
    }

    @Override
    public synchronized void pluginChanged(PluginEvent event) {
        events.add(event);
        notifyAll();
    }

    /** The transitions of one bundle's plugin so far, as "FROM>TO". */
    synchronized List<String> transitions(long bundleId) {
        List<String> t = new ArrayList<>();
        for (PluginEvent e : events) {
            if (e.bundleId() == bundleId) {
                t.add(e.from() + ">" + e.to());
            }
        }
        return t;
    }

    synchronized List<PluginEvent> events(long bundleId) {
        return events.stream().filter(e -> e.bundleId() == bundleId).toList();
    }

    /** Waits (with a deadline) until the plugin has entered {@code state} {@code times} times. */
    synchronized void awaitEntered(long bundleId, PluginState state, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TestRuntime.WAIT.toNanos();
        while (events.stream().filter(e -> e.bundleId() == bundleId && e.to() == state).count() < times) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("plugin of bundle " + bundleId + " did not enter " + state + " " + times
                        + " time(s); events: " + transitions(bundleId));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() {
        registration.unregister();
    }
}
