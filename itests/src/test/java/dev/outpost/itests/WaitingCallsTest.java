package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginService;
import dev.outpost.api.PluginState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Calls made while a plugin starts are sent once it serves, by a thread of that plugin's own: a
 * plugin that then does not read its socket makes only those writes wait, never the thread that
 * every plugin's handshake and restart runs on.
 */
class WaitingCallsTest {
    @TempDir
    Path dir;

    @Test
    void callsWaitingForAPluginThatThenDoesNotReadHoldUpNoOtherPluginsStart() throws Exception {
        try (TestRuntime own = TestRuntime.start(dir, Map.of("outpost.write.timeout.ms", "2000",
                "outpost.frame.max.bytes", String.valueOf(8 * 1024 * 1024)))) {
            // on-demand: killed, it keeps its services, and the next call starts it; it says Hello
            // 300 ms after it starts, and never reads
            Bundle deaf = own.installAndStart(TestBundles.fixture(dir, "fx-deaf", "deaf",
                    Map.of("Outpost-Restart", "on-demand")));
            PluginService service = own.awaitService(deaf, "fixture");
            PluginEventRecorder events = new PluginEventRecorder(own.context);
            long first = own.pid(deaf);
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            own.awaitState(deaf, s -> s != PluginState.RUNNING);
            byte[] big = new byte[1 << 20];
            List<CompletableFuture<byte[]>> waiting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                waiting.add(service.callAsync("echo", big, Duration.ofSeconds(30))); // sent once it serves again
            }
            // a neighbour whose Hello comes while the deaf plugin's waiting calls are being written
            // (that write stalls from its Hello, at 300 ms, until the write timeout, 2000 ms later)
            long began = System.nanoTime();
            Bundle next = own.installAndStart(TestBundles.fixture(dir, "fx-next", "deaf, 800"));
            events.awaitEntered(next.getBundleId(), PluginState.RUNNING, 1);
            long tookMillis = (System.nanoTime() - began) / 1_000_000;
            assertTrue(tookMillis < 1500, "the neighbour served " + tookMillis + " ms after its start, its Hello"
                    + " coming at 800 ms; the stalled write did not hold it up");
            for (CompletableFuture<byte[]> call : waiting) {
                assertTrue(call.handle((v, e) -> e != null).get(10, TimeUnit.SECONDS), "the deaf plugin's calls failed");
            }
            events.close();
        }
    }
}
