package dev.outpost.runtime.process;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginSandbox;
import dev.outpost.api.PluginState;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.runtime.channel.Breakage;
import dev.outpost.runtime.channel.CallNotSentException;
import dev.outpost.runtime.channel.HostSide;
import dev.outpost.runtime.content.PluginImage;
import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.sandbox.SandboxException;
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
 * <p>A stop ({@link #stop()}) runs on its caller's thread, which it blocks for the documented stop
 * sequence. Everything else runs on the {@link PluginHost}'s threads and never waits for the
 * plugin: a failure sends SIGKILL (after a grace the timer counts, where one is due) and the end
 * is completed when the pidfd says the process has exited (or after the kill wait, if it never
 * does), so that one plugin's end cannot hold up another's handshake.
 *
 * <p>Ownership: from {@link #start()} on, this object owns the child's pid (it alone reaps it),
 * its pidfd, the host's end of the socket and the read ends of the output pipes, all held by its
 * {@link ProcessIo}; all are released before the state is terminal. It does not own the
 * {@link PluginImage}.
 */
public final class PluginProcess {
    /** How long a stop waits for a launch in progress (the spawner answers within 10 s). */
    private static final long LAUNCH_WAIT_MILLIS = 12_000;

    private final PluginHost host;
    private final long bundleId;
    private final PluginSpec spec;
    private final PluginImage image;
    private final HostSide hostSide;
    private final StateMachine<ProcessState> states = ProcessState.machine();
    /** Completes when the process has been reaped and released. */
    private final CompletableFuture<ProcessState> terminated = new CompletableFuture<>();
    /** Completes when the spawn thread is done with {@link #launch()}, whatever came of it. */
    private final CompletableFuture<Void> launched = new CompletableFuture<>();
    private final System.Logger log;
    private final StopSequence stopSequence;
    /** One budget for everything the plugin logs: stdout, stderr and Log frames. */
    private final LogLimiter logLimiter = new LogLimiter();
    private final LivenessCheck liveness = new LivenessCheck();
    private final ProcessEnding ending;
    /** Taken by a launch publishing its process, and by a stop deciding whether there is one. */
    private final Object launchLock = new Object();

    /** Null until the spawn thread has spawned the process. */
    private volatile ProcessIo io;
    private volatile ScheduledFuture<?> handshakeTimer;
    private volatile Hello hello;
    private volatile String failure;
    private volatile ExitStatus exit;
    private volatile long spawnedNanos;
    private volatile long spawnedWallMillis;

    /** @param hostSide what the plugin may call on the host */
    public PluginProcess(PluginHost host, long bundleId, PluginSpec spec, PluginImage image, HostSide hostSide) {
        this.host = host;
        this.hostSide = hostSide;
        this.bundleId = bundleId;
        this.spec = spec;
        this.image = image;
        this.log = System.getLogger("outpost.plugin." + spec.name());
        this.stopSequence = new StopSequence(spec.name(), host.config.stopGrace().toMillis(),
                host.config.termTimeout().toMillis(), log);
        states.addListener((from, to) -> {
            if (to.isTerminal()) {
                terminated.complete(to);
            }
        });
        this.ending = new ProcessEnding(spec.name(), host, log, () -> io, new ProcessEnding.Outcome() {
            @Override
            public void reaped(ExitStatus status, String how) {
                exit = status;
                failure = how;
            }

            @Override
            public void ended(boolean clean) {
                try {
                    release();
                } finally {
                    states.move(clean ? ProcessState.EXITED : ProcessState.FAILED);
                }
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

    /** Told of every move of this process's state, in order, never under a lock. */
    public void addListener(StateMachine.Listener<ProcessState> listener) {
        states.addListener(listener);
    }

    /** The Hello the plugin's handshake was accepted with; empty before RUNNING. */
    public Optional<Hello> hello() {
        return Optional.ofNullable(hello);
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

    /** Why it failed, or (for a process that left by itself, EXITED) how it left. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * A snapshot, with what the owner keeps across processes: the plugin's state and failure, the
     * restart count and the call counters.
     */
    public PluginInfo info(PluginState state, Optional<String> failure, int restarts, long calls, long errors) {
        Hello h = hello;
        long began = spawnedWallMillis;
        ProcessIo i = io;
        return new PluginInfo(name(), h == null ? "" : h.getPluginVersion(), bundleId, state, pid(),
                began == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(began)), restarts, calls, errors,
                Optional.ofNullable(exit).map(ExitStatus::describe), failure, i == null ? List.of() : i.stderr.tail(),
                i == null ? PluginSandbox.NONE : i.sandbox.snapshot(i.child.pid()), Optional.ofNullable(
                image.verification()));
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
            } catch (IOException | SandboxException | RuntimeException | Error e) {
                String why = e instanceof IOException || e instanceof SandboxException ? e.getMessage() : e.toString();
                host.supervisor.execute(() -> failStart("cannot start " + name() + ": " + why));
                if (e instanceof Error error) {
                    throw error;
                }
                return;
            }
            attach(launch);
        } finally {
            launched.complete(null);
        }
    }

    private void attach(ProcessLaunch launch) {
        ProcessIo i = new ProcessIo(launch, name(), host, logLimiter,
                new PluginFrames(name(), new ProcessMessages(this, log, logLimiter)));
        synchronized (launchLock) {
            if (state() == ProcessState.STARTING) {
                io = i;
            }
        }
        if (io != i) { // a stop came during the spawn and found nothing: this thread ends what it made
            ExitEscalation.run(ExitEscalation.of(i.child), name(), log, StopSequence.killSteps(0));
            i.release();
            return;
        }
        try {
            i.watch(this::exited);
        } catch (IOException e) {
            host.supervisor.execute(() -> failNow("cannot watch " + name() + ": " + e.getMessage()));
            return;
        }
        long timeout = host.config.handshakeTimeout().toMillis();
        handshakeTimer = host.timer.schedule(() -> host.supervisor.execute(() -> {
            if (hello == null) {
                failNow(name() + " did not complete its handshake within " + timeout + " ms");
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
        if (i == null || s != ProcessState.RUNNING) {
            return CompletableFuture.failedFuture(new CallNotSentException(name() + " (pid " + pid() + ") is "
                    + s.asPluginState().name().toLowerCase(Locale.ROOT) + failure().map(f -> ": " + f).orElse("")));
        }
        return i.channel.call(service, method, payload, timeout, callerWaits);
    }

    /** Runs on the supervisor thread once the Hello arrived; never waits for the plugin. */
    private void completeHandshake(Hello received) {
        ScheduledFuture<?> timer = handshakeTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        if (state() != ProcessState.STARTING) {
            return;
        }
        String refusal = ProcessHandshake.answer(io.channel, received, spec, pid(), host.config, hostSide, log);
        if (refusal != null) { // the plugin was told, and may leave by itself within the grace
            fail(new ProcessEnding.Ending("handshake refused: " + refusal, false, ErrorCode.UNAVAILABLE),
                    host.config.stopGrace().toMillis());
            return;
        }
        hello = received;
        if (states.moveFrom(EnumSet.of(ProcessState.STARTING), ProcessState.RUNNING) != null) {
            long servingNanos = System.nanoTime();
            liveness.start(host.timer, host.config.livenessInterval().toMillis(), host.config.livenessMisses(), io,
                    name(), reason -> host.supervisor.execute(() -> failNow(reason)));
            log.log(Level.INFO, () -> name() + " " + received.getPluginVersion() + " (pid " + pid() + ") serving in "
                    + String.format(Locale.ROOT, "%.2f ms", (servingNanos - spawnedNanos) / 1e6));
        }
    }

    /**
     * Asks the process to leave and returns when it has been reaped: fail the calls in flight with
     * UNAVAILABLE, send Goodbye, wait the grace period, SIGTERM, wait, SIGKILL, reap, close (see
     * {@link StopSequence}). Returns within {@link #stopBoundMillis()} whatever the plugin does.
     * Idempotent; safe to race with the process dying by itself (then it waits for that end).
     */
    public void stop() {
        if (states.moveFrom(EnumSet.of(ProcessState.NEW), ProcessState.STOPPED) != null) {
            return;
        }
        ProcessIo i;
        boolean stopping;
        synchronized (launchLock) {
            stopping = states.moveFrom(EnumSet.of(ProcessState.STARTING, ProcessState.RUNNING),
                    ProcessState.STOPPING) != null;
            i = io;
        }
        if (!stopping) {
            awaitTerminal(); // a failure is ending it, or it has ended
            return;
        }
        if (i == null) { // not spawned, or being spawned: the launch ends what it makes
            awaitLaunched();
            states.move(ProcessState.STOPPED);
            return;
        }
        long began = System.nanoTime();
        ExitStatus status = stopSequence.stop(i);
        release();
        exit = status;
        states.move(ProcessState.STOPPED);
        String how = status == null ? "did not die after SIGKILL" : status.describe();
        log.log(status == null ? Level.ERROR : Level.INFO, () -> name() + " (pid " + pid() + ") stopped in "
                + String.format(Locale.ROOT, "%.2f ms", (System.nanoTime() - began) / 1e6) + ": " + how);
    }

    /** The longest {@link #stop()} takes, whatever the plugin does. */
    public long stopBoundMillis() {
        return LAUNCH_WAIT_MILLIS + stopSequence.stopBoundMillis();
    }

    /**
     * An end the host did not ask for: the process died, broke the protocol, never shook hands or
     * stopped answering. Moves to ENDING; {@link ProcessEnding} sends SIGKILL, now or after
     * {@code exitWaitMillis}, and completes the end once the process has exited. Never blocks.
     */
    private void fail(ProcessEnding.Ending e, long exitWaitMillis) {
        if (states.moveFrom(EnumSet.of(ProcessState.STARTING, ProcessState.RUNNING), ProcessState.ENDING) == null) {
            return; // a stop or another failure is ending it
        }
        failure = e.reason();
        ending.begin(e, exitWaitMillis);
    }

    /** A failure the process did not choose (no exit of its own): SIGKILL at once; on the supervisor thread. */
    private void failNow(String reason) {
        fail(new ProcessEnding.Ending(reason, false, ErrorCode.UNAVAILABLE), 0);
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

    /** Waits, within a bound, for the spawn thread to be done with this process's launch. */
    private void awaitLaunched() {
        try {
            launched.get(LAUNCH_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.log(Level.ERROR, name() + ": its launch did not finish within " + LAUNCH_WAIT_MILLIS
                    + " ms; the spawn thread ends what it spawns");
        }
    }

    /** Runs on the reactor when the pidfd becomes readable: the process has ended. */
    private void exited() {
        ProcessIo i = io;
        i.unwatchExit();
        ending.exitSeen();
        host.supervisor.execute(() -> {
            ProcessState s = state();
            if (s == ProcessState.STARTING || s == ProcessState.RUNNING) {
                fail(new ProcessEnding.Ending(name() + " exited unexpectedly", true, ErrorCode.UNAVAILABLE), 0);
            } else if (s == ProcessState.ENDING) {
                ending.finish();
            } // STOPPING: the stopping thread waits for the exit itself
        });
    }

    private void release() {
        ProcessEnding.cancel(handshakeTimer);
        liveness.cancel();
        logLimiter.flush(n -> log.log(Level.WARNING, "[" + name() + " " + pid() + "] " + n
                + " lines not logged: the plugin wrote too fast"));
        ProcessIo i = io;
        if (i != null) {
            i.release();
        }
    }

    private void awaitTerminal() {
        try {
            states.awaitTerminal(stopBoundMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // What the plugin sends, once PluginFrames has checked its order (ProcessMessages); on the reactor thread:
    void helloArrived(Hello received) {
        host.supervisor.execute(() -> completeHandshake(received));
    }

    void leaving(String why) {
        io.channel.closeCalls(ErrorCode.UNAVAILABLE, name() + " is leaving: " + why);
    }

    void ponged() {
        liveness.answered();
    }

    void broke(Breakage kind, String reason) {
        boolean ownExit = kind == Breakage.END_OF_FILE;
        host.supervisor.execute(() -> fail(new ProcessEnding.Ending(reason, ownExit, kind.callsFailWith),
                ownExit ? ProcessEnding.EOF_EXIT_WAIT_MILLIS : 0));
    }
}
