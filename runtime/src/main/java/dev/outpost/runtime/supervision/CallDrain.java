package dev.outpost.runtime.supervision;

import dev.outpost.runtime.process.PluginProcess;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls a hot reload lets finish on the old process before it stops it: those between their
 * entry and their send (counted here), and those sent and not yet answered (counted by the
 * process). Thread-safe.
 */
final class CallDrain {
    private static final System.Logger LOG = System.getLogger(CallDrain.class.getName());

    private final AtomicInteger entering = new AtomicInteger();

    /** A call enters; {@link #left()} must follow. */
    void entered() {
        entering.incrementAndGet();
    }

    void left() {
        entering.decrementAndGet();
    }

    /** Waits, at most {@code deadline}, until no call is on its way to {@code p} or in flight on it. */
    void await(PluginProcess p, String name, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while ((entering.get() > 0 || p.callsInFlight() > 0) && System.nanoTime() < end) {
            try {
                p.terminated().get(1, TimeUnit.MILLISECONDS);
                return; // it ended by itself
            } catch (TimeoutException stillServing) {
                // check again
            } catch (ExecutionException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (p.callsInFlight() > 0) {
            LOG.log(Level.WARNING, () -> name + ": " + p.callsInFlight() + " call(s) still in flight after the drain"
                    + " deadline of a reload; they fail");
        }
    }
}
