package dev.outpost.runtime.process;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Ping;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Pings a running plugin every interval; when {@code misses} pings in a row go unanswered, reports
 * it unresponsive, once, and pings no more. Runs on the runtime's timer thread; owns its scheduled
 * task until {@link #cancel()}.
 */
final class LivenessCheck {
    /** Where the pings go: a frame sent without blocking, and whether the connection is still whole. */
    interface Pings {
        void send(Frame ping);

        boolean isOpen();
    }

    private final AtomicInteger unanswered = new AtomicInteger();
    private volatile ScheduledFuture<?> task;

    /**
     * Starts pinging every {@code intervalMillis} (zero or less: never); {@code unresponsive} hears
     * why, on the timer thread.
     */
    void start(ScheduledExecutorService timer, long intervalMillis, int misses, Pings pings, String name,
               Consumer<String> unresponsive) {
        if (intervalMillis <= 0) {
            return;
        }
        task = timer.scheduleAtFixedRate(() -> {
            if (!pings.isOpen()) {
                return;
            }
            int n = unanswered.getAndIncrement();
            if (n == misses) {
                unresponsive.accept(name + " is unresponsive: " + misses + " pings in a row went unanswered ("
                        + intervalMillis + " ms apart)");
                cancel();
            } else if (n < misses) {
                pings.send(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(n + 1)).build());
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** A Pong came: the plugin is alive. */
    void answered() {
        unanswered.set(0);
    }

    void cancel() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
