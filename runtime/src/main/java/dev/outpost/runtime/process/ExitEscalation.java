package dev.outpost.runtime.process;

import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Waits for a child to exit, step by step, sending a signal after each wait that ends with the
 * child still running: the stop sequence (grace, SIGTERM, wait, SIGKILL, wait) and the failure
 * sequence (SIGKILL, wait) are two lists of steps ({@link StopSequence}). Reaps the child when it
 * exits. Owns nothing; runs on the calling thread, which it blocks for at most the sum of the
 * steps' waits.
 */
final class ExitEscalation {
    /** Wait up to {@code millis}; if the child still runs, send {@code signal} (0: none). */
    record Step(long millis, int signal) {
    }

    /** What the escalation needs of a child; a {@link ChildProcess} through {@link #of}. */
    interface Child {
        int pid();

        /** Waits at most {@code millis} for the exit, and reaps; empty while it still runs. */
        Optional<ExitStatus> awaitExit(long millis) throws IOException;

        void signal(int signal);
    }

    private ExitEscalation() {
    }

    static Child of(ChildProcess c) {
        return of(c, false, null);
    }

    /**
     * @param namespaceInit the child is the init of a pid namespace of its own: the kernel drops
     *     every signal it has no handler for (SIGKILL excepted), so a signal it leaves to its
     *     default action (neither caught nor ignored) is sent as SIGKILL, which that action would
     *     have been
     */
    static Child of(ChildProcess c, boolean namespaceInit, System.Logger log) {
        return new Child() {
            @Override
            public int pid() {
                return c.pid();
            }

            @Override
            public Optional<ExitStatus> awaitExit(long millis) throws IOException {
                return c.awaitExit(millis);
            }

            @Override
            public void signal(int signal) {
                if (namespaceInit && signal != Signals.SIGKILL && ProcStatus.takesDefault(c.pid(), signal)) {
                    log.log(Level.INFO, () -> c + " does not handle " + Signals.name(signal) + ", which the init of a"
                            + " pid namespace would ignore: sending SIGKILL");
                    c.signal(Signals.SIGKILL);
                    return;
                }
                c.signal(signal);
            }
        };
    }

    /** The exit status, or {@code null} if the child outlived every step. */
    static ExitStatus run(Child child, String name, System.Logger log, Step... steps) {
        for (Step step : steps) {
            try {
                Optional<ExitStatus> s = child.awaitExit(step.millis());
                if (s.isPresent()) {
                    return s.get();
                }
            } catch (IOException e) {
                log.log(Level.WARNING, "waiting for " + name + " failed: " + e.getMessage());
            }
            if (step.signal() != 0) {
                log.log(Level.INFO, () -> name + " (pid " + child.pid() + ") still running after " + step.millis()
                        + " ms; sending " + Signals.name(step.signal()));
                child.signal(step.signal());
            }
        }
        return null;
    }
}
