package dev.outpost.runtime.supervision;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginSandbox;
import dev.outpost.api.PluginState;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.runtime.content.PluginContent;
import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.content.RestartPolicy;
import dev.outpost.runtime.process.PluginHost;
import dev.outpost.runtime.process.PluginProcess;
import dev.outpost.runtime.process.PluginStates;
import dev.outpost.runtime.process.ProcessState;
import dev.outpost.runtime.process.StateMachine;
import dev.outpost.runtime.services.ServiceRegistrar;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The supervisor of one plugin while its bundle is active: it reads the bundle's headers once,
 * runs one process at a time from the bundle's executable, publishes the plugin's services once a
 * process serves, and when a process ends without being asked applies the bundle's
 * {@link RestartPolicy} ({@link RestartDecision}). Calls reach the serving process through its
 * {@link CallRouter}.
 *
 * <p>Its lock guards its fields only: nothing is called under it that can call back (service
 * registration runs on the runtime's registry thread, outside it; a process is stopped outside it).
 * Owns its {@link PluginSetup} (the executable image, the imports), the current process and the
 * service registrations. Its own state
 * machine is the plugin's as the outside sees it ({@link PluginInfo#state()}, {@link PluginEvent}s).
 */
public final class PluginSupervisor {
    private static final System.Logger LOG = System.getLogger(PluginSupervisor.class.getName());

    private final Bundle bundle;
    private final PluginHost host;
    private final PluginContent content;
    private final StateMachine<PluginState> states = PluginStates.machine();
    private final CallRouter router;
    private final PluginServices services;
    private volatile String name;
    private PluginSpec spec;
    private RestartPolicy policy;
    private RestartBudget budget;
    private RestartBudget cleanExits;
    private PluginSetup setup;
    private PluginProcess process; // guarded by this, as are the fields below
    /** Completes when the current process serves (RUNNING); its calls may go out from then on. */
    private CompletableFuture<PluginProcess> ready = new CompletableFuture<>();
    /** Completes when the current process's services are registered. */
    private CompletableFuture<PluginProcess> published = new CompletableFuture<>();
    private ScheduledFuture<?> pendingRestart;
    private volatile boolean stopping;
    private boolean userRestart;
    private int restarts;
    private String failure;
    /** Set when a hot reload hands the plugin over to a new supervisor. */
    private PluginSupervisor successor;
    private volatile long lastPid;

    /**
     * @param content the headers and files to run
     * @param registrar where to register services; null: in the name of the bundle, once it starts
     * @param replaces the plugin this one replaces in a hot reload, whose services its own outrank; or null
     */
    public PluginSupervisor(Bundle bundle, PluginHost host, Consumer<PluginEvent> events, PluginContent content,
                            ServiceRegistrar registrar, PluginSupervisor replaces) {
        this.bundle = bundle;
        this.host = host;
        this.content = content;
        this.name = bundle.getSymbolicName();
        this.router = new CallRouter(this, host.timer);
        this.services = new PluginServices(bundle.getBundleId(), registrar, router::call,
                replaces == null ? null : replaces.services);
        states.addListener((from, to) -> events.accept(new PluginEvent(name, bundle.getBundleId(), lastPid, from, to,
                to == PluginState.FAILED || to == PluginState.RESTARTING || to == PluginState.STOPPED
                        ? Optional.ofNullable(failure) : Optional.empty())));
    }

    /** Checks the headers and starts the first process (its executable is loaded as it spawns); never throws. */
    public synchronized void start() {
        try {
            setup = PluginSetup.read(bundle, content, host);
            spec = setup.spec();
            name = spec.name();
            policy = setup.policy();
            services.typed(setup.typed());
        } catch (PluginSpec.InvalidPluginException | IllegalArgumentException e) {
            failure = "bundle " + bundle.getSymbolicName() + " [" + bundle.getBundleId() + "] cannot run its plugin: "
                    + e.getMessage();
            LOG.log(Level.ERROR, failure);
            states.move(PluginState.FAILED);
            return;
        }
        budget = new RestartBudget(policy.intensity(), policy.period().toMillis());
        cleanExits = new RestartBudget(Integer.MAX_VALUE, policy.period().toMillis());
        if (!services.hasRegistrar()) {
            services.registrar(new ServiceRegistrar(bundle.getBundleContext()));
        }
        setup.imports().start();
        states.move(PluginState.STARTING);
        spawn();
    }

    /** Starts a new process; the plugin is STARTING. Caller holds the lock. */
    private void spawn() {
        PluginProcess p = new PluginProcess(host, bundle.getBundleId(), spec, setup.image(), setup.imports());
        process = p;
        if (ready.isDone()) {
            ready = new CompletableFuture<>();
        }
        if (published.isDone()) {
            published = new CompletableFuture<>();
        }
        p.addListener((from, to) -> processMoved(p, to));
        p.start();
        lastPid = p.pid();
    }

    private void processMoved(PluginProcess p, ProcessState to) {
        switch (to) {
            case RUNNING -> {
                synchronized (this) {
                    if (p != process || stopping) {
                        return;
                    }
                    lastPid = p.pid();
                    states.moveFrom(EnumSet.of(PluginState.STARTING), PluginState.RUNNING);
                    ready.complete(p);
                }
                host.registry.execute(() -> publish(p));
            }
            case STOPPING, ENDING -> processLeaving(p);
            case FAILED, EXITED -> processEnded(p, to);
            default -> {
                // NEW, STARTING: nothing to do; STOPPED: whoever stopped it decides what comes next
            }
        }
    }

    /** On the registry thread: the services of a process that serves go into the registry. */
    private void publish(PluginProcess p) {
        Optional<Hello> hello = p.hello();
        if (hello.isEmpty() || !serving(p)) {
            return;
        }
        boolean in = services.publish(spec.name(), hello.get(), p.pid(), () -> serving(p));
        if (in) {
            synchronized (this) {
                if (p == process) {
                    published.complete(p);
                }
            }
        }
    }

    /** Whether {@code p} is the plugin's process and serves. */
    private synchronized boolean serving(PluginProcess p) {
        return p == process && !stopping && p.state() == ProcessState.RUNNING;
    }

    /** A process goes away: its services go too, unless a restart is coming that callers may wait for. */
    private void processLeaving(PluginProcess p) {
        boolean keep;
        synchronized (this) {
            keep = !stopping && p == process && (userRestart || policy.kind() == RestartPolicy.Kind.ON_DEMAND);
        }
        if (!keep) {
            host.registry.execute(services::withdraw);
        }
    }

    private void processEnded(PluginProcess p, ProcessState to) {
        boolean withdraw = false;
        synchronized (this) {
            if (p != process || stopping) {
                return;
            }
            boolean clean = to == ProcessState.EXITED;
            String how = p.failure().orElse(clean ? "left" : "failed");
            failure = how;
            ready.completeExceptionally(new PluginException(ErrorCode.UNAVAILABLE, how));
            published.completeExceptionally(new PluginException(ErrorCode.UNAVAILABLE, how));
            long now = System.currentTimeMillis();
            RestartDecision decision = clean ? RestartDecision.afterCleanExit(how, policy, cleanExits, now)
                    : RestartDecision.after(how, policy, budget, now);
            switch (decision.action()) {
                case GIVE_UP -> {
                    failure = decision.reason();
                    withdraw = true;
                    states.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING, PluginState.RESTARTING),
                            PluginState.FAILED);
                    LOG.log(Level.ERROR, name + " failed for good: " + decision.reason());
                }
                case STOP -> {
                    failure = decision.reason();
                    withdraw = true;
                    states.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.STOPPING);
                    states.moveFrom(EnumSet.of(PluginState.STOPPING), PluginState.STOPPED);
                    LOG.log(Level.INFO, name + " stopped: " + decision.reason());
                }
                case RESTART_AFTER_BACKOFF -> {
                    states.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.RESTARTING);
                    long delay = decision.delay().toMillis();
                    LOG.log(Level.INFO, () -> name + " restarts in " + delay + " ms (" + policy + ")");
                    pendingRestart = host.timer.schedule(() -> host.supervisor.execute(this::restartAfterBackoff),
                            delay, TimeUnit.MILLISECONDS);
                }
                case RESTART_AT_NEXT_CALL -> {
                    states.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.RESTARTING);
                    LOG.log(Level.INFO, () -> name + " restarts at the next call (" + policy + ")");
                }
            }
        }
        if (withdraw) {
            host.registry.execute(services::withdraw);
        }
    }

    private synchronized void restartAfterBackoff() {
        pendingRestart = null;
        if (!stopping && states.state() == PluginState.RESTARTING) {
            respawn();
        }
    }

    /** RESTARTING to STARTING with a new process. Caller holds the lock. */
    private void respawn() {
        restarts++;
        states.move(PluginState.STARTING);
        spawn();
    }

    /**
     * Where a call goes now: decided under the lock, made outside it by the {@link CallRouter}. An
     * on-demand plugin waiting for its next call starts its new process here.
     */
    synchronized CallRouter.Route route() {
        if (successor != null) {
            return new CallRouter.Forward(successor.router);
        }
        PluginState state = states.state();
        if (state == PluginState.RUNNING && process != null) {
            return new CallRouter.Serve(process, policy.kind() == RestartPolicy.Kind.ON_DEMAND);
        }
        if (!stopping && state == PluginState.RESTARTING && policy.kind() == RestartPolicy.Kind.ON_DEMAND) {
            respawn(); // a failure was counted against the budget when the process died
            return new CallRouter.Await(ready);
        }
        if (!stopping && (state == PluginState.STARTING || state == PluginState.RESTARTING) && !ready.isDone()) {
            return new CallRouter.Await(ready);
        }
        return new CallRouter.Refuse(name + " is " + state.name().toLowerCase(Locale.ROOT)
                + (failure == null ? "" : ": " + failure));
    }

    /**
     * Hot reload, first half: {@code next} (serving, its services registered) serves from now on;
     * this plugin's services are withdrawn, and calls that still reach it are passed on.
     */
    public void handOverTo(PluginSupervisor next) {
        synchronized (this) {
            successor = next;
        }
        services.withdraw();
        next.services.touch();
    }

    /** Hot reload, second half: services and imports move to {@code context}, the bundle's new one, without a gap. */
    public void adopt(BundleContext context) {
        PluginProcess p;
        synchronized (this) {
            p = process;
        }
        if (setup != null) {
            setup.imports().moveTo(context);
        }
        if (p == null) {
            services.registrar(new ServiceRegistrar(context));
        } else {
            services.moveTo(new ServiceRegistrar(context), p.pid());
        }
    }

    /**
     * Stops the process (returns when it has been reaped, within its stop bound), withdraws the
     * services and releases the image. Idempotent.
     */
    public void stop() {
        PluginProcess p;
        boolean handedOver;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            if (pendingRestart != null) {
                pendingRestart.cancel(false);
            }
            p = process;
            handedOver = successor != null;
            ready.completeExceptionally(new PluginException(ErrorCode.UNAVAILABLE, name + " is stopping"));
            published.completeExceptionally(new PluginException(ErrorCode.UNAVAILABLE, name + " is stopping"));
        }
        boolean wasLive = states.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING,
                PluginState.RESTARTING), PluginState.STOPPING) != null;
        services.withdraw();
        if (p != null && handedOver) {
            router.drain(p, name, host.config.reloadDrain());
        }
        if (p != null) {
            p.stop();
        }
        if (wasLive) {
            states.move(PluginState.STOPPED);
        }
        if (setup != null) {
            setup.close();
        }
    }

    /**
     * Stops the current process (reaped before this returns) and starts a new one.
     *
     * @throws IllegalStateException when the plugin is not running, starting or restarting
     */
    public void restart() {
        PluginProcess old;
        synchronized (this) {
            PluginState s = states.state();
            if (stopping || s.isTerminal() || s == PluginState.NEW) {
                throw new IllegalStateException(name + " cannot be restarted while " + s);
            }
            if (pendingRestart != null) {
                pendingRestart.cancel(false);
            }
            userRestart = true;
            failure = null;
            old = process;
            states.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.RESTARTING);
            ready = new CompletableFuture<>();
        }
        old.stop();
        synchronized (this) {
            userRestart = false;
            if (!stopping && states.state() == PluginState.RESTARTING) {
                respawn();
            }
        }
    }

    public Bundle bundle() {
        return bundle;
    }

    /** Waits, at most {@code millis}, until it serves with its services registered, or has ended; its state then. */
    public PluginState awaitServing(long millis) {
        CompletableFuture<PluginProcess> serving;
        synchronized (this) {
            serving = published;
        }
        try {
            serving.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the state says what became of it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return states.state();
    }

    /** The plugin's state as the outside sees it. */
    public PluginState state() {
        return states.state();
    }

    public synchronized PluginInfo info() {
        PluginProcess p = process;
        if (p == null) {
            return new PluginInfo(name, "", bundle.getBundleId(), states.state(), 0, Optional.empty(), restarts,
                    router.calls(), router.errors(), Optional.empty(), Optional.ofNullable(failure), List.of(),
                    PluginSandbox.NONE, Optional.ofNullable(setup == null ? null : setup.image().verification()));
        }
        return p.info(states.state(), Optional.ofNullable(failure), restarts, router.calls(), router.errors());
    }
}
