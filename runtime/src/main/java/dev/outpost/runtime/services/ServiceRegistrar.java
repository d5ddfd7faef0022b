package dev.outpost.runtime.services;

import dev.outpost.api.PluginService;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.ServiceDescriptor;
import java.util.LinkedHashSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * Registers one {@link PluginService} per service a plugin declared, in the name of the bundle
 * that carries the plugin (so the registry shows the plugin's bundle as the provider), and beside it
 * the service's generated interface when the bundle names one ({@link TypedInterfaces}), in the
 * runtime's name: a bundle that imports no package, so that the framework lets every consumer
 * whose interface the object implements see it. A consumer wired to the interface of the revision
 * the plugin started from keeps seeing it across hot reloads, which update the plugin's bundle
 * (registered in that bundle's name, the new revision's export would hide it from them until a
 * refresh). The services route calls to whichever process currently serves the plugin.
 */
public final class ServiceRegistrar {
    private final BundleContext bundleContext;
    private final BundleContext runtimeContext;

    public ServiceRegistrar(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
        Bundle runtime = FrameworkUtil.getBundle(ServiceRegistrar.class);
        // the system bundle's when the runtime runs on the framework's class path (OutpostFramework)
        this.runtimeContext = (runtime != null ? runtime : bundleContext.getBundle(0)).getBundleContext();
    }

    /**
     * Registers the services of {@code hello}, as the plugin's whose bundle calls it
     * {@code pluginName} (its identity, whatever the Hello says), with {@code ranking}; calls on
     * them go to {@code calls}.
     */
    public PublishedServices publish(String pluginName, Hello hello, long bundleId, long pid, int ranking,
                                     RemoteService.Calls calls, TypedInterfaces typed) {
        PublishedServices published = new PublishedServices(pluginName, hello, bundleId, pid, ranking);
        var missing = typed.missingFrom(hello.getServicesList().stream().map(ServiceDescriptor::getName).toList());
        if (!missing.isEmpty()) {
            System.getLogger(ServiceRegistrar.class.getName()).log(System.Logger.Level.WARNING, () -> pluginName
                    + " names interfaces (Outpost-Service) for services its handshake does not declare: " + missing);
        }
        try {
            for (ServiceDescriptor d : hello.getServicesList()) {
                RemoteService service = new RemoteService(calls, pluginName, d.getName(),
                        new LinkedHashSet<>(d.getMethodsList()));
                published.add(bundleContext.registerService(PluginService.class, service, published.properties(d)), d);
                Object typedService = typed.over(d.getName(), service);
                if (typedService != null) { // the same properties: a consumer's filter finds both alike
                    published.add(runtimeContext.registerService(typed.type(d.getName()).getName(), typedService,
                            published.properties(d)), d);
                }
            }
        } catch (RuntimeException e) {
            published.withdraw();
            throw e;
        }
        return published;
    }
}
