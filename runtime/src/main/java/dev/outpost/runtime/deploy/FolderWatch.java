package dev.outpost.runtime.deploy;

import dev.outpost.runtime.config.DaemonThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs scans ({@link DeployFolder#scan}, {@link DevPlugins#scan}) one after the other every
 * interval, on one thread of its own, until closed. A scan that throws (an exception or an error)
 * is reported and the watching goes on.
 */
public final class FolderWatch implements AutoCloseable {
    private final ScheduledExecutorService scanner;

    public FolderWatch(Duration interval, Consumer<String> report, List<Runnable> scans) {
        scanner = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("outpost-deploy"));
        scanner.scheduleWithFixedDelay(() -> {
            for (Runnable scan : scans) {
                try {
                    scan.run();
                } catch (RuntimeException | Error e) { // a bad jar's LinkageError must not end the watching
                    report.accept("scanning failed: " + e);
                }
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops watching; waits for a scan in progress. Idempotent. */
    @Override
    public void close() {
        scanner.shutdownNow();
        try {
            scanner.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
