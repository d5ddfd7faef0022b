package dev.outpost.runtime;

import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Waits for a child to exit, step by step, sending a signal after each wait that ends with the
 * child still running: the stop sequence (grace, SIGTERM, wait, SIGKILL, wait) and the failure
 * sequence (SIGKILL, wait) are two lists of steps. Reaps the child when it exits. Owns nothing.
 */
final class ExitEscalation {
    /** Wait up to {@code millis}; if the child still runs, send {@code signal} (0: none). */
    record Step(long millis, int signal) {
    }

    private ExitEscalation() {
    }

    /** The exit status, or {@code null} if the child outlived every step. */
    static ExitStatus run(ChildProcess child, String name, System.Logger log, Step... steps) {
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
