package dev.outpost.runtime.process;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginInfo;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Log;
import dev.outpost.runtime.channel.CallNotSentException;
import dev.outpost.runtime.content.PluginImage;
import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.wire.Levels;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One plugin process: everything about one run of a plugin's executable, from spawn to reap. Its
 * {@link ProcessState} machine is its only state: which of a stop and a failure ends the process
 * is decided by the one move out of STARTING or RUNNING.
 *
 * <p>Ownership: from {@link #start()} on, this object owns the child's pid (it alone reaps it),
 * its pidfd, the host's end of the socket and the read ends of the output pipes, all held by its
 * {@link ProcessIo}; all are released before the state is terminal. It does not own the
 * {@link PluginImage}. {@link #stop()} blocks its caller for the documented stop sequence;
 * everything else runs on the {@link PluginHost}'s threads.
 */
public final class PluginProcess {
    private static final long EOF_EXIT_WAIT_MILLIS = 200;
    private static final int STDERR_LINES_IN_ERRORS = 5;

    /** Puts the services of a plugin that finished its handshake into a registry. */
    public interface ServicePublisher {
        /** Publishes; returns what withdraws them again. */
        Runnable publish(PluginProcess process, Hello hello) throws Exception;
    }

    private final PluginHost host;
    private final long bundleId;
    private final PluginSpec spec;
    private final PluginImage image;
    private final ServicePublisher publisher;
    private final StateMachine<ProcessState> states = ProcessState.machine();
    /** Completes when the process has been reaped and released. */
    private final CompletableFuture<ProcessState> terminated = new CompletableFuture<>();
    /** Completes when the spawn thread is done with {@link #launch()}, whatever came of it. */
    private final CompletableFuture<Void> launched = new CompletableFuture<>();
    private final System.Logger log;
    private final StopSequence stopSequence;
    /** One budget for everything the plugin logs: stdout, stderr and Log frames. */
    private final LogLimiter logLimiter = new LogLimiter();
    private final ServiceSlot services = new ServiceSlot();
    private final LivenessCheck liveness = new LivenessCheck();

    /** Null until the spawn thread has spawned the process. */
    private volatile ProcessIo io;
    private volatile ScheduledFuture<?> handshakeTimer;
    private volatile Hello hello;
    private volatile String failure;
    private volatile ExitStatus exit;
    private volatile long spawnedNanos;
    private volatile long spawnedWallMillis;

    public PluginProcess(PluginHost host, long bundleId, PluginSpec spec, PluginImage image,
                         ServicePublisher publisher) {
        this.host = host;
        this.bundleId = bundleId;
        this.spec = spec;
        this.image = image;
        this.publisher = publisher;
        this.log = System.getLogger("outpost.plugin." + spec.name());
        this.stopSequence = new StopSequence(spec.name(), host.config.stopGrace().toMillis(),
                host.config.termTimeout().toMillis(), log);
        states.addListener((from, to) -> {
            if (to.isTerminal()) {
                terminated.complete(to);
            }
        });
    }

    /** Completes (on the thread that ended it) once the process has been reaped and released. */
    public CompletableFuture<ProcessState> terminated() {
        return terminated;
    }

    public String name() {
        return spec.name();
    }

    public ProcessState state() {
        return states.state();
    }

    /** Told of every move of this process's state (on the thread that made it, in order). */
    public void addListener(StateMachine.Listener<ProcessState> listener) {
        states.addListener(listener);
    }

    /** Calls sent and not answered yet. */
    public int callsInFlight() {
        ProcessIo i = io;
        return i == null ? 0 : i.channel.callsInFlight();
    }

    /** The pid, or 0 before the spawn. */
    public int pid() {
        ProcessIo i = io;
        return i == null ? 0 : i.child.pid();
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** The last lines the plugin wrote to stderr. */
    List<String> stderrTail() {
        ProcessIo i = io;
        return i == null ? List.of() : i.stderr.tail();
    }

    /** A snapshot, with the counters and restart count kept by the owner across processes. */
    public PluginInfo info(int restarts, long calls, long errors) {
        Hello h = hello;
        long began = spawnedWallMillis;
        return new PluginInfo(name(), h == null ? "" : h.getPluginVersion(), bundleId, state().asPluginState(), pid(),
                began == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(began)),
                restarts, calls, errors, Optional.ofNullable(exit).map(ExitStatus::describe), failure(), stderrTail());
    }

    /**
     * Starts the process: it is spawned on the spawn thread (the caller does not wait for that),
     * then the handshake starts. A failure to spawn leaves the process FAILED with the reason, and
     * nothing running.
     *
     * @throws IllegalStateException when called twice
     */
    public void start() {
        states.move(ProcessState.STARTING);
        spawnedNanos = System.nanoTime();
        spawnedWallMillis = System.currentTimeMillis();
        host.onSpawnThread(this::launch);
    }

    /** On the spawn thread: spawns and attaches the process, unless a stop came first. */
    private void launch() {
        try {
            if (state() != ProcessState.STARTING) {
                return; // stop() handles a process that was never spawned
            }
            ProcessLaunch launch;
            try {
                launch = ProcessLaunch.spawn(host, spec, image.get());
            } catch (IOException e) {
                host.supervisor.execute(() -> failStart("cannot start " + name() + ": " + e.getMessage()));
                return;
            }
            attach(launch);
        } finally {
            launched.complete(null);
        }
    }

    private void attach(ProcessLaunch launch) {
        ProcessIo i = new ProcessIo(launch, name(), host, logLimiter, new PluginFrames(name(), new Messages()));
        io = i;
        try {
            i.watch(this::exited);
        } catch (IOException e) {
            host.supervisor.execute(() -> fail("cannot watch " + name() + ": " + e.getMessage(), 0));
            return;
        }
        long timeout = host.config.handshakeTimeout().toMillis();
        handshakeTimer = host.timer.schedule(() -> host.supervisor.execute(() -> {
            if (hello == null) {
                fail(name() + " did not complete its handshake within " + timeout + " ms", 0);
            }
        }), timeout, TimeUnit.MILLISECONDS);
    }

    /**
     * Calls a method of the plugin; fails at once with UNAVAILABLE (a {@link CallNotSentException})
     * when it is not running. {@code callerWaits}: see {@link dev.outpost.runtime.channel.PluginChannel#call}.
     */
    public CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
                                          boolean callerWaits) {
        ProcessIo i = io;
        ProcessState s = state();
        // services are registered just before RUNNING is entered; a caller may be that quick
        if (i == null || hello == null || s != ProcessState.RUNNING && s != ProcessState.STARTING) {
            return CompletableFuture.failedFuture(new CallNotSentException(name() + " (pid " + pid() + ") is "
                    + s.asPluginState().name().toLowerCase(Locale.ROOT) + failure().map(f -> ": " + f).orElse("")));
        }
        return i.channel.call(service, method, payload, timeout, callerWaits);
    }

    /** Runs on the supervisor thread once the Hello arrived. */
    private void completeHandshake(Hello received) {
        ScheduledFuture<?> timer = handshakeTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        if (state() != ProcessState.STARTING) {
            return;
        }
        ProcessHandshake.Result result = ProcessHandshake.answer(name(), io.channel, received, spec.config(), host.config);
        if (result.failure() != null) {
            fail(result.failure(), result.refusalSent() ? host.config.stopGrace().toMillis() : 0);
            return;
        }
        hello = received;
        try {
            services.publish(() -> publisher.publish(this, received));
        } catch (Exception e) {
            fail("cannot register the services of " + name() + ": " + e, 0);
            return;
        }
        if (states.moveFrom(EnumSet.of(ProcessState.STARTING), ProcessState.RUNNING) != null) {
            long servingNanos = System.nanoTime();
            liveness.start(host.timer, host.config.livenessInterval().toMillis(), host.config.livenessMisses(), io,
                    name(), reason -> host.supervisor.execute(() -> fail(reason, 0)));
            log.log(Level.INFO, () -> name() + " " + received.getPluginVersion() + " (pid " + pid() + ") serving in "
                    + String.format(Locale.ROOT, "%.2f ms", (servingNanos - spawnedNanos) / 1e6));
        }
    }

    /**
     * Asks the process to leave and returns when it has been reaped: withdraw the services, fail
     * the calls in flight with UNAVAILABLE, send Goodbye, wait the grace period, SIGTERM, wait,
     * SIGKILL, reap, close (see {@link StopSequence}). Idempotent; safe to race with the process
     * dying by itself (then it waits for that to be handled).
     */
    public void stop() {
        if (states.moveFrom(EnumSet.of(ProcessState.NEW), ProcessState.STOPPED) != null) {
            return;
        }
        if (states.moveFrom(EnumSet.of(ProcessState.STARTING, ProcessState.RUNNING), ProcessState.STOPPING) == null) {
            awaitTerminal(); // a failure is ending it, or it has ended
            return;
        }
        awaitLaunched();
        ProcessIo i = io;
        if (i == null) { // the stop came before the spawn, or the spawn failed
            states.move(ProcessState.STOPPED);
            return;
        }
        long began = System.nanoTime();
        services.withdraw(log, name());
        ExitStatus status = stopSequence.stop(i);
        release();
        exit = status;
        states.move(ProcessState.STOPPED);
        String how = status == null ? "did not die after SIGKILL" : status.describe();
        log.log(status == null ? Level.ERROR : Level.INFO, () -> name() + " (pid " + pid() + ") stopped in "
                + String.format(Locale.ROOT, "%.2f ms", (System.nanoTime() - began) / 1e6) + ": " + how);
    }

    /** Handles an unexpected end: the process died, broke the protocol, or never shook hands. */
    private void fail(String reason, long exitWaitMillis) {
        if (states.moveFrom(EnumSet.of(ProcessState.STARTING, ProcessState.RUNNING), ProcessState.ENDING) == null) {
            return; // a stop or another failure is ending it
        }
        ProcessIo i = io;
        failure = reason;
        services.withdraw(log, name());
        // at the end of file the process is usually exiting by itself: give it a moment first
        ExitStatus status = i == null ? null : stopSequence.kill(ExitEscalation.of(i.child), exitWaitMillis);
        exit = status;
        failure = describeFailure(reason, status);
        if (i != null) {
            i.channel.closeCalls(ErrorCode.UNAVAILABLE, failure);
        }
        release();
        states.move(ProcessState.FAILED);
        log.log(Level.ERROR, () -> name() + (i == null ? "" : " (pid " + i.child.pid() + ")") + " failed: " + failure);
    }

    /** The reason, how the process ended, and the last lines of its stderr. */
    private String describeFailure(String reason, ExitStatus status) {
        StringBuilder s = new StringBuilder(reason);
        if (status != null && !reason.contains(status.describe())) {
            s.append(" (").append(status.describe()).append(')');
        }
        ProcessIo i = io;
        List<String> last = i == null ? List.of() : i.lastStderr(STDERR_LINES_IN_ERRORS);
        if (!last.isEmpty()) {
            s.append("; last stderr: ").append(String.join(" | ", last));
        }
        return s.toString();
    }

    /** The spawn failed: nothing runs. A stop that came first ends the process STOPPED instead. */
    private void failStart(String reason) {
        failure = reason; // before the move: its listeners read it
        if (states.moveFrom(EnumSet.of(ProcessState.STARTING), ProcessState.FAILED) != null) {
            log.log(Level.ERROR, reason);
        } else {
            failure = null;
        }
    }

    /** Waits for the spawn thread to be done with this process's launch (a spawn takes about a millisecond). */
    private void awaitLaunched() {
        try {
            launched.get(StopSequence.KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.log(Level.ERROR, name() + ": its launch did not finish within " + StopSequence.KILL_WAIT_MILLIS + " ms");
        }
    }

    /** Runs on the reactor when the pidfd becomes readable: the process has ended. */
    private void exited() {
        ProcessIo i = io;
        i.unwatchExit();
        host.supervisor.execute(() -> {
            Optional<ExitStatus> s = i.child.tryReap();
            fail(name() + " exited unexpectedly" + s.map(x -> ": " + x.describe()).orElse(""), 0);
        });
    }

    private void release() {
        ScheduledFuture<?> timer = handshakeTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        liveness.cancel();
        ProcessIo i = io;
        if (i != null) {
            i.release();
        }
    }

    private void awaitTerminal() {
        try {
            states.awaitTerminal(stopSequence.stopBoundMillis() + StopSequence.KILL_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the plugin sends, once {@link PluginFrames} has checked its order; on the reactor thread. */
    private final class Messages implements PluginFrames.Receiver {
        @Override
        public void hello(Hello hello) {
            host.supervisor.execute(() -> completeHandshake(hello));
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
            io.channel.closeCalls(ErrorCode.UNAVAILABLE, name() + " is leaving: " + reason);
        }

        @Override
        public void pong() {
            liveness.answered();
        }

        @Override
        public void failed(String reason, boolean endOfFile) {
            host.supervisor.execute(() -> fail(reason, endOfFile ? EOF_EXIT_WAIT_MILLIS : 0));
        }
    }
}
