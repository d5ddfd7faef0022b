package dev.outpost.runtime.services;

import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.ServiceDescriptor;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * The registrations of one handshake's services, made by a {@link ServiceRegistrar}; their owner
 * updates and withdraws them. Each carries its plugin's identity (its bundle's name), the
 * documented properties, and a {@code service.ranking} that its owner raises with each
 * replacement, so that a consumer asking for the best match takes a new registration as soon as it
 * appears, before the one it replaces goes. Thread-safe: its owner touches, updates and withdraws
 * it from several threads (the registry thread, a stop, a hot reload); no lock is held while the
 * framework runs consumers' listeners.
 */
public final class PublishedServices {
    private final String pluginName;
    private final Hello hello;
    private final long bundleId;
    private final int ranking;
    /** A registration and the service it is of: its PluginService's, or its typed interface's. */
    private record Registration(ServiceRegistration<?> registration, ServiceDescriptor service) {
    }

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private volatile long pid;

    PublishedServices(String pluginName, Hello hello, long bundleId, long pid, int ranking) {
        this.pluginName = pluginName;
        this.hello = hello;
        this.bundleId = bundleId;
        this.pid = pid;
        this.ranking = ranking;
    }

    void add(ServiceRegistration<?> r, ServiceDescriptor service) {
        registrations.add(new Registration(r, service));
    }

    /** Whether a new handshake declares exactly the same services, so these can stay. */
    public boolean sameServicesAs(Hello other) {
        return hello.getPluginVersion().equals(other.getPluginVersion())
                && hello.getServicesList().equals(other.getServicesList());
    }

    /** Points the {@code outpost.plugin.pid} property at a new process. */
    public void updatePid(long newPid) {
        pid = newPid;
        touch();
    }

    /**
     * Sets the properties again, as they are: consumers hear MODIFIED, which makes a
     * {@code ServiceTracker} forget what it cached, say a registration just withdrawn.
     */
    public void touch() {
        for (Registration r : List.copyOf(registrations)) { // a withdrawal may clear it meanwhile
            try {
                r.registration().setProperties(properties(r.service()));
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the bundle
            }
        }
    }

    public void withdraw() {
        for (Registration r : List.copyOf(registrations)) {
            try {
                r.registration().unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it with the bundle
            }
        }
        registrations.clear();
    }

    Hashtable<String, Object> properties(ServiceDescriptor d) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(PluginServiceProperties.PLUGIN_NAME, pluginName);
        props.put(PluginServiceProperties.PLUGIN_VERSION, hello.getPluginVersion());
        props.put(PluginServiceProperties.SERVICE_NAME, d.getName());
        props.put(PluginServiceProperties.METHODS, d.getMethodsList().toArray(new String[0]));
        props.put(PluginServiceProperties.PID, pid);
        props.put(PluginServiceProperties.BUNDLE_ID, bundleId);
        props.put(Constants.SERVICE_RANKING, ranking);
        return props;
    }
}
