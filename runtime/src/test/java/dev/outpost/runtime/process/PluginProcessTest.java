package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.channel.HostSide;
import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.content.PluginContent;
import dev.outpost.runtime.content.PluginImage;
import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.content.RestartPolicy;
import dev.outpost.runtime.os.ExecutableImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The launch of one process, on the spawn thread, against a stop and against a bug. */
class PluginProcessTest {
    private static final PluginSpec SPEC = new PluginSpec("fx", "bin/fx", List.of("30"), Map.of(),
            new RestartPolicy(RestartPolicy.Kind.NEVER, Duration.ZERO, Duration.ZERO, 0, Duration.ofSeconds(1)),
            dev.outpost.runtime.content.SandboxRequest.DEFAULTS);
    private PluginHost host;

    @BeforeEach
    void start() throws Exception {
        host = new PluginHost(RuntimeConfig.defaults().withStopGrace(Duration.ofMillis(100), Duration.ofMillis(100)),
                key -> null);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    /** Content whose executable {@code image} hands out. */
    private static PluginContent content(Supplier<ExecutableImage> image) {
        return new PluginContent() {
            @Override
            public String header(String name) {
                return null;
            }

            @Override
            public boolean has(String path) {
                return true;
            }

            @Override
            public byte[] entry(String path) {
                return null;
            }

            @Override
            public ExecutableImage image(String name, String path) {
                return image.get();
            }

            @Override
            public void release(ExecutableImage image) {
                image.close();
            }

            @Override
            public dev.outpost.runtime.content.SignedEntry signed(String path) {
                throw new UnsupportedOperationException("not signed");
            }
        };
    }

    @Test
    void aLaunchThatThrowsEndsTheProcessFailedInsteadOfLeavingItStarting() throws Exception {
        PluginProcess p = new PluginProcess(host, 1, SPEC, new PluginImage(content(() -> {
            throw new IllegalStateException("a bug in reading the executable");
        }), "fx", "bin/fx"), HostSide.NONE);
        p.start();
        assertEquals(ProcessState.FAILED, p.terminated().get(10, TimeUnit.SECONDS));
        assertTrue(p.failure().orElseThrow().contains("a bug in reading the executable"), p.failure().toString());
    }

    @Test
    void aStopThatComesDuringTheSpawnFindsNothingRunningAfterwards() throws Exception {
        CountDownLatch spawning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        byte[] sleep = Files.readAllBytes(Path.of("/bin/sleep"));
        PluginImage image = new PluginImage(content(() -> {
            spawning.countDown();
            try {
                release.await(10, TimeUnit.SECONDS); // the spawn thread is held inside the launch
                return ExecutableImage.load("fx", sleep);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }), "fx", "bin/fx");
        PluginProcess p = new PluginProcess(host, 1, SPEC, image, HostSide.NONE);
        p.start();
        assertTrue(spawning.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(p::stop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.state() != ProcessState.STOPPING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        release.countDown(); // the launch spawns, sees the stop, and ends what it made itself
        stopped.get(30, TimeUnit.SECONDS);
        assertEquals(ProcessState.STOPPED, p.state());
        assertEquals(List.of(), ProcessHandle.current().children().filter(c -> !isSpawner(c)).toList(),
                "nothing of the plugin is left, alive or unreaped");
        image.close();
    }

    private static boolean isSpawner(ProcessHandle c) {
        return c.info().arguments().map(a -> a.length > 0).orElse(false)
                && c.info().commandLine().orElse("").contains("outpost-spawner");
    }
}
