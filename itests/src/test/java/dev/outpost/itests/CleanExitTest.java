package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * What counts as a failure (docs/operating.md, "Restart policy"): a plugin that leaves by itself
 * cleanly (exit 0, after its own Goodbye or not, or SIGTERM from somebody other than the host,
 * which the SDK answers with exit 0) has not crashed: it is restarted as its policy says, without
 * spending its restart budget and without a SEVERE line; a non-zero exit or a crash is a failure
 * and spends it.
 */
class CleanExitTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String TIGHT_BUDGET = "on-failure; intensity=1; period=60000; initial-delay=5; max-delay=20";

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginEventRecorder events;
    final List<String> severe = new CopyOnWriteArrayList<>();
    HostileNeighboursTest.LogCapture supervisor;
    HostileNeighboursTest.LogCapture plugins;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.stop.grace.ms", "300", "outpost.stop.term.timeout.ms", "300"));
        events = new PluginEventRecorder(runtime.context);
        supervisor = new HostileNeighboursTest.LogCapture("dev.outpost.runtime.supervision.PluginSupervisor", this::severe);
        plugins = new HostileNeighboursTest.LogCapture("outpost.plugin", this::severe);
    }

    private void severe(java.util.logging.LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            severe.add(r.getMessage());
        }
    }

    @AfterEach
    void stop() throws Exception {
        plugins.close();
        supervisor.close();
        events.close();
        runtime.close();
    }

    private Bundle fixture(String name, String mode, String restart) throws Exception {
        return runtime.installAndStart(TestBundles.fixture(dir, name, mode, Map.of("Outpost-Restart", restart)));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPluginThatExitsWithZeroIsRestartedEveryTimeWithoutSpendingItsBudget() throws Exception {
        Bundle bundle = fixture("fx-leaves", "ok", TIGHT_BUDGET);
        for (int round = 1; round <= 5; round++) {
            PluginService fx = runtime.awaitService(bundle, "fixture");
            events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, round);
            assertThrows(PluginException.class, () -> fx.call("exit", text("0"), T), "it leaves during the call");
            events.awaitEntered(bundle.getBundleId(), PluginState.RESTARTING, round);
        }
        events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, 6);
        PluginInfo info = runtime.awaitState(bundle, PluginState.RUNNING);
        assertEquals(5, info.restarts());
        PluginEvent leaving = events.events(bundle.getBundleId()).stream()
                .filter(e -> e.to() == PluginState.RESTARTING).findFirst().orElseThrow();
        assertTrue(leaving.reason().orElseThrow().contains("left by itself: exited with 0"), leaving.toString());
        assertEquals(List.of(), severe, "leaving is not logged as a failure");
    }

    @Test
    void sigtermFromSomebodyElseIsALeavingNotACrashHoweverOftenItComes() throws Exception {
        Bundle bundle = fixture("fx-termed", "ok", TIGHT_BUDGET);
        for (int round = 1; round <= 6; round++) {
            runtime.awaitService(bundle, "fixture");
            events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, round);
            long pid = runtime.pid(bundle);
            assertTrue(ProcessHandle.of(pid).orElseThrow().destroy(), "SIGTERM to " + pid); // kill -TERM
            events.awaitEntered(bundle.getBundleId(), PluginState.RESTARTING, round);
        }
        events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, 7);
        PluginService fx = runtime.awaitService(bundle, "fixture");
        assertArrayEquals(text("still here"), fx.call("echo", text("still here"), T));
        assertEquals(List.of(), severe);
    }

    @Test
    void aPluginThatSaysGoodbyeAndExitsWithZeroHasLeftNotFailed() throws Exception {
        Bundle bundle = fixture("fx-bye", "goodbye-exit", TIGHT_BUDGET);
        for (int round = 1; round <= 3; round++) {
            PluginService fx = runtime.awaitService(bundle, "fixture");
            events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, round);
            assertArrayEquals(text("one"), fx.call("echo", text("one"), T), "the call before the Goodbye is answered");
            events.awaitEntered(bundle.getBundleId(), PluginState.RESTARTING, round);
        }
        assertEquals(List.of(), severe);
    }

    @Test
    void aNonZeroExitIsAFailureAndSpendsTheBudget() throws Exception {
        Bundle bundle = fixture("fx-exit3", "ok", TIGHT_BUDGET);
        PluginService fx = runtime.awaitService(bundle, "fixture");
        assertThrows(PluginException.class, () -> fx.call("exit", text("3"), T));
        events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, 2);
        PluginService again = runtime.awaitService(bundle, "fixture");
        assertThrows(PluginException.class, () -> again.call("exit", text("3"), T));
        PluginInfo info = runtime.awaitState(bundle, PluginState.FAILED);
        assertTrue(info.failure().orElseThrow().startsWith("restarted 1 times within 60000 ms, giving up"), info.toString());
        assertTrue(info.failure().orElseThrow().contains("exited with 3"), info.toString());
        assertTrue(severe.stream().anyMatch(m -> m.contains("failed")), severe.toString());
    }

    @Test
    void underARestartPolicyOfNeverACleanExitStopsThePluginAndRestartBringsItBack() throws Exception {
        Bundle bundle = fixture("fx-once", "ok", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        assertThrows(PluginException.class, () -> fx.call("exit", text("0"), T));
        PluginInfo info = runtime.awaitState(bundle, PluginState.STOPPED);
        assertTrue(info.failure().orElseThrow().contains("left by itself: exited with 0; its restart policy is never"),
                info.toString());
        assertEquals(List.of(), severe);
        runtime.plugins().restart(bundle.getBundleId());
        assertArrayEquals(text("back"), runtime.awaitService(bundle, "fixture").call("echo", text("back"), T));
    }
}
