package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.outpost.api.PluginService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/** {@code outpost.spin.us}: a caller blocked on a call polls for its answer before it sleeps. */
class SpinTest {
    private static final int CALLS = 50;

    @TempDir
    Path dir;

    @Test
    void aBlockingCallerPollsForAQuickAnswerInsteadOfSleeping() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "the runtime never polls on one CPU");
        try (TestRuntime runtime = TestRuntime.start(dir, Map.of("outpost.spin.us", "10000"))) {
            Bundle bundle = runtime.installAndStart(TestBundles.echo());
            PluginService echo = runtime.awaitService(bundle, "echo");
            List<String> environment = environ(runtime.pid(bundle));
            assertTrue(environment.contains("OUTPOST_SPIN_US=10000"), environment.toString());

            byte[] payload = {1, 2, 3};
            for (int i = 0; i < 20; i++) {
                echo.call("echo", payload, Duration.ofSeconds(10)); // warm: classes, JIT
            }
            long before = voluntarySwitches();
            for (int i = 0; i < CALLS; i++) {
                assertArrayEquals(payload, echo.call("echo", payload, Duration.ofSeconds(10)));
            }
            long slept = voluntarySwitches() - before;
            // polling: none (a GC pause may cost one or two); without it 3 to 32 in 50 calls, measured
            assertTrue(slept <= 2, "the caller slept " + slept + " times in " + CALLS + " calls");
        }
    }

    /** voluntary_ctxt_switches of this thread: how often it has slept. */
    private static long voluntarySwitches() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new IllegalStateException("no voluntary_ctxt_switches in /proc/thread-self/status");
    }

    private static List<String> environ(long pid) throws IOException {
        String all = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        return Arrays.asList(all.split("\0"));
    }
}
