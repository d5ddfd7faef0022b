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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Every frame-level violation of docs/protocol.md, committed by a plugin while a call is in flight:
 * the call fails with PROTOCOL_ERROR (sections 2 and 7), the plugin is killed at once with SIGKILL
 * (no Goodbye: a peer that broke the protocol cannot be trusted to read one) and ends FAILED with
 * the reason, and another plugin keeps serving.
 */
class ProtocolViolationTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;
    PluginService bystander;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.restart.policy", "never"));
        bystander = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
    }

    @AfterEach
    void stop() throws Exception {
        assertArrayEquals(new byte[] {42}, bystander.call("echo", new byte[] {42}, T), "the other plugin still serves");
        runtime.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "second-hello | a second Hello",
        "welcome      | unexpected WELCOME",
        "undecodable  | undecodable frame",
        "empty        | a frame without a message",
        "oversize     | exceeds the limit",
        "bad-varint   | malformed frame length",
    })
    void aViolationFailsTheCallInFlightWithProtocolErrorAndKillsThePluginAtOnce(String violation, String reason)
            throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.fixture(dir, "fx-" + violation, "violate, " + violation));
        PluginService fx = runtime.awaitService(bundle, "fixture");
        long pid = runtime.pid(bundle);
        PluginException e = assertThrows(PluginException.class, () -> fx.call("echo", new byte[] {1}, T));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        PluginInfo info = runtime.awaitState(bundle, PluginState.FAILED);
        assertTrue(info.failure().orElseThrow().contains("protocol error from fx-" + violation), info.toString());
        assertTrue(info.failure().orElseThrow().contains("killed by signal 9 (SIGKILL)"), info.toString());
        assertFalse(Processes.exists(pid), "reaped");
    }
}
