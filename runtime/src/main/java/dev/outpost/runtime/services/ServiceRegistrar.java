package dev.outpost.runtime.services;

import dev.outpost.api.PluginService;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.ServiceDescriptor;
import java.util.LinkedHashSet;
import org.osgi.framework.BundleContext;

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

    /**
     * Registers the services of {@code hello}, as the plugin's whose bundle calls it
     * {@code pluginName} (its identity, whatever the Hello says), with {@code ranking}; calls on
     * them go to {@code calls}.
     */
    public PublishedServices publish(String pluginName, Hello hello, long bundleId, long pid, int ranking,
                                     RemoteService.Calls calls) {
        PublishedServices published = new PublishedServices(pluginName, hello, bundleId, pid, ranking);
        try {
            for (ServiceDescriptor d : hello.getServicesList()) {
                RemoteService service = new RemoteService(calls, pluginName, d.getName(),
                        new LinkedHashSet<>(d.getMethodsList()));
                published.add(bundleContext.registerService(PluginService.class, service, published.properties(d)));
            }
        } catch (RuntimeException e) {
            published.withdraw();
            throw e;
        }
        return published;
    }
}
