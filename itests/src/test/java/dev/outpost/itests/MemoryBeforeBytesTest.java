package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The host's memory follows the bytes a plugin sends, never what it announces (docs/protocol.md:
 * a receiver must not allocate for an announced length): plugins that announce frames and answers
 * at the limit and send nothing more. Liveness pings are off here, so the stalled plugins stay
 * alive while the host's memory is looked at.
 */
class MemoryBeforeBytesTest {
    private static final int LIMIT = 8 * 1024 * 1024;
    private static final int PLUGINS = 8;

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginService healthy;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of(
                "outpost.restart.policy", "never",
                "outpost.liveness.interval.ms", "0",
                "outpost.stop.grace.ms", "50", "outpost.stop.term.timeout.ms", "50",
                "outpost.frame.max.bytes", String.valueOf(LIMIT)));
        healthy = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    private List<PluginService> hostile(String mode) throws Exception {
        List<Bundle> bundles = new ArrayList<>();
        for (int i = 0; i < PLUGINS; i++) {
            bundles.add(runtime.installAndStart(TestBundles.fixture(dir, "fx-" + mode + "-" + i, mode)));
        }
        List<PluginService> services = new ArrayList<>();
        for (Bundle b : bundles) {
            services.add(runtime.awaitService(b, "fixture"));
        }
        return services;
    }

    private void callHealthy() {
        for (int i = 0; i < 200; i++) {
            assertArrayEquals(new byte[] {(byte) i}, healthy.call("echo", new byte[] {(byte) i}, Duration.ofSeconds(2)));
        }
    }

    @Test
    void framesAnnouncedAtTheLimitCostTheInitialReadBufferAndNoMore() throws Exception {
        long before = directMemory();
        long heapBefore = usedHeapAfterGc();
        hostile("announce-frame");
        callHealthy(); // meanwhile the reactor has read every announcement
        long direct = directMemory() - before;
        long heap = usedHeapAfterGc() - heapBefore;
        assertTrue(direct < 2 * 1024 * 1024, PLUGINS + " frames of 8 MiB announced cost " + direct + " bytes of direct memory");
        assertTrue(heap < 16L * 1024 * 1024, PLUGINS + " frames of 8 MiB announced cost " + heap + " bytes of heap");
    }

    @Test
    void answersAnnouncedAtTheLimitAreBoundedByTheRuntimesBudgetNotByTheirNumber() throws Exception {
        List<PluginService> liars = hostile("announce-answer");
        long before = usedHeapAfterGc();
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (PluginService s : liars) {
            calls.add(s.callAsync("echo", new byte[] {1}, Duration.ofSeconds(3)));
        }
        callHealthy(); // meanwhile the reactor has read every answer's head
        long grown = usedHeapAfterGc() - before;
        // unbounded, 8 answers of 8 MiB would take 64 MiB before their bytes; the budget is 4 frames
        assertTrue(grown < 40L * 1024 * 1024, PLUGINS + " announced answers of 8 MiB cost " + grown + " bytes of heap");
        for (CompletableFuture<byte[]> call : calls) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, ((PluginException) e.getCause()).code(), e.getMessage());
        }
        callHealthy();
    }

    private static long directMemory() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
