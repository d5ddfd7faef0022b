package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Many plugins, many callers, every size the code treats differently, all at once: 4 plugins, 8
 * threads mixing blocking and asynchronous calls, payloads from 0 B to 3 MiB on both sides of
 * every boundary (16 KiB, the read buffer; 64 KiB, requests sent from the caller's array), Log
 * frames and error messages over 16 KiB in between; every answer compared byte for byte, no
 * plugin restarted, the JVM alive. The suite runs it for {@value #DEFAULT_SECONDS} s; the soak runs
 * it longer: {@code mvn -pl itests -am verify -Dtest=StressTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Doutpost.stress.seconds=600}.
 */
class StressTest {
    private static final int DEFAULT_SECONDS = 6;
    private static final long SECONDS = Long.getLong("outpost.stress.seconds", DEFAULT_SECONDS);
    private static final int PLUGINS = 4, THREADS = 8;
    private static final int[] SIZES = {0, 1, 100, 4096, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 64 * 1024 - 1,
        64 * 1024, 64 * 1024 + 1, 200_000, 1024 * 1024, 3 * 1024 * 1024};
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    TestRuntime runtime;

    /** The plugins' large Log lines are real work for the host, but not for the test's output. */
    private final java.util.logging.Logger pluginLogs = java.util.logging.Logger.getLogger("outpost.plugin");
    private java.util.logging.Level level;

    @BeforeEach
    void start() throws Exception {
        level = pluginLogs.getLevel();
        pluginLogs.setLevel(java.util.logging.Level.WARNING);
        runtime = TestRuntime.start(dir, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        pluginLogs.setLevel(level);
    }

    @Test
    void everyAnswerIsRightWhilePluginsCallersSizesLogsAndErrorsAllMix() throws Exception {
        List<Bundle> bundles = new ArrayList<>();
        List<PluginService> services = new ArrayList<>();
        for (int i = 0; i < PLUGINS; i++) {
            Bundle b = runtime.installAndStart(TestBundles.fixture(dir, "fx-stress-" + i, "ok"));
            bundles.add(b);
        }
        List<Long> pids = new ArrayList<>();
        for (Bundle b : bundles) {
            services.add(runtime.awaitService(b, "fixture"));
            pids.add(runtime.pid(b));
        }
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < end && failures.size() < 10) {
                    PluginService s = services.get(random.nextInt(PLUGINS));
                    try {
                        once(s, random);
                        done.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        failures.add(s.pluginName() + ": " + e);
                    }
                }
            }, "stress-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(SECONDS + 120));
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(done.get() > THREADS, "operations: " + done.get());
        for (int i = 0; i < PLUGINS; i++) {
            assertEquals(PluginState.RUNNING, runtime.info(bundles.get(i)).state());
            assertEquals(pids.get(i), runtime.pid(bundles.get(i)), "no plugin crashed or was restarted");
        }
    }

    /** One operation, chosen at random: an echo (blocking or not), a long error, a large Log. */
    private static void once(PluginService s, ThreadLocalRandom random) throws Exception {
        int kind = random.nextInt(10);
        if (kind == 0) {
            int n = random.nextBoolean() ? 20_000 : 70_000;
            try {
                s.call("fail", Integer.toString(n).getBytes(StandardCharsets.UTF_8), T);
                throw new AssertionError("fail did not fail");
            } catch (PluginException e) {
                if (e.code() != ErrorCode.INTERNAL || e.getMessage().length() < n) {
                    throw new AssertionError("wrong error: " + e.code() + ", " + e.getMessage().length() + " chars");
                }
            }
            return;
        }
        if (kind == 1) {
            int n = random.nextBoolean() ? 20_000 : 70_000;
            byte[] answer = s.call("logbig", Integer.toString(n).getBytes(StandardCharsets.UTF_8), T);
            if (!"logged".equals(new String(answer, StandardCharsets.UTF_8))) {
                throw new AssertionError("logbig answered " + answer.length + " bytes");
            }
            return;
        }
        int size = SIZES[random.nextInt(SIZES.length)];
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        byte[] answer;
        if (random.nextBoolean()) {
            answer = s.call("echo", payload, T);
        } else {
            try {
                answer = s.callAsync("echo", payload, T).get(T.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw (Exception) e.getCause();
            }
        }
        if (!Arrays.equals(payload, answer)) {
            throw new AssertionError("echo of " + size + " bytes came back as " + answer.length
                    + " bytes, first difference at " + Arrays.mismatch(payload, answer));
        }
    }
}
