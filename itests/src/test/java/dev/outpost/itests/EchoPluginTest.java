package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** The echo sample plugin in a real framework: spawn, talk, stop, reap. */
class EchoPluginTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.frame.max.bytes", String.valueOf(8 * 1024 * 1024)));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    @Test
    void stopRightAfterStartNeverLeavesAProcessWhetherOrNotItWasSpawnedYet() throws Exception {
        // the spawn happens on the runtime's spawn thread: a stop may come before it, during it or after it
        Bundle bundle = runtime.install(TestBundles.echo());
        for (int i = 0; i < 50; i++) {
            bundle.start();
            bundle.stop();
            assertEquals(List.of(), Processes.pluginProcesses(), "round " + i + ": the stop returned before the reap");
        }
        bundle.start();
        assertEquals("hello", new String(runtime.awaitService(bundle, "echo").call("echo",
                "hello".getBytes(StandardCharsets.UTF_8), T), StandardCharsets.UTF_8));
    }

    @Test
    void startedBundleRunsAProcessNamedAfterThePluginFromMemoryWithTheFourDescriptorsOfTheHost() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        runtime.awaitService(bundle, "echo");
        long pid = runtime.pid(bundle);
        assertTrue(pid > 0);
        assertEquals("echo", Processes.argv0(pid));
        String exe = Processes.exe(pid);
        assertTrue(exe.startsWith("/memfd:"), "executable is not a file on disk: " + exe);
        // 0 to 3 from the host; while it serves, the C SDK holds one eventfd of its own (its SIGTERM wake-up)
        assertEquals(List.of(0, 1, 2, 3, 4), Processes.fds(pid));
        assertEquals("anon_inode:[eventfd]", Processes.fdTarget(pid, 4));
        assertTrue(Processes.fdTarget(pid, 3).startsWith("socket:"), Processes.fdTarget(pid, 3));
        assertEquals("/dev/null", Processes.fdTarget(pid, 0));
        assertTrue(Processes.fdTarget(pid, 1).startsWith("pipe:"));
        runtime.awaitState(bundle, PluginState.RUNNING);
    }

    @Test
    void eventsCostNothingWithoutListenersAndAListenerSeesThemFromItsRegistrationOn() throws Exception {
        Set<Thread> before = eventThreads();
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        runtime.awaitState(bundle, PluginState.RUNNING);
        assertEquals(before, eventThreads(), "no listener: no events thread was started");
        try (PluginEventRecorder events = new PluginEventRecorder(runtime.context)) {
            bundle.stop();
            events.awaitEntered(bundle.getBundleId(), PluginState.STOPPED, 1);
            assertEquals(List.of("RUNNING>STOPPING", "STOPPING>STOPPED"), events.transitions(bundle.getBundleId()));
        }
    }

    private static Set<Thread> eventThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("outpost-events")).collect(Collectors.toSet());
    }

    @Test
    void serviceCarriesPluginPropertiesInTheRegistry() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        PluginService echo = runtime.awaitService(bundle, "echo");
        ServiceReference<PluginService> ref = runtime.context.getServiceReferences(PluginService.class,
                "(" + PluginServiceProperties.BUNDLE_ID + "=" + bundle.getBundleId() + ")").iterator().next();
        assertEquals("echo", ref.getProperty(PluginServiceProperties.PLUGIN_NAME));
        assertEquals("echo", ref.getProperty(PluginServiceProperties.SERVICE_NAME));
        assertArrayEquals(new String[] {"echo"}, (String[]) ref.getProperty(PluginServiceProperties.METHODS));
        assertEquals(runtime.pid(bundle), ref.getProperty(PluginServiceProperties.PID));
        assertEquals(bundle.getBundleId(), ref.getProperty(PluginServiceProperties.BUNDLE_ID));
        assertTrue(((String) ref.getProperty(PluginServiceProperties.PLUGIN_VERSION)).length() > 0);
        assertEquals(bundle, ref.getBundle(), "the plugin's bundle provides the service");
        assertEquals("echo", echo.pluginName());
    }

    @Test
    void echoReturnsTheSameBytesIncludingEmptyAndFourMegabytes() throws Exception {
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8),
                echo.call("echo", "hello".getBytes(StandardCharsets.UTF_8), T));
        assertArrayEquals(new byte[0], echo.call("echo", new byte[0], T));
        byte[] big = new byte[4 * 1024 * 1024];
        new Random(42).nextBytes(big);
        assertArrayEquals(big, echo.call("echo", big, T));
    }

    @Test
    void payloadsAroundTheBufferSizesComeBackWholeWithSmallCallsInBetween() throws Exception {
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        Random random = new Random(7);
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (int size : new int[] {16 * 1024 - 40, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 64 * 1024 - 1,
                64 * 1024, 64 * 1024 + 1, 1 << 20, 3_000_001}) {
            for (byte[] payload : List.of(new byte[size], new byte[1 + random.nextInt(100)])) {
                random.nextBytes(payload);
                sent.add(payload);
                answers.add(echo.callAsync("echo", payload));
            }
        }
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), answers.get(i).get(30, TimeUnit.SECONDS), "call " + i);
        }
        assertArrayEquals(sent.get(sent.size() - 2), echo.call("echo", sent.get(sent.size() - 2), T), "blocking");
    }

    @Test
    void blockingCallsAmongLargeAsyncOnesFromSeveralThreadsAllComeBack() throws Exception {
        // the socket fills up both ways: a blocking caller that took the socket from the reactor to
        // read its own answer must hand it back before it waits to write, or nobody reads
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                workers.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 20; i++) {
                        byte[] large = new byte[1 << 20];
                        random.nextBytes(large);
                        CompletableFuture<byte[]> async = echo.callAsync("echo", large);
                        byte[] small = new byte[1 + random.nextInt(64)];
                        random.nextBytes(small);
                        assertArrayEquals(small, echo.call("echo", small, T));
                        byte[] big = new byte[300_000];
                        random.nextBytes(big);
                        assertArrayEquals(big, echo.call("echo", big, T));
                        assertArrayEquals(large, async.get(30, TimeUnit.SECONDS));
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoHundredConcurrentCallsFromSeveralThreadsEachGetTheirOwnAnswer() throws Exception {
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<CompletableFuture<byte[]>>>> batches = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                batches.add(pool.submit(() -> {
                    List<CompletableFuture<byte[]>> calls = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        calls.add(echo.callAsync("echo", ("call " + thread + "/" + i).getBytes(StandardCharsets.UTF_8), T));
                    }
                    return calls;
                }));
            }
            int answered = 0;
            for (int t = 0; t < 8; t++) {
                List<CompletableFuture<byte[]>> calls = batches.get(t).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < calls.size(); i++) {
                    assertEquals("call " + t + "/" + i,
                            new String(calls.get(i).get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
                    answered++;
                }
            }
            assertEquals(200, answered);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void blockingCallersThatReadTheirOwnAnswersAndAsyncCallersShareOneChannel() throws Exception {
        // a blocking call reads its answer on its own thread while no other does; the others wait
        // for the reactor or for that caller, whichever reads their answers
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        String text = "call " + thread + "/" + i;
                        byte[] answer = thread % 2 == 0
                                ? echo.call("echo", text.getBytes(StandardCharsets.UTF_8), T)
                                : echo.callAsync("echo", text.getBytes(StandardCharsets.UTF_8), T).get(10, TimeUnit.SECONDS);
                        assertEquals(text, new String(answer, StandardCharsets.UTF_8));
                    }
                    return 300;
                }));
            }
            int answered = 0;
            for (Future<Integer> w : workers) {
                answered += w.get(60, TimeUnit.SECONDS);
            }
            assertEquals(1800, answered);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownMethodGivesUnimplemented() throws Exception {
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        PluginException e = assertThrows(PluginException.class, () -> echo.call("shout", new byte[1], T));
        assertEquals(ErrorCode.UNIMPLEMENTED, e.code());
        assertTrue(e.getMessage().contains("shout"), e.getMessage());
        assertArrayEquals(new byte[] {7}, echo.call("echo", new byte[] {7}, T), "the plugin still serves");
    }

    @Test
    void requestAboveTheFrameLimitIsRefusedWithAClearErrorAndThePluginKeepsServing() throws Exception {
        PluginService echo = runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        PluginException e = assertThrows(PluginException.class, () -> echo.call("echo", new byte[9 * 1024 * 1024], T));
        assertEquals(ErrorCode.RESOURCE_EXHAUSTED, e.code());
        assertTrue(e.getMessage().contains("exceeds the limit of 8388608 bytes"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2}, echo.call("echo", new byte[] {1, 2}, T));
    }

    @Test
    void stopReturnsOnlyAfterTheProcessIsReapedAndTheServiceIsGone() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        PluginService echo = runtime.awaitService(bundle, "echo");
        long pid = runtime.pid(bundle);
        bundle.stop();
        assertFalse(Processes.exists(pid), "pid " + pid + " still in /proc (state " + Processes.state(pid) + ")");
        assertEquals(0, runtime.serviceCount(bundle));
        PluginException e = assertThrows(PluginException.class, () -> echo.call("echo", new byte[1], T));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(PluginState.STOPPED, runtime.plugins().forBundle(bundle.getBundleId())
                .map(i -> i.state()).orElse(PluginState.STOPPED));
    }

    @Test
    void uninstallKillsAndReapsAndARestartSpawnsAFreshProcess() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        runtime.awaitService(bundle, "echo");
        long first = runtime.pid(bundle);
        bundle.stop();
        bundle.start();
        PluginService echo = runtime.awaitService(bundle, "echo");
        long second = runtime.pid(bundle);
        assertTrue(second != first);
        assertArrayEquals(new byte[] {3}, echo.call("echo", new byte[] {3}, T));
        bundle.uninstall();
        assertFalse(Processes.exists(first));
        assertFalse(Processes.exists(second));
    }

    @Test
    void callsInFlightWhenStoppingFailWithUnavailable() throws Exception {
        Bundle bundle = runtime.installAndStart(TestBundles.echo());
        PluginService echo = runtime.awaitService(bundle, "echo");
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(echo.callAsync("echo", new byte[64 * 1024]));
        }
        bundle.stop();
        for (CompletableFuture<byte[]> c : calls) {
            assertTrue(c.isDone(), "no call is left hanging after stop");
            if (c.isCompletedExceptionally()) {
                PluginException e = (PluginException) assertThrows(Exception.class, c::join).getCause();
                assertEquals(ErrorCode.UNAVAILABLE, e.code());
            }
        }
    }
}
