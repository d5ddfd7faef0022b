package dev.outpost.runtime.hostcalls;

import dev.outpost.api.HostService;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.runtime.channel.HostSide;
import dev.outpost.runtime.channel.RequestHandler;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * The host services one plugin may call, across its processes: for each name its bundle imports, a
 * {@link ServiceTracker} (in the bundle's own context, so the registry shows the plugin's bundle
 * using them) over the services registered with {@link HostService#EXPORT} under that name and
 * other plugins' {@link PluginService}s of that name; the best ranked serves a call. A service that
 * goes away fails the calls running on it with UNAVAILABLE. Each process's calls are served by a
 * handler of its own ({@link #open(String)}), all queued in one lane of the pool, so a plugin's
 * share of the pool does not grow with its restarts.
 *
 * <p>Owns its trackers from {@link #start()} to {@link #close()}. Thread-safe.
 */
public final class PluginImports implements HostSide, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PluginImports.class.getName());

    private final String plugin;
    private final long bundleId;
    private final Map<String, String> names;
    private final HostCallPool pool;
    private final HostCallPool.Lane lane;
    private final ScheduledExecutorService timer;
    private final HostCallLimits limits;
    /** The trackers of one bundle context; {@code closing}: their services' removals are not unregistrations. */
    private record Trackers(Map<String, ServiceTracker<Object, ImportedService>> byName, AtomicBoolean closing) {
    }

    private volatile Trackers trackers;
    private boolean closed; // guarded by this

    /**
     * @param names the plugin's imports, valid names (see {@code PluginSpec}), each to the plugin that
     *     must serve it, or "" for a service a Java bundle exports
     */
    public PluginImports(String plugin, BundleContext context, long bundleId, Map<String, String> names,
                         HostCallPool pool, ScheduledExecutorService timer, HostCallLimits limits) {
        this.plugin = plugin;
        this.bundleId = bundleId;
        this.names = Collections.unmodifiableMap(new LinkedHashMap<>(names));
        this.pool = pool;
        this.lane = pool.lane();
        this.timer = timer;
        this.limits = limits;
        this.trackers = trackersIn(context);
    }

    private Trackers trackersIn(BundleContext context) {
        AtomicBoolean closing = new AtomicBoolean();
        Map<String, ServiceTracker<Object, ImportedService>> made = new LinkedHashMap<>();
        names.forEach((name, from) -> {
            // a plugin's services are its native code's to declare: one is only ever reached when the
            // import names its plugin, so that no plugin can pass for a service another one imports
            String filter = from.isEmpty() ? "(" + HostService.EXPORT + "=" + name + ")"
                    : "(&(objectClass=" + PluginService.class.getName() + ")(" + PluginServiceProperties.SERVICE_NAME
                            + "=" + name + ")(" + PluginServiceProperties.PLUGIN_NAME + "=" + from + "))";
            try {
                made.put(name, new ServiceTracker<>(context, context.createFilter(filter),
                        new Customizer(name, context, closing)));
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException("import " + name + " is not a valid name", e);
            }
        });
        return new Trackers(Collections.unmodifiableMap(made), closing);
    }

    /** Starts following the registry. */
    public synchronized void start() {
        if (!closed) {
            trackers.byName().values().forEach(t -> t.open(true));
        }
    }

    /**
     * Follows the registry in {@code context} from now on (a hot reload's new bundle revision): the
     * new trackers are open before the old ones close, and calls running on the old ones go on.
     */
    public void moveTo(BundleContext context) {
        Trackers next = trackersIn(context);
        Trackers before;
        synchronized (this) {
            if (closed) {
                return;
            }
            next.byName().values().forEach(t -> t.open(true));
            before = trackers;
            trackers = next;
        }
        close(before, false);
    }

    @Override
    public List<String> available() {
        List<String> names = new ArrayList<>();
        trackers.byName().forEach((name, t) -> {
            if (!t.isEmpty()) {
                names.add(name);
            }
        });
        return names;
    }

    @Override
    public RequestHandler open(String name) {
        return new HostCalls(name, this, pool, lane, timer, limits);
    }

    boolean declares(String service) {
        return trackers.byName().containsKey(service);
    }

    /** The service that serves {@code name} now, or null. */
    ImportedService resolve(String name) {
        ServiceTracker<Object, ImportedService> t = trackers.byName().get(name);
        if (t == null) {
            return null;
        }
        ServiceReference<Object> best = t.getServiceReference();
        return best == null ? null : t.getService(best);
    }

    /** Stops following the registry; calls running on its services fail UNAVAILABLE. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        close(trackers, true);
    }

    /** Closes trackers; with {@code fail}, what runs on their services fails UNAVAILABLE. */
    private static void close(Trackers t, boolean fail) {
        t.closing().set(true);
        for (ServiceTracker<Object, ImportedService> tracker : t.byName().values()) {
            if (fail) {
                tracker.getTracked().values().forEach(ImportedService::gone);
            }
            try {
                tracker.close();
            } catch (IllegalStateException bundleGone) {
                // the bundle's context is no longer valid: the framework released its services
            }
        }
    }

    private final class Customizer implements ServiceTrackerCustomizer<Object, ImportedService> {
        private final String name;
        private final BundleContext context;
        private final AtomicBoolean closing;

        Customizer(String name, BundleContext context, AtomicBoolean closing) {
            this.name = name;
            this.context = context;
            this.closing = closing;
        }

        @Override
        public ImportedService addingService(ServiceReference<Object> reference) {
            org.osgi.framework.Bundle provider = reference.getBundle();
            if (provider == null) {
                return null; // unregistered meanwhile
            }
            if (Long.valueOf(bundleId).equals(reference.getProperty(PluginServiceProperties.BUNDLE_ID))) {
                return null; // the plugin's own services (whoever registered them, a hot reload too)
            }
            Object service = context.getService(reference);
            if (service == null) {
                return null;
            }
            ImportedService imported = ImportedService.of(reference, provider, service, why -> LOG.log(Level.WARNING,
                    () -> "service " + reference + " is offered to plugins as " + name + " but cannot serve "
                            + plugin + ": " + why));
            if (imported == null) {
                context.ungetService(reference);
            }
            return imported;
        }

        @Override
        public void modifiedService(ServiceReference<Object> reference, ImportedService service) {
            // the ranking may have changed: the tracker picks the best at each call
        }

        @Override
        public void removedService(ServiceReference<Object> reference, ImportedService service) {
            if (!closing.get()) {
                service.gone(); // unregistered, not a tracker closed
            }
            try {
                context.ungetService(reference);
            } catch (IllegalStateException bundleGone) {
                // released with the bundle
            }
        }
    }
}
