package dev.outpost.runtime.launcher;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import dev.outpost.runtime.config.DaemonThreads;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Tells the operator, one line each, when a plugin starts serving (name, version, bundle, pid, time
 * from spawn to its first service being registered) or fails (with the runtime's reason). Watches
 * service registrations for the exact moment of serving, and polls {@link Plugins} for the rest.
 */
final class PluginProgress implements ServiceListener, BundleListener, AutoCloseable {
    private static final long POLL_MILLIS = 20;

    private final BundleContext context;
    private final Consumer<String> out;
    private final Map<Long, Instant> servingSince = new ConcurrentHashMap<>();
    private final Set<String> reported = new HashSet<>();
    private ScheduledExecutorService poller;
    private int failed;

    PluginProgress(BundleContext context, Consumer<String> out) {
        this.context = context;
        this.out = out;
    }

    void open() throws InvalidSyntaxException {
        context.addServiceListener(this, "(objectClass=" + PluginService.class.getName() + ")");
        context.addBundleListener(this);
        poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("outpost-progress"));
        poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            context.removeServiceListener(this);
            context.removeBundleListener(this);
        } catch (IllegalStateException frameworkGone) {
            // listeners went with the framework
        }
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() == ServiceEvent.REGISTERED
                && event.getServiceReference().getProperty(PluginServiceProperties.PID) instanceof Number pid) {
            servingSince.putIfAbsent(pid.longValue(), Instant.now());
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STOPPED) {
            String prefix = event.getBundle().getBundleId() + "/";
            synchronized (this) {
                reported.removeIf(k -> k.startsWith(prefix));
            }
        }
    }

    /** Plugins that failed, as reported so far. */
    synchronized int failed() {
        return failed;
    }

    /** Waits until no plugin is still starting, or the deadline; reports on the way. */
    boolean awaitStarted(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            List<PluginInfo> all = poll();
            if (all.stream().noneMatch(p -> p.state() == PluginState.STARTING || p.state() == PluginState.NEW)) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
        return false;
    }

    synchronized List<PluginInfo> poll() {
        var ref = context.getServiceReference(Plugins.class);
        Plugins plugins = ref == null ? null : context.getService(ref);
        if (plugins == null) {
            return List.of();
        }
        try {
            List<PluginInfo> all = plugins.list();
            for (PluginInfo p : all) {
                String key = p.bundleId() + "/" + p.pid() + "/" + p.state();
                if ((p.state() == PluginState.RUNNING || p.state() == PluginState.FAILED) && reported.add(key)) {
                    out.accept(describe(p));
                    if (p.state() == PluginState.FAILED) {
                        failed++;
                    }
                }
            }
            return all;
        } finally {
            context.ungetService(ref);
        }
    }

    private String describe(PluginInfo p) {
        String where = "bundle " + p.bundleId() + ", pid " + p.pid();
        if (p.state() == PluginState.FAILED) {
            return p.name() + ": FAILED (" + where + "): " + p.failure().orElse(p.exitDescription().orElse("no reason given"));
        }
        Instant serving = servingSince.getOrDefault(p.pid(), Instant.now());
        String took = p.startedAt().map(s -> String.format(java.util.Locale.ROOT, ", serving %.1f ms after spawn",
                Duration.between(s, serving).toNanos() / 1e6)).orElse("");
        return p.name() + " " + (p.version().isEmpty() ? "?" : p.version()) + ": serving (" + where + took + ")";
    }

    /** How many plugins serve, for the end of start-up. */
    static String summary(List<PluginInfo> plugins) {
        long serving = plugins.stream().filter(p -> p.state() == PluginState.RUNNING).count();
        return serving + " of " + plugins.size() + " plugin(s) serving";
    }
}
