package dev.outpost.runtime;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Goodbye;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Log;
import dev.outpost.protocol.v1.Refusal;
import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One plugin process: everything about one run of a plugin's executable, from spawn to reap.
 * All its state is here: name, lifecycle, services, and (once spawned) the {@link AttachedProcess}.
 *
 * <p>Ownership: from {@link #start()} on, this object owns the child's pid (it alone reaps it),
 * its pidfd, the host's end of the socket and the read ends of the output pipes; all are released
 * before the lifecycle reaches a terminal state. It does not own the {@link PluginImage}.
 * {@link #stop()} blocks its caller for the documented stop sequence; everything else runs on the
 * {@link PluginHost}'s threads.
 */
final class PluginProcess {
    private static final long KILL_WAIT_MILLIS = 10_000;
    private static final long EOF_EXIT_WAIT_MILLIS = 200;
    private static final int STDERR_LINES_IN_ERRORS = 5;

    /** Puts the services of a plugin that finished its handshake into a registry. */
    interface ServicePublisher {
        /** Publishes; returns what withdraws them again. */
        Runnable publish(PluginProcess process, Hello hello) throws Exception;
    }

    private final PluginHost host;
    private final long bundleId;
    private final PluginSpec spec;
    private final PluginImage image;
    private final ServicePublisher publisher;
    private final PluginLifecycle lifecycle = new PluginLifecycle();
    /** Completes when the process has been reaped and released. */
    private final CompletableFuture<PluginState> terminated = new CompletableFuture<>();
    /** Completes when the spawn thread is done with {@link #launch()}, whatever came of it. */
    private final CompletableFuture<Void> launched = new CompletableFuture<>();
    private final System.Logger log;
    private final Object termination = new Object();
    /** One budget for everything the plugin logs: stdout, stderr and Log frames. */
    private final LogLimiter logLimiter = new LogLimiter();
    private final Object services = new Object();
    private boolean terminating;
    private boolean servicesClosed;
    private Runnable unpublish;

    /** Null until the spawn thread has spawned the process. */
    private volatile AttachedProcess attached;
    private volatile ScheduledFuture<?> handshakeTimer;
    private final LivenessCheck liveness = new LivenessCheck();
    private volatile Hello hello;
    private volatile String failure;
    private volatile ExitStatus exit;
    private volatile long spawnedNanos;
    private volatile long spawnedWallMillis;
    private volatile long servingNanos;

    PluginProcess(PluginHost host, long bundleId, PluginSpec spec, PluginImage image, ServicePublisher publisher) {
        this.host = host;
        this.bundleId = bundleId;
        this.spec = spec;
        this.image = image;
        this.publisher = publisher;
        this.log = System.getLogger("outpost.plugin." + spec.name());
        lifecycle.addListener((from, to) -> {
            if (to.isTerminal()) {
                terminated.complete(to);
            }
        });
    }

    /** Completes (on the thread that ended it) once the process has been reaped and released. */
    CompletableFuture<PluginState> terminated() {
        return terminated;
    }

    String name() {
        return spec.name();
    }

    PluginSpec spec() {
        return spec;
    }

    long bundleId() {
        return bundleId;
    }

    PluginState state() {
        return lifecycle.state();
    }

    /** Calls sent and not answered yet. */
    int callsInFlight() {
        AttachedProcess a = attached;
        return a == null ? 0 : a.channel.callsInFlight();
    }

    PluginLifecycle lifecycle() {
        return lifecycle;
    }

    /** The pid, or 0 before the spawn. */
    int pid() {
        AttachedProcess a = attached;
        return a == null ? 0 : a.child.pid();
    }

    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exit);
    }

    /** The last lines the plugin wrote to stderr. */
    List<String> stderrTail() {
        AttachedProcess a = attached;
        return a == null ? List.of() : a.stderr.tail();
    }

    /** A snapshot, with the counters and restart count kept by the owner across processes. */
    PluginInfo info(int restarts, long calls, long errors) {
        Hello h = hello;
        long began = spawnedWallMillis;
        return new PluginInfo(name(), h == null ? "" : h.getPluginVersion(), bundleId, state(), pid(),
                began == 0 ? Optional.empty() : Optional.of(java.time.Instant.ofEpochMilli(began)),
                restarts, calls, errors, exitStatus().map(ExitStatus::describe), failure(), stderrTail());
    }

    /**
     * Starts the process: it is spawned on the spawn thread (the caller does not wait for that),
     * then the handshake starts. A failure to spawn leaves the plugin FAILED with the reason, and
     * nothing running.
     *
     * @throws IllegalStateException when called twice
     */
    void start() {
        lifecycle.move(PluginState.STARTING);
        spawnedNanos = System.nanoTime();
        spawnedWallMillis = System.currentTimeMillis();
        host.onSpawnThread(this::launch);
    }

    /** On the spawn thread: spawns and attaches the process, unless a stop came first. */
    private void launch() {
        try {
            synchronized (termination) {
                if (terminating) {
                    return; // stop() handles a process that was never spawned
                }
            }
            PluginLaunch launch;
            try {
                launch = PluginLaunch.spawn(host, spec, image.get());
            } catch (IOException e) {
                host.lifecycle.execute(() -> failStart("cannot start " + name() + ": " + e.getMessage()));
                return;
            }
            attach(launch);
        } finally {
            launched.complete(null);
        }
    }

    private void attach(PluginLaunch launch) {
        AttachedProcess a = new AttachedProcess(launch, name(), host, logLimiter,
                new PluginFrames(name(), new FrameReceiver()));
        attached = a;
        try {
            a.watch(this::exited);
        } catch (IOException e) {
            host.lifecycle.execute(() -> fail("cannot watch " + name() + ": " + e.getMessage(), 0));
            return;
        }
        long timeout = host.config.handshakeTimeout().toMillis();
        handshakeTimer = host.timer.schedule(() -> host.lifecycle.execute(() -> {
            if (hello == null) {
                fail(name() + " did not complete its handshake within " + timeout + " ms", 0);
            }
        }), timeout, TimeUnit.MILLISECONDS);
    }

    /**
     * Calls a method of the plugin; fails at once with UNAVAILABLE when it is not running.
     * {@code callerWaits}: see {@link PluginChannel#call}.
     */
    CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
                                   boolean callerWaits) {
        AttachedProcess a = attached;
        PluginState s = state();
        // services are registered just before RUNNING is entered; a caller may be that quick
        if (a == null || hello == null || s != PluginState.RUNNING && s != PluginState.STARTING) {
            return CompletableFuture.failedFuture(new CallNotSentException(name() + " (pid " + pid() + ") is "
                    + s.name().toLowerCase(java.util.Locale.ROOT) + failure().map(f -> ": " + f).orElse("")));
        }
        return a.channel.call(service, method, payload, timeout, callerWaits);
    }

    /** Runs on the lifecycle thread once the Hello arrived. */
    private void completeHandshake(Hello received) {
        ScheduledFuture<?> timer = handshakeTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        if (state() != PluginState.STARTING) {
            return;
        }
        Handshake.Outcome outcome = Handshake.judge(received, spec.config(), host.config.maxFrameSize());
        PluginChannel channel = attached.channel; // the Hello came through it
        try {
            if (!outcome.accepted()) {
                channel.send(Frame.newBuilder().setRefusal(Refusal.newBuilder().setReason(outcome.refusal())).build(),
                        host.config.writeTimeout().toMillis());
                fail("handshake refused: " + outcome.refusal(), host.config.stopGrace().toMillis());
                return;
            }
            channel.send(Frame.newBuilder().setWelcome(outcome.welcome()).build(), host.config.writeTimeout().toMillis());
        } catch (IOException e) {
            fail("handshake with " + name() + " failed: " + e.getMessage(), 0);
            return;
        }
        hello = received;
        try {
            synchronized (services) {
                if (!servicesClosed) {
                    unpublish = publisher.publish(this, received);
                }
            }
        } catch (Exception e) {
            fail("cannot register the services of " + name() + ": " + e, 0);
            return;
        }
        if (lifecycle.moveFrom(EnumSet.of(PluginState.STARTING), PluginState.RUNNING) != null) {
            servingNanos = System.nanoTime();
            liveness.start(host, channel, name(), reason -> host.lifecycle.execute(() -> fail(reason, 0)));
            log.log(Level.INFO, () -> name() + " " + received.getPluginVersion() + " (pid " + pid() + ") serving in "
                    + String.format("%.2f ms", (servingNanos - spawnedNanos) / 1e6));
        }
    }

    private void withdrawServices() {
        Runnable u;
        synchronized (services) {
            servicesClosed = true;
            u = unpublish;
            unpublish = null;
        }
        if (u != null) {
            try {
                u.run();
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "withdrawing the services of " + name() + " failed", e);
            }
        }
    }

    /**
     * Asks the process to leave and returns when it has been reaped: withdraw the services, fail
     * the calls in flight with UNAVAILABLE, send Goodbye, wait the grace period, SIGTERM, wait,
     * SIGKILL, reap, close. Idempotent; safe to race with the process dying by itself (then it
     * waits for that to be handled).
     */
    void stop() {
        synchronized (termination) {
            if (!terminating) {
                terminating = true;
            } else {
                awaitTerminal();
                return;
            }
        }
        if (lifecycle.moveFrom(EnumSet.of(PluginState.NEW), PluginState.STOPPED) != null) {
            return;
        }
        awaitLaunched();
        AttachedProcess a = attached;
        if (a == null) { // the stop came before the spawn, or the spawn failed
            lifecycle.moveFrom(EnumSet.of(PluginState.STARTING), PluginState.STOPPED);
            return;
        }
        if (lifecycle.moveFrom(EnumSet.of(PluginState.STARTING, PluginState.RUNNING), PluginState.STOPPING) == null) {
            return; // already terminal (a failed start)
        }
        long began = System.nanoTime();
        withdrawServices();
        PluginChannel c = a.channel;
        c.closeCalls(ErrorCode.UNAVAILABLE, name() + " is stopping");
        long grace = host.config.stopGrace().toMillis();
        try {
            if (c.isOpen()) {
                c.send(Frame.newBuilder().setGoodbye(Goodbye.newBuilder().setReason("stopping")).build(), grace);
            }
        } catch (IOException e) {
            log.log(Level.DEBUG, () -> "Goodbye to " + name() + " not sent: " + e.getMessage());
        }
        a.leaving(); // from here this thread waits for the exit
        ExitStatus status = ExitEscalation.run(a.child, name(), log,
                new ExitEscalation.Step(grace, Signals.SIGTERM),
                new ExitEscalation.Step(host.config.termTimeout().toMillis(), Signals.SIGKILL),
                new ExitEscalation.Step(KILL_WAIT_MILLIS, 0));
        release();
        exit = status;
        lifecycle.move(PluginState.STOPPED);
        String how = status == null ? "did not die after SIGKILL" : status.describe();
        log.log(status == null ? Level.ERROR : Level.INFO, () -> name() + " (pid " + pid() + ") stopped in "
                + String.format("%.2f ms", (System.nanoTime() - began) / 1e6) + ": " + how);
    }

    /** Handles an unexpected end: the process died, broke the protocol, or never shook hands. */
    private void fail(String reason, long exitWaitMillis) {
        synchronized (termination) {
            if (terminating) {
                return;
            }
            terminating = true;
        }
        AttachedProcess a = attached;
        ChildProcess c = a == null ? null : a.child;
        failure = reason;
        withdrawServices();
        // at the end of file the process is usually exiting by itself: give it a moment first
        ExitStatus status = c == null ? null : ExitEscalation.run(c, name(), log,
                new ExitEscalation.Step(exitWaitMillis, Signals.SIGKILL),
                new ExitEscalation.Step(KILL_WAIT_MILLIS, 0));
        exit = status;
        failure = describeFailure(reason, status);
        if (a != null) {
            a.channel.closeCalls(ErrorCode.UNAVAILABLE, failure);
        }
        release();
        lifecycle.move(PluginState.FAILED);
        log.log(Level.ERROR, () -> name() + (c == null ? "" : " (pid " + c.pid() + ")") + " failed: " + failure);
    }

    /** The reason, how the process ended, and the last lines of its stderr. */
    private String describeFailure(String reason, ExitStatus status) {
        StringBuilder s = new StringBuilder(reason);
        if (status != null && !reason.contains(status.describe())) {
            s.append(" (").append(status.describe()).append(')');
        }
        AttachedProcess a = attached;
        if (a != null) {
            a.stderr.drain();
            List<String> tail = a.stderr.tail();
            List<String> last = tail.subList(Math.max(0, tail.size() - STDERR_LINES_IN_ERRORS), tail.size());
            if (!last.isEmpty()) {
                s.append("; last stderr: ").append(String.join(" | ", last));
            }
        }
        return s.toString();
    }

    private void failStart(String reason) {
        synchronized (termination) {
            if (terminating) {
                return; // a stop came first: it ends the plugin STOPPED
            }
            terminating = true;
        }
        failure = reason;
        lifecycle.move(PluginState.FAILED);
        log.log(Level.ERROR, reason);
    }

    /** Waits for the spawn thread to be done with this process's launch (a spawn takes about a millisecond). */
    private void awaitLaunched() {
        try {
            launched.get(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.log(Level.ERROR, name() + ": its launch did not finish within " + KILL_WAIT_MILLIS + " ms");
        }
    }

    /** Runs on the reactor when the pidfd becomes readable: the process has ended. */
    private void exited() {
        AttachedProcess a = attached;
        a.unwatchExit();
        host.lifecycle.execute(() -> {
            Optional<ExitStatus> s = a.child.tryReap();
            fail(name() + " exited unexpectedly" + s.map(x -> ": " + x.describe()).orElse(""), 0);
        });
    }

    private void release() {
        ScheduledFuture<?> timer = handshakeTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        liveness.cancel();
        AttachedProcess a = attached;
        if (a != null) {
            a.release();
        }
    }

    private void awaitTerminal() {
        try {
            long max = host.config.stopGrace().toMillis() + host.config.termTimeout().toMillis() + 2 * KILL_WAIT_MILLIS;
            lifecycle.awaitTerminal(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the plugin sends, once {@link PluginFrames} has checked its order; on the reactor thread. */
    private final class FrameReceiver implements PluginFrames.Receiver {
        @Override
        public void hello(Hello hello) {
            host.lifecycle.execute(() -> completeHandshake(hello));
        }

        @Override
        public void log(Log entry) {
            if (logLimiter.admit(n -> log.log(Level.WARNING, "[" + name() + " " + pid() + "] " + n
                    + " lines not logged: the plugin logs too fast"))) {
                log.log(Levels.of(entry.getLevel()), () -> "[" + name() + " " + pid() + "] " + entry.getMessage());
            }
        }

        @Override
        public void goodbye(String reason) {
            log.log(Level.INFO, () -> name() + " is leaving: " + reason);
            attached.channel.closeCalls(ErrorCode.UNAVAILABLE, name() + " is leaving: " + reason);
        }

        @Override
        public void pong() {
            liveness.answered();
        }

        @Override
        public void failed(String reason, boolean endOfFile) {
            host.lifecycle.execute(() -> fail(reason, endOfFile ? EOF_EXIT_WAIT_MILLIS : 0));
        }
    }
}
