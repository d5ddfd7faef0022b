package dev.outpost.runtime.services;

import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.ServiceDescriptor;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers one {@link PluginService} per service a plugin declared, in the name of the bundle
 * that carries the plugin (so the registry shows the plugin's bundle as the provider). The
 * services route calls to whichever process currently serves the plugin.
 */
public final class ServiceRegistrar {
    private final BundleContext bundleContext;

    public ServiceRegistrar(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    /** The registrations of one handshake's services; the owner withdraws them. */
    public final class Published {
        private final Hello hello;
        private final long bundleId;
        private final List<ServiceRegistration<PluginService>> registrations = new ArrayList<>();

        private Published(Hello hello, long bundleId) {
            this.hello = hello;
            this.bundleId = bundleId;
        }

        /** Whether a new handshake declares exactly the same services, so these can stay. */
        public boolean sameServicesAs(Hello other) {
            return hello.getPluginName().equals(other.getPluginName())
                    && hello.getPluginVersion().equals(other.getPluginVersion())
                    && hello.getServicesList().equals(other.getServicesList());
        }

        /** Points the {@code outpost.plugin.pid} property at a new process. */
        public void updatePid(long pid) {
            for (int i = 0; i < registrations.size(); i++) {
                try {
                    registrations.get(i).setProperties(properties(hello.getServices(i), pid));
                } catch (IllegalStateException alreadyGone) {
                    // unregistered with the bundle
                }
            }
        }

        public void withdraw() {
            for (ServiceRegistration<PluginService> r : registrations) {
                try {
                    r.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework unregistered it with the bundle
                }
            }
            registrations.clear();
        }

        private Hashtable<String, Object> properties(ServiceDescriptor d, long pid) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(PluginServiceProperties.PLUGIN_NAME, hello.getPluginName());
            props.put(PluginServiceProperties.PLUGIN_VERSION, hello.getPluginVersion());
            props.put(PluginServiceProperties.SERVICE_NAME, d.getName());
            props.put(PluginServiceProperties.METHODS, d.getMethodsList().toArray(new String[0]));
            props.put(PluginServiceProperties.PID, pid);
            props.put(PluginServiceProperties.BUNDLE_ID, bundleId);
            return props;
        }
    }

    /** Registers the services of {@code hello}; calls on them go to {@code calls}. */
    public Published publish(Hello hello, long bundleId, long pid, RemoteService.Calls calls) {
        Published published = new Published(hello, bundleId);
        try {
            for (ServiceDescriptor d : hello.getServicesList()) {
                RemoteService service = new RemoteService(calls, hello.getPluginName(), d.getName(),
                        new LinkedHashSet<>(d.getMethodsList()));
                published.registrations.add(bundleContext.registerService(PluginService.class, service,
                        published.properties(d, pid)));
            }
        } catch (RuntimeException e) {
            published.withdraw();
            throw e;
        }
        return published;
    }
}
