package dev.outpost.runtime;

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
 * that carries the plugin (so the registry shows the plugin's bundle as the provider).
 */
final class ServiceRegistrar implements PluginProcess.ServicePublisher {
    private final BundleContext bundleContext;

    ServiceRegistrar(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Override
    public Runnable publish(PluginProcess process, Hello hello) {
        List<ServiceRegistration<PluginService>> registrations = new ArrayList<>();
        try {
            for (ServiceDescriptor d : hello.getServicesList()) {
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(PluginServiceProperties.PLUGIN_NAME, hello.getPluginName());
                props.put(PluginServiceProperties.PLUGIN_VERSION, hello.getPluginVersion());
                props.put(PluginServiceProperties.SERVICE_NAME, d.getName());
                props.put(PluginServiceProperties.METHODS, d.getMethodsList().toArray(new String[0]));
                props.put(PluginServiceProperties.PID, (long) process.pid());
                props.put(PluginServiceProperties.BUNDLE_ID, process.bundleId());
                RemoteService service = new RemoteService(process, hello.getPluginName(), d.getName(),
                        new LinkedHashSet<>(d.getMethodsList()));
                registrations.add(bundleContext.registerService(PluginService.class, service, props));
            }
        } catch (RuntimeException e) {
            unregister(registrations);
            throw e;
        }
        return () -> unregister(registrations);
    }

    private static void unregister(List<ServiceRegistration<PluginService>> registrations) {
        for (ServiceRegistration<PluginService> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it with the bundle
            }
        }
        registrations.clear();
    }
}
