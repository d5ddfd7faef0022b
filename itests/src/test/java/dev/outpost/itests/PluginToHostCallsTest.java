package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.HostService;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;

/** Plugins calling host services (protocol 1.1) with real processes, through the C SDK's outpost_call. */
class PluginToHostCallsTest {
    private static final Duration CALL = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch slowEntered = new CountDownLatch(1);
    final CountDownLatch slowInterrupted = new CountDownLatch(1);
    final AtomicInteger slowRunning = new AtomicInteger();
    final AtomicInteger slowMost = new AtomicInteger();
    ServiceRegistration<?> slow;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.restart.policy", "never"));
        export("kv", (method, payload) -> (method + ":" + new String(payload, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        export("fail", (method, payload) -> {
            throw new IllegalStateException("the disk is on fire");
        });
        slow = export("slow", (method, payload) -> {
            slowMost.accumulateAndGet(slowRunning.incrementAndGet(), Math::max);
            slowEntered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
                return "done".getBytes(StandardCharsets.UTF_8);
            } catch (InterruptedException e) {
                slowInterrupted.countDown();
                throw e;
            } finally {
                slowRunning.decrementAndGet();
            }
        });
        export("secret", (method, payload) -> "leaked".getBytes(StandardCharsets.UTF_8));
        // calls the calling plugin back while its call waits: plugin -> host -> the same plugin
        export("back", (method, payload) -> caller("fx").call(method, payload, CALL));
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        runtime.close();
    }

    private ServiceRegistration<?> export(String name, HostService service) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HostService.EXPORT, name);
        return runtime.context.registerService(HostService.class, service, props);
    }

    private PluginService caller(String plugin) throws Exception {
        var refs = runtime.context.getServiceReferences(PluginService.class,
                "(" + PluginServiceProperties.PLUGIN_NAME + "=" + plugin + ")");
        return runtime.context.getService(refs.iterator().next());
    }

    private PluginService fixture(String name, String imports) throws Exception {
        Bundle b = runtime.installAndStart(TestBundles.fixture(dir, name, "ok", Map.of("Outpost-Import", imports)));
        return runtime.awaitService(b, "fixture");
    }

    private static String call(PluginService fx, String what) {
        return new String(fx.call("call", what.getBytes(StandardCharsets.UTF_8), CALL), StandardCharsets.UTF_8);
    }

    @Test
    void aPluginCallsAHostServiceItImportsAndGetsItsAnswer() throws Exception {
        PluginService fx = fixture("fx", "kv, slow, fail, back");
        assertEquals("get:apples and pears", call(fx, "kv get 2000 apples and pears"));
        assertEquals("kv slow fail back", new String(fx.call("imports", new byte[0], CALL), StandardCharsets.UTF_8),
                "the Welcome lists the imports registered");
    }

    @Test
    void aServiceTheBundleDoesNotImportIsRefusedPermissionDenied() throws Exception {
        PluginService fx = fixture("fx", "kv");
        PluginException e = assertThrows(PluginException.class, () -> call(fx, "secret read 2000"));
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        assertTrue(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void aHostServiceThatThrowsAnswersInternalWithItsMessage() throws Exception {
        PluginService fx = fixture("fx", "fail");
        PluginException e = assertThrows(PluginException.class, () -> call(fx, "fail write 2000"));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.getMessage().endsWith("host: the disk is on fire"), e.getMessage());
    }

    @Test
    void thePluginsDeadlineInterruptsTheBlockedHostService() throws Exception {
        PluginService fx = fixture("fx", "slow");
        PluginException e = assertThrows(PluginException.class, () -> call(fx, "slow wait 200"));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
        assertTrue(slowInterrupted.await(10, TimeUnit.SECONDS), "the service's thread was interrupted");
        assertEquals("get:x", call(fixture("fx2", "kv"), "kv get 2000 x"), "the host still serves");
    }

    @Test
    void aHostServiceGoingAwayDuringTheCallAnswersUnavailable() throws Exception {
        PluginService fx = fixture("fx", "slow");
        CompletableFuture<byte[]> pending = fx.callAsync("call", "slow wait 20000".getBytes(StandardCharsets.UTF_8), CALL);
        assertTrue(slowEntered.await(10, TimeUnit.SECONDS));
        slow.unregister();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, ((PluginException) e.getCause()).code());
        PluginException after = assertThrows(PluginException.class, () -> call(fx, "slow wait 200"));
        assertEquals(ErrorCode.UNAVAILABLE, after.code(), "gone for later calls too");
    }

    @Test
    void aHostServiceMayCallThePluginBackWhileThePluginWaitsForIt() throws Exception {
        PluginService fx = fixture("fx", "back");
        assertEquals("round trip", call(fx, "back echo 5000 round trip"));
    }

    @Test
    void aPluginCallsAnotherPluginsServiceThroughTheHost() throws Exception {
        runtime.awaitService(runtime.installAndStart(TestBundles.echo()), "echo");
        PluginService fx = fixture("fx", "echo; plugin=echo");
        assertEquals("via the host", call(fx, "echo echo 2000 via the host"));
    }

    @Test
    void aPluginFloodingTheHostWithCallsDoesNotStarveAnotherPlugin() throws Exception {
        PluginService flooder = fixture("flooder", "slow");
        PluginService healthy = fixture("fx", "kv");
        assertEquals("sent=200", new String(flooder.call("hostflood", "200 slow wait".getBytes(StandardCharsets.UTF_8),
                CALL), StandardCharsets.UTF_8));
        assertTrue(slowEntered.await(10, TimeUnit.SECONDS));
        awaitCount(flooder, "exhausted=136"); // 64 open at once, the most a plugin may have
        for (int i = 0; i < 50; i++) {
            assertEquals("get:" + i, call(healthy, "kv get 2000 " + i), "served while the other floods");
        }
        assertEquals(4, slowMost.get(), "the flooder runs at most 4 calls at once on the host's threads");
        release.countDown();
        awaitCount(flooder, "ok=64 exhausted=136 other=0 pending=0");
    }

    private static void awaitCount(PluginService flooder, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String now = "";
        while (System.nanoTime() < deadline) {
            now = new String(flooder.call("floodcount", new byte[0], CALL), StandardCharsets.UTF_8);
            if (now.contains(wanted)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        throw new AssertionError("flood counts never reached " + wanted + ": " + now);
    }
}
