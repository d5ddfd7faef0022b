package dev.outpost.sample.kv;

import dev.outpost.api.HostService;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Offers a {@link KvStore} to plugins as the host service {@code kv}: registered as the generated
 * {@link Kv} interface with {@link HostService#EXPORT}, which is all a Java bundle does to serve
 * plugins. Java bundles can use it through {@link Kv} too. The framework unregisters it when the
 * bundle stops.
 */
public final class KvActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(HostService.EXPORT, Kv.SERVICE);
        context.registerService(Kv.class, new KvStore(), properties);
    }

    @Override
    public void stop(BundleContext context) {
        // unregistered with the bundle
    }
}
