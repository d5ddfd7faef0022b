package dev.outpost.runtime.supervision;

import dev.outpost.protocol.v1.Hello;
import dev.outpost.runtime.services.PublishedServices;
import dev.outpost.runtime.services.RemoteService;
import dev.outpost.runtime.services.ServiceRegistrar;
import dev.outpost.runtime.services.TypedInterfaces;
import java.util.function.BooleanSupplier;

/**
 * The services one plugin has in the registry, across its processes: registered once a process
 * serves (kept, with the new pid, when it declares the same ones as the last), withdrawn when the
 * plugin stops serving, and moved to another registrar by a hot reload without a gap.
 *
 * <p>Nothing here calls the framework while holding a lock: the framework runs consumers' code
 * during a registration (Declarative Services activates components there, which may call the
 * plugin, or stop it). A registration that finds, once made, that it is no longer wanted (a
 * withdrawal came meanwhile) withdraws itself. Thread-safe.
 */
final class PluginServices {
    private final long bundleId;
    private final RemoteService.Calls calls;
    private final Object lock = new Object();
    private ServiceRegistrar registrar;        // guarded by lock
    private PublishedServices published; // guarded by lock
    private Hello hello;                        // guarded by lock
    private String name;                        // guarded by lock
    private long generation;                    // guarded by lock: counts withdrawals
    private int ranking;                        // guarded by lock: that of the latest registration
    private volatile TypedInterfaces typed = TypedInterfaces.NONE;
    /** What the first registration outranks: 0, or the ranking of the plugin this one replaces. */
    private final int base;

    /**
     * {@code replaces}: the services of the plugin this one replaces in a hot reload, or null; the
     * first registration outranks theirs.
     * A registration outranks the one it overlaps; one made when nothing of the plugin is
     * registered (after a restart) starts again from {@code ranking + 1}, so that restarting
     * cannot raise a plugin above another plugin's services of the same name.
     */
    PluginServices(long bundleId, ServiceRegistrar registrar, RemoteService.Calls calls, PluginServices replaces) {
        this.bundleId = bundleId;
        this.registrar = registrar;
        this.calls = calls;
        this.ranking = replaces == null ? 0 : replaces.ranking();
        this.base = ranking;
        this.typed = replaces == null ? TypedInterfaces.NONE : replaces.typed;
    }

    /** The ranking of the latest registration: a successor's outrank it. */
    int ranking() {
        synchronized (lock) {
            return ranking;
        }
    }

    /** Touches what is registered (see the class comment). */
    void touch() {
        PublishedServices p;
        synchronized (lock) {
            p = published;
        }
        if (p != null) {
            p.touch();
        }
    }

    /**
     * The generated interfaces to register beside the services, read once as the plugin starts. A
     * hot reload keeps those of the plugin it replaces when the bundle names the same: consumers are
     * wired to the interfaces of the revision they resolved against until a refresh, and an object
     * of a later revision's class would be invisible to them.
     */
    void typed(TypedInterfaces t) {
        if (!typed.sameAs(t)) {
            typed = t;
        }
    }

    boolean hasRegistrar() {
        synchronized (lock) {
            return registrar != null;
        }
    }

    void registrar(ServiceRegistrar r) {
        synchronized (lock) {
            registrar = r;
        }
    }

    /**
     * Registers the services of {@code hello} for the plugin {@code name}, served by process
     * {@code pid}, unless {@code wanted} says otherwise once they are registered.
     *
     * @return whether they are registered (false: a withdrawal or {@code wanted} came first)
     */
    boolean publish(String name, Hello hello, long pid, BooleanSupplier wanted) {
        PublishedServices same;
        ServiceRegistrar r;
        long before;
        int rank;
        synchronized (lock) {
            before = generation;
            same = published != null && published.sameServicesAs(hello) ? published : null;
            r = registrar;
            this.hello = hello;
            this.name = name;
            rank = same != null ? ranking : published != null ? ++ranking : (ranking = base + 1);
        }
        if (same != null) {
            same.updatePid(pid);
            return true;
        }
        PublishedServices fresh = r.publish(name, hello, bundleId, pid, rank, calls, typed);
        PublishedServices replaced = null;
        boolean keep;
        synchronized (lock) {
            keep = generation == before && wanted.getAsBoolean();
            if (keep) {
                replaced = published;
                published = fresh;
            }
        }
        if (!keep) {
            fresh.withdraw();
        }
        if (replaced != null) {
            replaced.withdraw(); // the services of an earlier process, kept until these were in
            fresh.touch();
        }
        return keep;
    }

    /** Nothing of the plugin is registered after this. Idempotent. */
    void withdraw() {
        PublishedServices p;
        synchronized (lock) {
            generation++;
            p = published;
            published = null;
        }
        if (p != null) {
            p.withdraw();
        }
    }

    /** Registers the same services through {@code next}, then withdraws the ones registered before. */
    void moveTo(ServiceRegistrar next, long pid) {
        PublishedServices before;
        Hello h;
        String n;
        long gen;
        int rank;
        synchronized (lock) {
            registrar = next;
            before = published;
            h = hello;
            n = name;
            gen = generation;
            rank = ++ranking;
        }
        if (before == null || h == null) {
            return;
        }
        PublishedServices moved = next.publish(n, h, bundleId, pid, rank, calls, typed);
        boolean keep;
        synchronized (lock) {
            keep = generation == gen && published == before;
            if (keep) {
                published = moved;
            }
        }
        (keep ? before : moved).withdraw();
        if (keep) {
            moved.touch();
        }
    }
}
