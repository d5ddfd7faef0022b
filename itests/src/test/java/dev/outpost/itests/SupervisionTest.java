package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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

/** Crashes are detected from the process, contained, and recovered as the restart policy says. */
class SupervisionTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String FAST_RESTARTS = "; initial-delay=5; max-delay=20";

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginEventRecorder events;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.stop.grace.ms", "300", "outpost.stop.term.timeout.ms", "300"));
        events = new PluginEventRecorder(runtime.context);
    }

    @AfterEach
    void stop() throws Exception {
        events.close();
        runtime.close();
    }

    private Bundle fixture(String name, String mode, String restart) throws Exception {
        return runtime.installAndStart(TestBundles.fixture(dir, name, mode, Map.of("Outpost-Restart", restart)));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean gone(long pid) {
        return !Processes.exists(pid);
    }

    private static void kill9(long pid) {
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "pid " + pid + " to kill");
    }

    @Test
    void onFailureRestartsACrashedPluginAndTheHistoryShowsIt() throws Exception {
        Bundle bundle = fixture("fx-eager", "ok", "on-failure" + FAST_RESTARTS);
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long first = runtime.pid(bundle);
        PluginException e = assertThrows(PluginException.class, () -> fx.call("crash", new byte[0], T));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("killed by signal 11 (SIGSEGV)"), e.getMessage());
        events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, 2);
        PluginService again = runtime.awaitService(bundle, "fixture");
        assertArrayEquals(text("back"), again.call("echo", text("back"), T));
        PluginInfo info = runtime.info(bundle);
        assertNotEquals(first, info.pid());
        assertEquals(1, info.restarts());
        assertTrue(gone(first));
        assertEquals(List.of("NEW>STARTING", "STARTING>RUNNING", "RUNNING>RESTARTING", "RESTARTING>STARTING",
                "STARTING>RUNNING"), events.transitions(bundle.getBundleId()));
        assertTrue(events.events(bundle.getBundleId()).get(2).reason().orElseThrow().contains("SIGSEGV"));
    }

    @Test
    void callsInFlightFailAtOnceWithTheSignalAndTheLastStderrLines() throws Exception {
        Bundle bundle = fixture("fx-dies", "ok", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        fx.call("stderr", text("last words"), T);
        CompletableFuture<byte[]> slow = fx.callAsync("sleep", text("30000"));
        kill9(runtime.pid(bundle));
        ExecutionException e = assertThrows(ExecutionException.class, () -> slow.get(5, TimeUnit.SECONDS));
        PluginException p = (PluginException) e.getCause();
        assertEquals(ErrorCode.UNAVAILABLE, p.code());
        assertTrue(p.getMessage().contains("killed by signal 9 (SIGKILL)"), p.getMessage());
        assertTrue(p.getMessage().contains("last words"), p.getMessage());
    }

    @Test
    void neverPolicyLeavesThePluginFailedWithItsServicesWithdrawn() throws Exception {
        Bundle bundle = fixture("fx-never", "ok", "never");
        runtime.awaitService(bundle, "fixture");
        long pid = runtime.pid(bundle);
        kill9(pid);
        events.awaitEntered(bundle.getBundleId(), PluginState.FAILED, 1);
        // withdrawn on the registry thread, where consumers' code runs: it may come just after the event
        long deadline = System.nanoTime() + T.toNanos();
        while (runtime.serviceCount(bundle) != 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(2);
        }
        assertEquals(0, runtime.serviceCount(bundle));
        assertTrue(gone(pid));
        assertEquals(List.of("NEW>STARTING", "STARTING>RUNNING", "RUNNING>FAILED"), events.transitions(bundle.getBundleId()));
        assertEquals("killed by signal 9 (SIGKILL)", runtime.info(bundle).exitDescription().orElseThrow());
    }

    @Test
    void onDemandKeepsTheServiceAndTheNextCallStartsANewProcess() throws Exception {
        Bundle bundle = fixture("fx-lazy", "ok", "on-demand");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long first = runtime.pid(bundle);
        kill9(first);
        events.awaitEntered(bundle.getBundleId(), PluginState.RESTARTING, 1);
        assertEquals(1, runtime.serviceCount(bundle), "the service stays for the call that revives the plugin");
        assertArrayEquals(text("revived"), fx.call("echo", text("revived"), T));
        long second = runtime.pid(bundle);
        assertNotEquals(first, second);
        assertTrue(gone(first));
        events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, 2); // events arrive on their own thread
        assertEquals(List.of("NEW>STARTING", "STARTING>RUNNING", "RUNNING>RESTARTING", "RESTARTING>STARTING",
                "STARTING>RUNNING"), events.transitions(bundle.getBundleId()));
    }

    @Test
    void restartIntensityBudgetEndsInFailedWithTheReason() throws Exception {
        Bundle bundle = fixture("fx-crashloop", "crash-on-start", "on-failure; initial-delay=1; max-delay=5; intensity=3; period=60000");
        events.awaitEntered(bundle.getBundleId(), PluginState.FAILED, 1);
        PluginInfo info = runtime.info(bundle);
        assertEquals(PluginState.FAILED, info.state());
        assertEquals(3, info.restarts());
        assertTrue(info.failure().orElseThrow().startsWith("restarted 3 times within 60000 ms, giving up"), info.toString());
        assertTrue(gone(info.pid()));
        assertEquals(List.of("NEW>STARTING", "STARTING>RESTARTING", "RESTARTING>STARTING", "STARTING>RESTARTING",
                "RESTARTING>STARTING", "STARTING>RESTARTING", "RESTARTING>STARTING", "STARTING>FAILED"),
                events.transitions(bundle.getBundleId()), "three restarts, then the fourth death is final");
    }

    @Test
    void deadlineIsEnforcedByTheHostAndThePluginServesAfterwards() throws Exception {
        Bundle bundle = fixture("fx-slow", "ok", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        PluginException e = assertThrows(PluginException.class, () -> fx.call("sleep", text("600"), Duration.ofMillis(100)));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
        assertArrayEquals(text("after"), fx.call("echo", text("after"), T));
        assertEquals(PluginState.RUNNING, runtime.info(bundle).state());
    }

    @Test
    void userRestartServesTheSameServiceFromANewProcess() throws Exception {
        Bundle bundle = fixture("fx-restart", "ok", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long first = runtime.pid(bundle);
        runtime.plugins().restart(bundle.getBundleId());
        assertTrue(gone(first), "the old process is reaped before restart returns");
        assertArrayEquals(text("new"), fx.call("echo", text("new"), T));
        assertNotEquals(first, runtime.pid(bundle));
    }

    @Test
    void childrenAPluginStartedDieWithItOnStop() throws Exception {
        Bundle bundle = fixture("fx-parent", "fork-children", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long[] children = childPids(fx, runtime.pid(bundle));
        for (long c : children) {
            assertTrue(Processes.exists(c));
        }
        bundle.stop();
        // SIGKILL reached them before stop() returned; they die as soon as the kernel gets to it
        for (long c : children) {
            awaitExited(c);
        }
    }

    @Test
    void childrenAPluginStartedDieWithItWhenItCrashes() throws Exception {
        Bundle bundle = fixture("fx-crashparent", "fork-children", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long[] children = childPids(fx, runtime.pid(bundle));
        assertThrows(PluginException.class, () -> fx.call("crash", new byte[0], T));
        events.awaitEntered(bundle.getBundleId(), PluginState.FAILED, 1);
        for (long c : children) {
            awaitExited(c);
        }
    }

    /** The children the plugin reports (pids of its own namespace), as this JVM sees them. */
    private static long[] childPids(PluginService fx, long plugin) throws Exception {
        String[] pids = new String(fx.call("children", new byte[0], T), StandardCharsets.UTF_8).trim().split(" ");
        assertEquals(2, pids.length);
        String ns = Processes.pidNamespace(plugin);
        return new long[] {Processes.hostPid(ns, Long.parseLong(pids[0])), Processes.hostPid(ns, Long.parseLong(pids[1]))};
    }

    /** Gone, or a zombie whose parent (init, for an orphan) has yet to reap it. */
    static void awaitExited(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (Processes.exists(pid) && !"Z".equals(Processes.state(pid))) {
            assertTrue(System.nanoTime() < deadline, "pid " + pid + " still alive");
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    @Test
    void unresponsivePluginIsDeclaredSoByLivenessPingsAndKilled() throws Exception {
        TestRuntime quick = TestRuntime.start(dir.resolve("quick"), Map.of("outpost.liveness.interval.ms", "50",
                "outpost.liveness.misses", "3"));
        try {
            Bundle bundle = quick.installAndStart(TestBundles.fixture(dir, "fx-silent", "partial-frame",
                    Map.of("Outpost-Restart", "never")));
            PluginInfo info = quick.awaitState(bundle, PluginState.FAILED);
            assertTrue(info.failure().orElseThrow().contains("is unresponsive: 3 pings in a row went unanswered"),
                    info.toString());
            assertTrue(gone(info.pid()));
        } finally {
            quick.close();
        }
    }

    @Test
    void pluginThatClosesItsSocketButStaysAliveIsKilled() throws Exception {
        Bundle bundle = fixture("fx-mute", "close-socket", "never");
        PluginInfo info = runtime.awaitState(bundle, PluginState.FAILED);
        assertTrue(info.failure().orElseThrow().contains("closed its connection"), info.toString());
        assertEquals("killed by signal 9 (SIGKILL)", info.exitDescription().orElseThrow());
        assertTrue(gone(info.pid()));
    }

    @Test
    void floodOfUnsolicitedFramesIsAbsorbedWithBoundedMemory() throws Exception {
        Bundle bundle = fixture("fx-chatty", "chatty", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        assertArrayEquals(text("heard"), fx.call("echo", text("heard"), Duration.ofSeconds(60)),
                "answered after 50,000 unsolicited frames");
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        assertTrue(heap.getUsed() < 256L << 20, "heap after the flood: " + heap.getUsed());
        assertEquals(PluginState.RUNNING, runtime.info(bundle).state());
    }

    @Test
    void floodOfLogLinesIsAbsorbedAndEveryoneKeepsServing() throws Exception {
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        Bundle bundle = fixture("fx-flood", "ok", "never");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        assertArrayEquals(text("done"), fx.call("flood", text("20000"), Duration.ofSeconds(60)));
        assertArrayEquals(text("fine"), echo.call("echo", text("fine"), T));
        assertArrayEquals(text("still"), fx.call("echo", text("still"), T));
        assertEquals(PluginState.RUNNING, runtime.info(bundle).state());
    }
}
