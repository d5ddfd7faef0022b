package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginState;
import dev.outpost.sample.counter.Counter;
import dev.outpost.sample.counter.GetRequest;
import dev.outpost.sample.counter.IncrementRequest;
import dev.outpost.sample.counter.TallyRequest;
import dev.outpost.sample.counter.TallyResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The samples of plugin-to-host calls together: the counter plugin keeps its counts in the kv host
 * service (a Java bundle), so they survive a kill -9 of its process, and asks the zlib plugin for
 * CRC-32s through the host.
 */
class CounterSampleTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;
    Bundle kv;
    Bundle counterBundle;
    Counter counter;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.restart.policy", "on-failure",
                "outpost.restart.initial.delay.ms", "10"));
        kv = runtime.installAndStart(TestBundles.kv());
        runtime.awaitService(runtime.installAndStart(TestBundles.zlib()), "zlib");
        counterBundle = runtime.installAndStart(TestBundles.counter());
        counter = Counter.over(runtime.awaitService(counterBundle, "counter"));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    private long increment(String name) {
        return counter.increment(IncrementRequest.newBuilder().setName(name).build(), T).getCount();
    }

    @Test
    void countsKeptInTheHostsStoreSurviveAKillOfThePluginsProcess() throws Exception {
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, increment("apples"));
        }
        long pid = runtime.pid(counterBundle);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false));
        runtime.awaitState(counterBundle, s -> s == PluginState.RUNNING && runtime.pid(counterBundle) != pid);
        assertNotEquals(pid, runtime.pid(counterBundle));
        assertEquals(3, counter.get(GetRequest.newBuilder().setName("apples").build(), T).getCount(),
                "the new process reads what the old one counted");
        assertEquals(4, increment("apples"));
        assertEquals(1, increment("pears"));
    }

    @Test
    void aTallyAsksTheZlibPluginThroughTheHost() {
        byte[] data = "the plugin's native code must not take the application down".getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        TallyRequest request = TallyRequest.newBuilder().setData(ByteString.copyFrom(data)).build();
        TallyResponse first = counter.tally(request, T);
        assertEquals((int) crc.getValue(), first.getCrc());
        assertEquals(1, first.getCount());
        assertEquals(2, counter.tally(request, T).getCount());
    }

    @Test
    void withoutTheStoreACountFailsWithTheHostsCode() throws Exception {
        kv.stop();
        PluginException e = assertThrows(PluginException.class, () -> increment("apples"));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("kv/add"), e.getMessage());
        PluginException bad = assertThrows(PluginException.class, () -> increment(""));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
    }
}
