package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/** Hot reload: the new process serves before the old one goes, and no call fails on the way. */
class HotReloadTest {
    private static final Duration T = Duration.ofSeconds(10);

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
    void fiftyReloadsUnderSteadyLoadFailNoCall() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        runtime.awaitService(bundle, "echo");
        ServiceTracker<PluginService, PluginService> tracker = new ServiceTracker<>(runtime.context,
                runtime.context.createFilter("(&(objectClass=" + PluginService.class.getName() + ")("
                        + PluginServiceProperties.BUNDLE_ID + "=" + bundle.getBundleId() + "))"), null);
        tracker.open();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong served = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            byte[] payload = {(byte) t};
            Thread caller = new Thread(() -> {
                while (running.get()) {
                    PluginService echo = tracker.getService();
                    if (echo == null) {
                        // getService() can lose a race with the very service it picked going away;
                        // what matters is that another one is there
                        Object[] all = tracker.getServices();
                        if (all == null || all.length == 0) {
                            failures.add("no echo service registered");
                            continue;
                        }
                        echo = (PluginService) all[all.length - 1];
                    }
                    try {
                        byte[] answer = echo.call("echo", payload, T);
                        if (answer.length != 1 || answer[0] != payload[0]) {
                            failures.add("wrong answer");
                        }
                        served.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            });
            caller.start();
            callers.add(caller);
        }
        List<Long> pids = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                pids.add(runtime.pid(bundle));
                try (InputStream jar = Files.newInputStream(TestBundles.echo())) {
                    runtime.plugins().update(bundle.getBundleId(), jar);
                }
                assertEquals(PluginState.RUNNING, runtime.info(bundle).state());
            }
        } finally {
            running.set(false);
            for (Thread t : callers) {
                t.join(20_000);
            }
            tracker.close();
        }
        assertEquals(List.of(), failures.stream().distinct().limit(5).toList(), failures.size() + " calls failed during reloads");
        assertTrue(served.get() > 50, "calls were made throughout: " + served.get());
        long last = runtime.pid(bundle);
        for (long pid : pids) {
            assertNotEquals(last, pid);
            assertFalse(Processes.exists(pid), "old process " + pid + " is reaped");
        }
        assertEquals(1, runtime.serviceCount(bundle), "one service, in the bundle's name");
    }

    @Test
    void brokenNewContentIsRefusedAndTheOldPluginKeepsServing() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        PluginService echo = runtime.awaitService(bundle, "echo");
        long pid = runtime.pid(bundle);
        Path broken = TestBundles.bundle(dir, "broken", Map.of("Outpost-Executable", "bin/x"),
                Map.of("bin/x", "not a program".getBytes()));
        try (InputStream jar = Files.newInputStream(broken)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> runtime.plugins().update(bundle.getBundleId(), jar));
            assertTrue(e.getMessage().contains("does not serve"), e.getMessage());
        }
        assertEquals(pid, runtime.pid(bundle));
        assertArrayEquals(new byte[] {5}, echo.call("echo", new byte[] {5}, T));
    }
}
