package dev.outpost.runtime.process;

import dev.outpost.api.ErrorCode;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The end of a process that the host did not ask for (it died, broke the protocol, never shook
 * hands, stopped answering), once its {@link PluginProcess} has moved to ENDING: SIGKILL now or
 * after a wait the timer counts, and, once the pidfd says it has exited (or the kill wait is
 * over), the reap, the report of how it ended and the release. Never blocks a thread. Owns the
 * two timers; the process's owner owns the rest.
 */
final class ProcessEnding {
    /** How long a process whose socket reached its end of file has to exit by itself. */
    static final long EOF_EXIT_WAIT_MILLIS = 200;
    private static final int STDERR_LINES_IN_ERRORS = 5;

    /** Why the process ends; {@code ownExit}: it may have left by itself, cleanly. */
    record Ending(String reason, boolean ownExit, ErrorCode callsFailWith) {
    }

    /** What the ending tells the process it ends. */
    interface Outcome {
        /** Called once, on the supervisor thread, before the release: how it ended. */
        void reaped(ExitStatus status, String how);

        /** Releases everything of the process, then moves it to EXITED or FAILED. */
        void ended(boolean clean);
    }

    private final String name;
    private final PluginHost host;
    private final System.Logger log;
    private final Supplier<ProcessIo> io;
    private final Outcome outcome;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Ending ending;
    private volatile boolean exitSeen;
    private volatile ScheduledFuture<?> killTimer;
    private volatile ScheduledFuture<?> giveUpTimer;

    ProcessEnding(String name, PluginHost host, System.Logger log, Supplier<ProcessIo> io, Outcome outcome) {
        this.name = name;
        this.host = host;
        this.log = log;
        this.io = io;
        this.outcome = outcome;
    }

    /** The pidfd said the process has exited (on the reactor). */
    void exitSeen() {
        exitSeen = true;
    }

    /** The process has moved to ENDING for {@code e}: SIGKILL after {@code exitWaitMillis}, then {@link #finish}. */
    void begin(Ending e, long exitWaitMillis) {
        ending = e;
        ProcessIo i = io.get();
        if (i == null) {
            finish();
            return;
        }
        i.channel.stopReading(); // what it sends now does not matter; its pidfd stays watched
        if (e.callsFailWith() == ErrorCode.PROTOCOL_ERROR) {
            i.channel.closeCalls(ErrorCode.PROTOCOL_ERROR, e.reason());
        }
        if (exitWaitMillis <= 0) {
            i.child.signal(Signals.SIGKILL);
        } else {
            killTimer = host.timer.schedule(() -> i.child.signal(Signals.SIGKILL), exitWaitMillis,
                    TimeUnit.MILLISECONDS);
        }
        giveUpTimer = host.timer.schedule(() -> host.supervisor.execute(this::finish),
                StopSequence.killBoundMillis(exitWaitMillis), TimeUnit.MILLISECONDS);
        if (exitSeen) {
            finish();
        }
    }

    /**
     * On the supervisor thread, once: the process has exited (or outlived the kill wait). Reaps
     * it, says how it ended, fails the calls still in flight, releases everything. A process that
     * left by itself cleanly (exit 0, or SIGTERM, SIGINT or SIGHUP from somebody else) ends
     * EXITED, not FAILED; one its sandbox killed (its memory limit) is said to be so.
     */
    void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        cancel(killTimer);
        cancel(giveUpTimer);
        Ending e = ending;
        ProcessIo i = io.get();
        ExitStatus status = null;
        boolean clean = false;
        String how = e.reason();
        try {
            status = i == null ? null : i.child.tryReap().orElse(null);
            clean = e.ownExit() && status != null && Exits.isClean(status);
            Optional<String> bySandbox = i == null ? Optional.empty() : i.sandbox.endedBy(status);
            how = clean ? name + " left by itself: " + status.describe()
                    : describe(bySandbox.map(why -> name + " ran " + why).orElse(e.reason()), status, i);
            outcome.reaped(status, how);
            if (i != null) {
                i.channel.readRemaining(); // answers written before the exit, which the reactor may not have read
                i.channel.closeCalls(e.callsFailWith(), how);
            }
        } catch (RuntimeException bug) { // the process must still reach its end state, or nobody ever learns it ended
            how = e.reason() + " (and its end went wrong: " + bug + ")";
            outcome.reaped(status, how);
            log.log(Level.ERROR, name + ": ending it failed", bug);
        } finally {
            outcome.ended(clean);
        }
        String said = how;
        ExitStatus reaped = status;
        if (clean) {
            log.log(Level.INFO, () -> said + " (pid " + (i == null ? 0 : i.child.pid()) + ")");
        } else {
            log.log(Level.ERROR, () -> name + (i == null ? "" : " (pid " + i.child.pid() + ")") + " failed: " + said
                    + (reaped == null && i != null ? "; it did not die after SIGKILL and is left unreaped" : ""));
        }
    }

    /** The reason, how the process ended, and the last lines of its stderr. */
    private static String describe(String reason, ExitStatus status, ProcessIo i) {
        StringBuilder s = new StringBuilder(reason);
        if (status != null && !reason.contains(status.describe())) {
            s.append(" (").append(status.describe()).append(')');
        }
        List<String> last = i == null ? List.of() : i.lastStderr(STDERR_LINES_IN_ERRORS);
        if (!last.isEmpty()) {
            s.append("; last stderr: ").append(String.join(" | ", last));
        }
        return s.toString();
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
