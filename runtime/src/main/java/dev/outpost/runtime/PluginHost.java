package dev.outpost.runtime;

import dev.outpost.runtime.os.PosixSpawner;
import dev.outpost.runtime.os.Spawner;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The machinery every plugin process of one runtime shares, so that host threads do not grow
 * with the number of plugins: exactly three threads, whatever the number of plugins.
 * <ul>
 *   <li>{@code outpost-io}: the {@link Reactor}, reads every socket, pipe and pidfd;
 *   <li>{@code outpost-timer}: handshake timeouts and call deadlines;
 *   <li>{@code outpost-lifecycle}: handshakes, service registration, failure handling and writes
 *       the reactor must not wait for.
 * </ul>
 * Owns these threads from construction until {@link #close()}.
 */
final class PluginHost implements AutoCloseable {
    final RuntimeConfig config;
    final Spawner spawner;
    final Reactor reactor;
    final ScheduledThreadPoolExecutor timer;
    final ExecutorService lifecycle;

    PluginHost(RuntimeConfig config) throws IOException {
        this(config, new PosixSpawner());
    }

    PluginHost(RuntimeConfig config, Spawner spawner) throws IOException {
        this.config = config;
        this.spawner = spawner;
        this.reactor = new Reactor("outpost-io");
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("outpost-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.lifecycle = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                daemon("outpost-lifecycle"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops the threads. Plugins must have been stopped first. */
    @Override
    public void close() {
        lifecycle.shutdown();
        timer.shutdownNow();
        try {
            lifecycle.awaitTermination(10, TimeUnit.SECONDS);
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reactor.close();
    }
}
