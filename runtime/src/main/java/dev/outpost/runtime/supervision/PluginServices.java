package dev.outpost.runtime.supervision;

import dev.outpost.protocol.v1.Hello;
import dev.outpost.runtime.services.RemoteService;
import dev.outpost.runtime.services.ServiceRegistrar;

/**
 * The services one plugin has in the registry, across its processes: registered when a process
 * completes its handshake (kept, with the new pid, when it declares the same ones as the last),
 * withdrawn when the plugin stops serving, and moved to another registrar by a hot reload without
 * a gap. Not thread-safe: its {@link PluginSupervisor}'s lock guards it.
 */
final class PluginServices {
    private final long bundleId;
    private final RemoteService.Calls calls;
    private ServiceRegistrar registrar;
    private ServiceRegistrar.Published published;
    private Hello hello;

    PluginServices(long bundleId, ServiceRegistrar registrar, RemoteService.Calls calls) {
        this.bundleId = bundleId;
        this.registrar = registrar;
        this.calls = calls;
    }

    boolean hasRegistrar() {
        return registrar != null;
    }

    void registrar(ServiceRegistrar r) {
        registrar = r;
    }

    /** The services of {@code hello}, served by process {@code pid}, are registered. */
    void publish(Hello hello, long pid) {
        this.hello = hello;
        if (published != null && published.sameServicesAs(hello)) {
            published.updatePid(pid);
        } else {
            withdraw();
            published = registrar.publish(hello, bundleId, pid, calls);
        }
    }

    /** Nothing of the plugin is registered after this. Idempotent. */
    void withdraw() {
        if (published != null) {
            published.withdraw();
            published = null;
        }
    }

    /** Registers the same services through {@code next}, then withdraws the ones registered before. */
    void moveTo(ServiceRegistrar next, long pid) {
        ServiceRegistrar.Published before = published;
        registrar = next;
        if (before != null && hello != null) {
            published = registrar.publish(hello, bundleId, pid, calls);
            before.withdraw();
        }
    }
}
