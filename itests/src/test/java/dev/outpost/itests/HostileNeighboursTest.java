package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * Plugins that attack the host on purpose, knowing its code, each beside a healthy plugin: the
 * healthy one keeps its process and answers every call within a bound (its liveness pings, every
 * 100 ms here, ten unanswered in a row kill, keep being answered too), the hostile one is contained or
 * stopped, and every stop returns.
 */
class HostileNeighboursTest {
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final long STOP_BOUND_SECONDS = 30;

    @TempDir
    Path dir;
    TestRuntime runtime;
    Bundle healthyBundle;
    PluginService healthy;
    long healthyPid;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of(
                "outpost.restart.policy", "never",
                "outpost.liveness.interval.ms", "100",
                "outpost.liveness.misses", "10",
                "outpost.write.timeout.ms", "2000",
                "outpost.frame.max.bytes", String.valueOf(8 * 1024 * 1024)));
        healthyBundle = runtime.installAndStart(TestBundles.echo());
        healthy = runtime.awaitService(healthyBundle, "echo");
        healthyPid = runtime.pid(healthyBundle);
    }

    @AfterEach
    void stop() throws Exception {
        assertHealthyServes();
        assertEquals(healthyPid, runtime.pid(healthyBundle), "the healthy plugin was never restarted");
        runtime.close();
    }

    /** Twenty calls, each answered within the bound, by the same process as at the start. */
    private void assertHealthyServes() {
        for (int i = 0; i < 20; i++) {
            byte[] payload = ("ping " + i).getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(payload, healthy.call("echo", payload, CALL));
        }
        assertEquals(PluginState.RUNNING, runtime.info(healthyBundle).state());
    }

    /** Keeps the healthy plugin busy for {@code millis}, calling it all the while. */
    private void callHealthyFor(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            assertHealthyServes();
        }
    }

    private Bundle hostile(String name, String mode) throws Exception {
        return runtime.installAndStart(TestBundles.fixture(dir, name, mode));
    }

    @Test
    void aPluginThatFloodsPingsAndNeverReadsIsStoppedAloneForNotReadingItsSocket() throws Exception {
        Bundle flooder = hostile("fx-pings", "ping-flood");
        callHealthyFor(500);
        PluginInfo info = runtime.awaitState(flooder, PluginState.FAILED);
        assertTrue(info.failure().orElseThrow().contains("not read its socket"), info.toString());
        assertFalse(Processes.exists(info.pid()));
        callHealthyFor(300);
    }

    @Test
    void aPluginFloodingStderrWithAndWithoutNewlinesHoldsUpNobodyAndStopsWhenAsked() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        try (LogCapture capture = new LogCapture("outpost.plugin.fx-flood", r -> {
            if (r.getMessage().contains("lines not logged")) {
                notices.add(r.getMessage());
            }
        })) {
            Bundle flooder = hostile("fx-flood", "ok");
            PluginService fx = runtime.awaitService(flooder, "fixture");
            fx.call("stderr-flood", "lines 64".getBytes(StandardCharsets.UTF_8), CALL);
            fx.call("stderr-flood", "raw 64".getBytes(StandardCharsets.UTF_8), CALL);
            callHealthyFor(1500);
            assertArrayEquals(new byte[] {7}, fx.call("echo", new byte[] {7}, CALL), "the flooder serves too");
            long pid = runtime.pid(flooder);
            stopWithinBound(flooder);
            assertFalse(Processes.exists(pid));
        }
        assertTrue(notices.size() <= 2, "one notice per interval, not one per line: " + notices);
    }

    @Test
    void aSetsidGrandchildHoldingTheSocketAndPipesDoesNotHoldUpTheStop() throws Exception {
        Bundle bundle = hostile("fx-daemon", "ok");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long pid = runtime.pid(bundle);
        String ns = Processes.pidNamespace(pid);
        long daemon = Processes.hostPid(ns, Long.parseLong(new String(fx.call("daemon", new byte[0], CALL),
                StandardCharsets.UTF_8)));
        try {
            assertTrue(Processes.exists(daemon));
            callHealthyFor(300);
            stopWithinBound(bundle);
            assertFalse(Processes.exists(pid), "the plugin itself was reaped");
            awaitGone(daemon); // it died with the plugin's pid namespace
        } finally {
            // should it have survived, it is still in the plugin's namespace, so the pid is still its
            if (ns.equals(Processes.pidNamespace(daemon))) {
                ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aPluginStuckInTheMiddleOfAFrameIsFoundUnresponsive() throws Exception {
        Bundle stalled = hostile("fx-announce", "announce-frame");
        callHealthyFor(300);
        PluginInfo info = runtime.awaitState(stalled, PluginState.FAILED);
        assertTrue(info.failure().orElseThrow().contains("unresponsive"), info.toString());
    }

    @Test
    void aHugeLogFrameIsLoggedCutShortWithoutItsTerminalEscapesOrLineBreaks() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        try (LogCapture capture = new LogCapture("outpost.plugin.fx-log", r -> logged.add(r.getMessage()))) {
            Bundle bundle = hostile("fx-log", "huge-log");
            PluginService fx = runtime.awaitService(bundle, "fixture");
            assertArrayEquals(new byte[] {3}, fx.call("echo", new byte[] {3}, CALL));
            String line = logged.stream().filter(m -> m.contains("forged host line")).findFirst().orElseThrow();
            assertTrue(line.length() < 8300, "logged " + line.length() + " characters");
            assertFalse(line.contains("\u001b"), "no terminal escape reaches the log");
            assertFalse(line.contains("\n"), "one log line, not two");
            assertTrue(line.contains("red\\nforged host line"), line.substring(0, 200));
            assertTrue(line.endsWith("more characters)"), line.substring(line.length() - 80));
        }
        callHealthyFor(200);
    }

    @Test
    void aPluginThatCallsItselfByAnothersNameIsKnownByItsBundlesName() throws Exception {
        Bundle impostor = hostile("fx-impostor", "impostor");
        runtime.awaitService(impostor, "fixture");
        List<String> names = new ArrayList<>();
        for (ServiceReference<PluginService> r : runtime.context.getServiceReferences(PluginService.class, null)) {
            names.add(r.getProperty(PluginServiceProperties.BUNDLE_ID) + ":" + r.getProperty(PluginServiceProperties.PLUGIN_NAME));
        }
        assertTrue(names.contains(impostor.getBundleId() + ":fx-impostor"), names.toString());
        assertEquals(1, names.stream().filter(n -> n.endsWith(":echo")).count(), "only the real echo is echo: " + names);
        assertEquals("fx-impostor", runtime.info(impostor).name());
    }

    @Test
    void aPluginStartsInAPrivateEmptyDirectoryThatGoesWithItsProcess() throws Exception {
        Bundle bundle = hostile("fx-cwd", "ok");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        Path cwd = Path.of(new String(fx.call("cwd", new byte[0], CALL), StandardCharsets.UTF_8));
        assertNotEquals(Path.of("").toAbsolutePath(), cwd, "not the host's working directory");
        assertFalse(cwd.startsWith(dir), "nowhere near the bundle cache or the test's files");
        assertTrue(cwd.getFileName().toString().startsWith("fx-cwd-"), cwd.toString());
        Path dropped = Path.of(new String(fx.call("drop", "evil.jar".getBytes(StandardCharsets.UTF_8), CALL),
                StandardCharsets.UTF_8));
        assertEquals(cwd.resolve("evil.jar"), dropped);
        assertTrue(Files.exists(dropped));
        stopWithinBound(bundle);
        awaitRemoved(cwd); // removed on the runtime's cleanup thread once the process is reaped
    }

    private void stopWithinBound(Bundle bundle) throws Exception {
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            try {
                bundle.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        stopped.get(STOP_BOUND_SECONDS, TimeUnit.SECONDS);
    }

    private static void awaitRemoved(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(path) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertFalse(Files.exists(path), "removed with the process: " + path);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Processes.exists(pid) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertFalse(Processes.exists(pid), "pid " + pid + " is still there");
    }

    /** Receives the records of one logger while open. */
    static final class LogCapture extends Handler implements AutoCloseable {
        private final Logger logger;
        private final java.util.function.Consumer<LogRecord> sink;

        LogCapture(String name, java.util.function.Consumer<LogRecord> sink) {
            this.logger = Logger.getLogger(name);
            this.sink = sink;
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            sink.accept(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
