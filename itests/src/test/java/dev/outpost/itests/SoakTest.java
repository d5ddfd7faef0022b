package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginService;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * install, call, kill -9 the plugin, call again (served by a restarted process), uninstall; over
 * and over. The short form runs in the normal suite; the long one with
 * {@code -Doutpost.soak.cycles=1000} (see the README).
 */
class SoakTest {
    private static final int CYCLES = Integer.getInteger("outpost.soak.cycles", 100);
    private static final Duration T = Duration.ofSeconds(10);
    private static final long HEAP_TOLERANCE = 16L << 20;

    @TempDir
    Path dir;
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.restart.policy", "on-demand"));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    @Test
    void killedPluginsComeBackAndNothingLeaksOverManyCycles() throws Exception {
        cycle(0);
        int fdsBefore = Processes.openFdCount();
        int threadsBefore = Processes.threadCount();
        long heapBefore = heapAfterGc();
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= CYCLES; i++) {
            pids.addAll(cycle(i));
        }
        for (long pid : pids) {
            assertTrue(!Processes.exists(pid), "pid " + pid + " left in state " + Processes.state(pid));
        }
        assertEquals(List.of(), Processes.pluginProcesses(), "no zombies and no strays");
        int fdsAfter = Processes.openFdCount();
        // a plugin called while it restarts has a thread of its own sending those calls, gone 100 ms after
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Processes.threadCount() > threadsBefore + 2 && System.nanoTime() < settle) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        int threadsAfter = Processes.threadCount();
        long heapAfter = heapAfterGc();
        System.out.printf("soak: %d cycles; fds %d -> %d; threads %d -> %d; heap after GC %.1f -> %.1f MiB%n", CYCLES,
                fdsBefore, fdsAfter, threadsBefore, threadsAfter, heapBefore / 1048576.0, heapAfter / 1048576.0);
        assertTrue(Math.abs(fdsAfter - fdsBefore) <= 2, "open fds " + fdsBefore + " -> " + fdsAfter);
        assertTrue(threadsAfter <= threadsBefore + 2, "threads " + threadsBefore + " -> " + threadsAfter);
        assertTrue(heapAfter <= heapBefore + HEAP_TOLERANCE, "heap " + heapBefore + " -> " + heapAfter);
    }

    private List<Long> cycle(int i) throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        PluginService echo = runtime.awaitService(bundle, "echo");
        byte[] payload = {(byte) i, (byte) (i >> 8)};
        assertArrayEquals(payload, echo.call("echo", payload, T));
        long first = runtime.pid(bundle);
        ProcessHandle.of(first).ifPresent(ProcessHandle::destroyForcibly);
        // a call racing with the crash may fail (calls are at most once); once the death is seen,
        // the next call starts a new process and is served by it
        runtime.awaitState(bundle, dev.outpost.api.PluginState.RESTARTING);
        byte[] again = echo.call("echo", payload, T);
        assertArrayEquals(payload, again, "served again after kill -9");
        long second = runtime.pid(bundle);
        assertNotEquals(first, second);
        bundle.uninstall();
        return List.of(first, second);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
