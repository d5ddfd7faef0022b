package dev.outpost.runtime.process;

import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Goodbye;
import dev.outpost.runtime.channel.PluginChannel;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;

/**
 * How a plugin process is made to end, in the order of the kernel's user-mode drivers: ask it to
 * leave, kill it if it will not, and wait until it has really exited.
 * <ul>
 *   <li>the stop ({@link #stop}): Goodbye, wait the grace period, SIGTERM, wait, SIGKILL, wait;
 *   <li>the end after a failure ({@link #kill}): a short wait (a process whose socket reached its
 *       end of file is usually exiting by itself), SIGKILL, wait.
 * </ul>
 * Either returns once the child is reaped, or after the last wait with the child outliving even
 * SIGKILL (a process stuck in the kernel). Blocks the calling thread for at most
 * {@link #stopBoundMillis} or {@link #killBoundMillis}; owns nothing.
 */
final class StopSequence {
    /** How long a child may take to die after SIGKILL before it is given up on. */
    static final long KILL_WAIT_MILLIS = 10_000;

    private final String name;
    private final long graceMillis;
    private final long termMillis;
    private final System.Logger log;

    StopSequence(String name, long graceMillis, long termMillis, System.Logger log) {
        this.name = name;
        this.graceMillis = graceMillis;
        this.termMillis = termMillis;
        this.log = log;
    }

    /** The steps of a stop, after the Goodbye. */
    ExitEscalation.Step[] stopSteps() {
        return new ExitEscalation.Step[] {
            new ExitEscalation.Step(graceMillis, Signals.SIGTERM),
            new ExitEscalation.Step(termMillis, Signals.SIGKILL),
            new ExitEscalation.Step(KILL_WAIT_MILLIS, 0)};
    }

    /** The steps of the end after a failure. */
    static ExitEscalation.Step[] killSteps(long exitWaitMillis) {
        return new ExitEscalation.Step[] {
            new ExitEscalation.Step(exitWaitMillis, Signals.SIGKILL),
            new ExitEscalation.Step(KILL_WAIT_MILLIS, 0)};
    }

    long stopBoundMillis() {
        return graceMillis + termMillis + KILL_WAIT_MILLIS;
    }

    static long killBoundMillis(long exitWaitMillis) {
        return exitWaitMillis + KILL_WAIT_MILLIS;
    }

    /**
     * Stops a running process: fails its calls in flight with UNAVAILABLE, says Goodbye (if the
     * socket is still whole), stops reading it, and escalates until it has exited.
     *
     * @return how it ended, or {@code null} if it outlived SIGKILL
     */
    ExitStatus stop(ProcessIo io) {
        PluginChannel c = io.channel;
        c.closeCalls(ErrorCode.UNAVAILABLE, name + " is stopping");
        if (c.isOpen()) { // not waited for: a plugin that does not read gets the grace, then SIGTERM
            c.sendLater(Frame.newBuilder().setGoodbye(Goodbye.newBuilder().setReason("stopping")).build());
        }
        io.leaving(); // from here this thread waits for the exit
        return ExitEscalation.run(ExitEscalation.of(io.child, io.sandbox.namespaceInit(), log), name, log,
                stopSteps());
    }

    /** Ends a process that failed: SIGKILL after {@code exitWaitMillis}, then waits for the exit. */
    ExitStatus kill(ExitEscalation.Child child, long exitWaitMillis) {
        return ExitEscalation.run(child, name, log, killSteps(exitWaitMillis));
    }
}
