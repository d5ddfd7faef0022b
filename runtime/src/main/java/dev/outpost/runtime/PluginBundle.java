package dev.outpost.runtime;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.protocol.v1.Hello;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;

/**
 * A bundle that carries a plugin, while the bundle is active, and the supervisor of its processes:
 * it reads the executable out of the bundle once, runs one process at a time from it, publishes
 * the plugin's services, and when a process dies applies the bundle's {@link RestartPolicy}.
 *
 * <p>Owns the executable image, the current process and the service registrations. Its own
 * lifecycle is the plugin's as the outside sees it ({@link PluginInfo#state()}, {@link PluginEvent}s).
 */
final class PluginBundle {
    private static final System.Logger LOG = System.getLogger(PluginBundle.class.getName());

    private final Bundle bundle;
    private final PluginHost host;
    private final Consumer<PluginEvent> events;
    private final PluginLifecycle lifecycle = new PluginLifecycle();
    private final LongAdder calls = new LongAdder();
    private final LongAdder errors = new LongAdder();
    /** Calls between their entry and their send: a hot reload waits for them before it drains. */
    private final java.util.concurrent.atomic.AtomicInteger entering = new java.util.concurrent.atomic.AtomicInteger();
    private ServiceRegistrar registrar;
    private PluginSpec spec;
    private RestartPolicy policy;
    private RestartBudget budget;
    private PluginImage image;
    private String name;
    // guarded by this
    private PluginProcess process;
    private CompletableFuture<PluginProcess> ready = new CompletableFuture<>();
    private ServiceRegistrar.Published published;
    private ScheduledFuture<?> pendingRestart;
    private boolean stopping;
    private boolean userRestart;
    private int restarts;
    private String failure;
    private volatile long lastPid;

    private final PluginContent content;
    // guarded by this: set when a hot reload hands the plugin over to a new process
    private PluginBundle successor;
    private Hello hello;

    PluginBundle(Bundle bundle, PluginHost host, Consumer<PluginEvent> events) {
        this(bundle, host, events, new InstalledContent(bundle, host.images), null);
    }

    /**
     * @param content the headers and files to run
     * @param registrar where to register services; null: in the name of the bundle
     */
    PluginBundle(Bundle bundle, PluginHost host, Consumer<PluginEvent> events, PluginContent content,
                 ServiceRegistrar registrar) {
        this.bundle = bundle;
        this.host = host;
        this.events = events;
        this.content = content;
        this.registrar = registrar;
        this.name = bundle.getSymbolicName();
        lifecycle.addListener((from, to) -> events.accept(new PluginEvent(name, bundle.getBundleId(), lastPid, from, to,
                to == PluginState.FAILED || to == PluginState.RESTARTING ? Optional.ofNullable(failure) : Optional.empty())));
    }

    /** Checks the headers and starts the first process (its executable is loaded as it spawns); never throws. */
    synchronized void start() {
        try {
            spec = PluginSpec.parse(content::header, Platform.current(), content::has);
            name = spec.name();
            policy = spec.restart().overriddenBy(host.properties);
            image = new PluginImage(content, spec.name(), spec.executablePath());
        } catch (PluginSpec.InvalidPluginException | IllegalArgumentException e) {
            failure = "bundle " + bundle.getSymbolicName() + " [" + bundle.getBundleId() + "] cannot run its plugin: "
                    + e.getMessage();
            LOG.log(Level.ERROR, failure);
            lifecycle.move(PluginState.FAILED);
            return;
        }
        budget = new RestartBudget(policy.intensity(), policy.period().toMillis());
        if (registrar == null) {
            registrar = new ServiceRegistrar(bundle.getBundleContext());
        }
        lifecycle.move(PluginState.STARTING);
        spawn();
    }

    /** Starts a new process; the plugin is STARTING. Caller holds the lock. */
    private void spawn() {
        PluginProcess p = new PluginProcess(host, bundle.getBundleId(), spec, image, this::publish);
        process = p;
        if (ready.isDone()) {
            ready = new CompletableFuture<>();
        }
        p.lifecycle().addListener((from, to) -> processMoved(p, to));
        p.start();
        lastPid = p.pid();
    }

    /** Called by a process once its handshake is accepted. */
    private Runnable publish(PluginProcess p, Hello hello) {
        synchronized (this) {
            if (p != process || stopping) {
                return () -> { };
            }
            this.hello = hello;
            if (published != null && published.sameServicesAs(hello)) {
                published.updatePid(p.pid());
            } else {
                withdraw();
                published = registrar.publish(hello, bundle.getBundleId(), p.pid(), this::call);
            }
        }
        return () -> processWithdrew(p);
    }

    /** A process ends: keep the services if a restart is coming that callers may wait for. */
    private synchronized void processWithdrew(PluginProcess p) {
        boolean keep = !stopping && p == process && (userRestart || policy.kind() == RestartPolicy.Kind.ON_DEMAND);
        if (!keep) {
            withdraw();
        }
    }

    private synchronized void withdraw() {
        if (published != null) {
            published.withdraw();
            published = null;
        }
    }

    private void processMoved(PluginProcess p, PluginState to) {
        if (to == PluginState.RUNNING) {
            synchronized (this) {
                if (p != process) {
                    return;
                }
                lifecycle.moveFrom(EnumSet.of(PluginState.STARTING), PluginState.RUNNING);
                ready.complete(p);
            }
        } else if (to == PluginState.FAILED) {
            processFailed(p);
        }
    }

    private synchronized void processFailed(PluginProcess p) {
        if (p != process || stopping) {
            return;
        }
        String reason = p.failure().orElse("failed");
        failure = reason;
        ready.completeExceptionally(new PluginException(ErrorCode.UNAVAILABLE, reason));
        long now = System.currentTimeMillis();
        if (policy.kind() == RestartPolicy.Kind.NEVER) {
            giveUp(reason);
        } else if (!budget.take(now)) {
            giveUp("restarted " + policy.intensity() + " times within " + policy.period().toMillis()
                    + " ms, giving up; last failure: " + reason);
        } else {
            lifecycle.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.RESTARTING);
            if (policy.kind() == RestartPolicy.Kind.ON_FAILURE) {
                Duration delay = policy.backoff(budget.recent(now));
                LOG.log(Level.INFO, () -> name + " restarts in " + delay.toMillis() + " ms (" + policy + ")");
                pendingRestart = host.timer.schedule(() -> host.lifecycle.execute(this::restartAfterBackoff),
                        delay.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                LOG.log(Level.INFO, () -> name + " restarts at the next call (" + policy + ")");
            }
        }
    }

    private void giveUp(String reason) {
        failure = reason;
        withdraw();
        lifecycle.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING, PluginState.RESTARTING),
                PluginState.FAILED);
        LOG.log(Level.ERROR, name + " failed for good: " + reason);
    }

    private synchronized void restartAfterBackoff() {
        pendingRestart = null;
        if (!stopping && lifecycle.state() == PluginState.RESTARTING) {
            respawn();
        }
    }

    /** RESTARTING to STARTING with a new process. Caller holds the lock. */
    private void respawn() {
        restarts++;
        lifecycle.move(PluginState.STARTING);
        spawn();
    }

    /**
     * Hot reload, first half: {@code next} (RUNNING, its services registered) serves from now on;
     * this plugin's services are withdrawn, and calls that still reach it are passed on.
     */
    void handOverTo(PluginBundle next) {
        synchronized (this) {
            successor = next;
        }
        withdraw();
    }

    /** Hot reload, second half: the services move to {@code finalRegistrar} without a gap. */
    synchronized void adopt(ServiceRegistrar finalRegistrar) {
        ServiceRegistrar.Published temporary = published;
        registrar = finalRegistrar;
        PluginProcess p = process;
        if (temporary != null && hello != null && p != null) {
            published = registrar.publish(hello, bundle.getBundleId(), p.pid(), this::call);
            temporary.withdraw();
        }
    }

    /**
     * Routes a call to the serving process, or waits for the one that is starting.
     * {@code callerWaits}: the calling thread waits for the answer (see {@link PluginChannel#call}).
     */
    CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
                                   boolean callerWaits) {
        entering.incrementAndGet();
        try {
            PluginBundle next;
            synchronized (this) {
                next = successor;
            }
            if (next != null) {
                return next.call(service, method, payload, timeout, callerWaits);
            }
            return callHere(service, method, payload, timeout, callerWaits);
        } finally {
            entering.decrementAndGet();
        }
    }

    private CompletableFuture<byte[]> callHere(String service, String method, byte[] payload, Duration timeout,
                                               boolean callerWaits) {
        CompletableFuture<byte[]> result;
        PluginProcess p;
        CompletableFuture<PluginProcess> waitFor = null;
        synchronized (this) {
            if (successor != null) {
                // handed over while this call was on its way in: the new process serves it
                return successor.call(service, method, payload, timeout, callerWaits);
            }
            calls.increment();
            p = process;
            PluginState state = lifecycle.state();
            if (state == PluginState.RUNNING && p != null) {
                waitFor = null;
            } else if (!stopping && state == PluginState.RESTARTING && policy.kind() == RestartPolicy.Kind.ON_DEMAND) {
                respawn(); // the restart was counted against the budget when the process died
                waitFor = ready;
            } else if (!stopping && (state == PluginState.STARTING || state == PluginState.RESTARTING) && !ready.isDone()) {
                waitFor = ready;
            } else {
                p = null;
            }
        }
        if (waitFor != null) {
            byte[] copy = payload.clone(); // the caller may reuse its array once this returns
            // sent by whichever thread completes the start, not by the caller
            result = waitFor.thenCompose(serving -> serving.call(service, method, copy, timeout, false));
        } else if (p != null) {
            result = p.call(service, method, payload, timeout, callerWaits);
            if (result.isCompletedExceptionally() && policy.kind() == RestartPolicy.Kind.ON_DEMAND && notSent(result)) {
                // the process died before the supervisor heard of it; nothing reached it, so the call
                // goes to the process that the next call starts, once this one is accounted for
                byte[] copy = payload.clone();
                result = p.terminated().thenCompose(x -> callHere(service, method, copy, timeout, false));
                calls.decrement();
            }
        } else {
            result = CompletableFuture.failedFuture(new PluginException(ErrorCode.UNAVAILABLE,
                    name + " is " + lifecycle.state().name().toLowerCase(java.util.Locale.ROOT)
                            + (failure == null ? "" : ": " + failure)));
        }
        result.whenComplete((v, e) -> {
            if (e != null) {
                errors.increment();
            }
        });
        return result;
    }

    private static boolean notSent(CompletableFuture<byte[]> failed) {
        try {
            failed.getNow(null);
            return false;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof CallNotSentException;
        }
    }

    /**
     * Stops the process (returns when it has been reaped), withdraws the services and releases the
     * image. Idempotent.
     */
    void stop() {
        PluginProcess p;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            if (pendingRestart != null) {
                pendingRestart.cancel(false);
            }
            p = process;
            ready.completeExceptionally(new PluginException(ErrorCode.UNAVAILABLE, name + " is stopping"));
        }
        boolean wasLive = lifecycle.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING,
                PluginState.RESTARTING), PluginState.STOPPING) != null;
        withdraw();
        if (p != null && handedOver()) {
            drain(p);
        }
        if (p != null) {
            p.stop();
        }
        if (wasLive) {
            lifecycle.move(PluginState.STOPPED);
        }
        if (image != null) {
            image.close();
        }
    }

    private synchronized boolean handedOver() {
        return successor != null;
    }

    /** Lets the calls in flight on {@code p} finish, within the drain deadline. */
    private void drain(PluginProcess p) {
        long deadline = System.nanoTime() + host.config.reloadDrain().toNanos();
        while ((entering.get() > 0 || p.callsInFlight() > 0) && System.nanoTime() < deadline) {
            try {
                p.terminated().get(1, TimeUnit.MILLISECONDS);
                return; // it ended by itself
            } catch (java.util.concurrent.TimeoutException stillServing) {
                // check again
            } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
        if (p.callsInFlight() > 0) {
            LOG.log(Level.WARNING, () -> name + ": " + p.callsInFlight() + " call(s) still in flight after the drain"
                    + " deadline of a reload; they fail");
        }
    }

    /** Stops the current process (reaped before this returns) and starts a new one. */
    void restart() {
        PluginProcess old;
        synchronized (this) {
            if (stopping || lifecycle.state() == PluginState.FAILED || lifecycle.state() == PluginState.NEW) {
                throw new IllegalStateException(name + " cannot be restarted while " + lifecycle.state());
            }
            if (pendingRestart != null) {
                pendingRestart.cancel(false);
            }
            userRestart = true;
            failure = null;
            old = process;
            lifecycle.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.RESTARTING);
            ready = new CompletableFuture<>();
        }
        old.stop();
        synchronized (this) {
            userRestart = false;
            if (!stopping && lifecycle.state() == PluginState.RESTARTING) {
                respawn();
            }
        }
    }

    Bundle bundle() {
        return bundle;
    }

    /** Waits, at most {@code millis}, until the plugin serves or has failed; returns the state then. */
    PluginState awaitSettled(long millis) {
        CompletableFuture<PluginProcess> serving;
        synchronized (this) {
            serving = ready;
        }
        try {
            serving.get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // the state says what became of it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lifecycle.state();
    }

    /** The plugin's state as the outside sees it. */
    PluginState state() {
        return lifecycle.state();
    }


    synchronized Optional<PluginProcess> process() {
        return Optional.ofNullable(process);
    }

    synchronized PluginInfo info() {
        PluginProcess p = process;
        if (p == null) {
            return new PluginInfo(name, "", bundle.getBundleId(), lifecycle.state(), 0, Optional.empty(), restarts,
                    calls.sum(), errors.sum(), Optional.empty(), Optional.ofNullable(failure), List.of());
        }
        PluginInfo i = p.info(restarts, calls.sum(), errors.sum());
        return new PluginInfo(i.name(), i.version(), i.bundleId(), lifecycle.state(), i.pid(), i.startedAt(),
                i.restarts(), i.calls(), i.errors(), i.exitDescription(), Optional.ofNullable(failure), i.recentStderr());
    }
}
