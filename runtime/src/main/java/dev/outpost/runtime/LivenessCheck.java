package dev.outpost.runtime;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Ping;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Pings a running plugin every interval; when too many pings in a row go unanswered, reports it
 * unresponsive (once). Runs on the runtime's timer thread; owns its scheduled task until
 * {@link #cancel()}.
 */
final class LivenessCheck {
    private final AtomicInteger unanswered = new AtomicInteger();
    private volatile ScheduledFuture<?> task;

    /** Starts pinging over {@code channel}; {@code unresponsive} hears why, on the timer thread. */
    void start(PluginHost host, PluginChannel channel, String name, Consumer<String> unresponsive) {
        long interval = host.config.livenessInterval().toMillis();
        if (interval <= 0) {
            return;
        }
        int misses = host.config.livenessMisses();
        task = host.timer.scheduleAtFixedRate(() -> {
            if (!channel.isOpen()) {
                return;
            }
            int n = unanswered.getAndIncrement();
            if (n == misses) {
                unresponsive.accept(name + " is unresponsive: " + misses + " pings in a row went unanswered ("
                        + interval + " ms apart)");
            } else if (n < misses) {
                channel.sendLater(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(n + 1)).build());
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
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
