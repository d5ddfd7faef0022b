package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The seeds' loop, {@code while true; do iptables -L; rmmod bpfilter; done}: install, start,
 * call, uninstall, over and over, must leak no descriptor, no thread and no process.
 */
class InstallCallUninstallLoopTest {
    private static final int CYCLES = Integer.getInteger("outpost.test.cycles", 200);

    @TempDir
    Path dir;
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    @Test
    void twoHundredCyclesLeaveDescriptorsThreadsAndProcessesAtBaseline() throws Exception {
        // one warm-up cycle loads classes and starts the runtime's fixed threads
        cycle(0);
        int fdsBefore = Processes.openFdCount();
        int threadsBefore = Processes.threadCount();
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= CYCLES; i++) {
            pids.add(cycle(i));
        }
        for (long pid : pids) {
            assertFalse(Processes.exists(pid), "pid " + pid + " left in state " + Processes.state(pid));
        }
        assertEquals(List.of(), Processes.pluginProcesses(), "no zombies and no strays");
        int fdsAfter = Processes.openFdCount();
        int threadsAfter = Processes.threadCount();
        assertTrue(Math.abs(fdsAfter - fdsBefore) <= 2, "open fds " + fdsBefore + " -> " + fdsAfter);
        assertTrue(threadsAfter <= threadsBefore + 2, "threads " + threadsBefore + " -> " + threadsAfter);
    }

    private long cycle(int i) throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        PluginService echo = runtime.awaitService(bundle, "echo");
        long pid = runtime.pid(bundle);
        byte[] payload = {(byte) i, (byte) (i >> 8)};
        assertArrayEquals(payload, echo.call("echo", payload, Duration.ofSeconds(10)));
        bundle.uninstall();
        return pid;
    }
}
