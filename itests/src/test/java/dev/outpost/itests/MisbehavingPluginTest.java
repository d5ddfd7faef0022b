package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Plugins that do not play by the rules (the C fixture plugin, mode chosen by argv): each ends
 * with its process killed and reaped and a clear reason, while another plugin keeps serving.
 */
class MisbehavingPluginTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginService bystander;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of(
                "outpost.restart.policy", "never",
                "outpost.handshake.timeout.ms", "500",
                "outpost.stop.grace.ms", "300",
                "outpost.stop.term.timeout.ms", "300"));
        bystander = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
    }

    @AfterEach
    void stop() throws Exception {
        assertArrayEquals(new byte[] {42}, bystander.call("echo", new byte[] {42}, T), "the other plugin still serves");
        runtime.close();
    }

    private Bundle fixture(String mode) throws Exception {
        return runtime.installAndStart(TestBundles.fixture(dir, "fx-" + mode, mode));
    }

    private static void assertGone(long pid) {
        assertFalse(Processes.exists(pid), "pid " + pid + " left in state " + Processes.state(pid));
    }

    private PluginInfo failed(Bundle bundle) throws Exception {
        PluginInfo info = runtime.awaitState(bundle, PluginState.FAILED);
        assertGone(info.pid());
        return info;
    }

    @Test
    void pluginIgnoringGoodbyeAndSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Bundle bundle = fixture("ignore-term");
        runtime.awaitService(bundle, "fixture");
        long pid = runtime.pid(bundle);
        long began = System.nanoTime();
        bundle.stop();
        long tookMillis = (System.nanoTime() - began) / 1_000_000;
        assertGone(pid);
        assertTrue(tookMillis >= 550, "SIGKILL came only after grace and SIGTERM waits: " + tookMillis + " ms");
    }

    @Test
    void pluginThatNeverSaysHelloFailsAfterTheHandshakeTimeout() throws Exception {
        PluginInfo info = failed(fixture("no-hello"));
        assertTrue(info.failure().orElseThrow().startsWith(
                "fx-no-hello did not complete its handshake within 500 ms (killed by signal 9 (SIGKILL))"), info.toString());
    }

    @Test
    void wrongProtocolVersionIsRefusedWithTheReason() throws Exception {
        PluginInfo info = failed(fixture("bad-version"));
        assertTrue(info.failure().orElseThrow().startsWith(
                "handshake refused: no common protocol version: plugin speaks 99..99, host speaks 1..1"), info.toString());
    }

    @Test
    void pluginExitingBeforeHelloFailsWithItsExitCode() throws Exception {
        PluginInfo info = failed(fixture("exit-early"));
        assertEquals("exited with 3", info.exitDescription().orElseThrow(), info.toString());
    }

    @Test
    void garbageInsteadOfFramesIsAProtocolError() throws Exception {
        PluginInfo info = failed(fixture("garbage"));
        assertTrue(info.failure().orElseThrow().contains("protocol error"), info.toString());
    }

    @Test
    void lengthPrefixOfFourGigabytesIsRefusedWithoutAllocating() throws Exception {
        PluginInfo info = failed(fixture("oversize"));
        assertTrue(info.failure().orElseThrow().contains("frame of 4294967295 bytes exceeds the limit"), info.toString());
    }

    @Test
    void answersToIdsNeverSentAreAProtocolError() throws Exception {
        Bundle bundle = fixture("wrong-ids");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        PluginException e = assertThrows(PluginException.class, () -> fx.call("echo", new byte[1], T));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), "calls in flight fail as docs/protocol.md says");
        PluginInfo info = failed(bundle);
        assertTrue(info.failure().orElseThrow().contains("which was never sent"), info.toString());
    }

    @Test
    void crashInTheMiddleOfACallFailsThatCallAndThePlugin() throws Exception {
        Bundle bundle = fixture("ok");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        PluginException e = assertThrows(PluginException.class, () -> fx.call("crash", new byte[0], T));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        PluginInfo info = failed(bundle);
        assertEquals("killed by signal 11 (SIGSEGV)", info.exitDescription().orElseThrow(), info.toString());
        assertEquals(0, runtime.serviceCount(bundle), "a dead plugin's services are withdrawn");
    }

    @Test
    void outputLinesAreKeptWithTheLatestStderrAvailable() throws Exception {
        Bundle bundle = fixture("stdout-lines");
        PluginService fx = runtime.awaitService(bundle, "fixture");
        fx.call("stderr", "marker line".getBytes(StandardCharsets.UTF_8), T);
        long deadline = System.nanoTime() + T.toNanos();
        while (!runtime.info(bundle).recentStderr().contains("marker line") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(runtime.info(bundle).recentStderr().contains("marker line"), runtime.info(bundle).toString());
    }

    @Test
    void bundleWithMissingExecutableFailsAloneNamingTheCause() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.bundle(dir, "missing",
                Map.of("Outpost-Executable", "bin/nothing; osname=Linux; processor=x86-64"), Map.of()));
        PluginInfo info = runtime.info(bundle);
        assertEquals(PluginState.FAILED, info.state());
        assertTrue(info.failure().orElseThrow().contains("executable bin/nothing is missing from the bundle"), info.toString());
        assertEquals(0, info.pid());
    }

    @Test
    void bundleWithoutAnExecutableForThisPlatformFailsListingWhatItOffers() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.bundle(dir, "arm-only",
                Map.of("Outpost-Executable", "bin/arm/echo; osname=Linux; processor=aarch64"),
                Map.of("bin/arm/echo", new byte[] {1})));
        PluginInfo info = runtime.info(bundle);
        assertEquals(PluginState.FAILED, info.state());
        assertTrue(info.failure().orElseThrow().contains("the bundle offers: bin/arm/echo; osname=Linux; processor=aarch64"),
                info.toString());
    }

    @Test
    void bundleWhoseExecutableIsNotAProgramFailsWithTheSpawnError() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.bundle(dir, "not-elf",
                Map.of("Outpost-Executable", "bin/x"), Map.of("bin/x", "not a program".getBytes(StandardCharsets.UTF_8))));
        PluginInfo info = failed(bundle);
        assertTrue(info.failure().orElseThrow().contains("Exec format error"), info.toString());
    }

    @Test
    void headersAreCheckedAtInstallAndEveryProblemIsReportedInOneMessage() throws Exception {
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("dev.outpost.runtime.extender.RevisionCheck");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            runtime.install(TestBundles.bundle(dir, "bad-headers", Map.of("Outpost-Executable", "bin/none",
                    "Outpost-Name", "no spaces allowed", "Outpost-Restart", "sometimes"), Map.of()));
            long deadline = System.nanoTime() + T.toNanos();
            while (logged.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, logged.size(), logged.toString());
            String message = logged.get(0);
            assertTrue(message.contains("executable bin/none is missing from the bundle"), message);
            assertTrue(message.contains("plugin name 'no spaces allowed'"), message);
            assertTrue(message.contains("restart policy 'sometimes' is not one of never, on-failure, on-demand"), message);
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void bundleWithoutTheHeaderIsLeftAlone() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.bundle(dir, "plain", Map.of(), Map.of()));
        assertTrue(runtime.plugins().forBundle(bundle.getBundleId()).isEmpty());
        assertEquals(Bundle.ACTIVE, bundle.getState());
    }
}
