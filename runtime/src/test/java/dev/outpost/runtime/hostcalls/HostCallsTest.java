package dev.outpost.runtime.hostcalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.HostService;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginServiceProperties;
import dev.outpost.protocol.v1.Code;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.channel.RequestHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/** A plugin's calls to host services, against a plain Felix registry, without processes. */
class HostCallsTest {
    private static final long PLUGIN_BUNDLE = 42; // not the system bundle, which registers the services

    @TempDir
    Path tmp;
    private Framework framework;
    private BundleContext context;
    private HostCallPool pool;
    private ScheduledExecutorService timer;
    private PluginImports imports;
    private RequestHandler calls;
    private final LinkedBlockingQueue<Response> answers = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        framework = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, tmp.resolve("cache").toString()));
        framework.init();
        framework.start();
        context = framework.getBundleContext();
        timer = Executors.newSingleThreadScheduledExecutor();
        open(new HostCallLimits(4, 2, 3, 1 << 20, 30_000, 1 << 20));
    }

    private void open(HostCallLimits limits) {
        if (pool != null) {
            pool.close();
        }
        pool = new HostCallPool(limits);
        imports = new PluginImports("fx", context, PLUGIN_BUNDLE, Map.of("kv", "", "zlib", "other"), pool, timer, limits);
        imports.start();
        calls = imports.open("fx (pid 7)");
    }

    @AfterEach
    void stop() throws Exception {
        imports.close();
        pool.close();
        timer.shutdownNow();
        framework.stop();
        framework.waitForStop(10_000);
    }

    private ServiceRegistration<?> export(String name, HostService service) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HostService.EXPORT, name);
        return context.registerService(HostService.class, service, props);
    }

    private Response call(long id, String service, String method, String payload, int timeoutMs) throws Exception {
        calls.request(Request.newBuilder().setId(id).setService(service).setMethod(method).setTimeoutMs(timeoutMs)
                .setPayload(ByteString.copyFromUtf8(payload)).build(), answers::add);
        return next();
    }

    private Response next() throws InterruptedException {
        Response r = answers.poll(10, TimeUnit.SECONDS);
        assertTrue(r != null, "an answer came");
        return r;
    }

    @Test
    void aHostServiceAnswersTheCallWithItsBytes() throws Exception {
        export("kv", (method, payload) -> (method + ":" + new String(payload, StandardCharsets.UTF_8)).getBytes());
        Response r = call(1, "kv", "get", "apples", 0);
        assertEquals(1, r.getId());
        assertEquals("get:apples", r.getPayload().toStringUtf8());
        assertEquals(List.of("kv"), imports.available(), "zlib is imported but not registered");
    }

    @Test
    void aServiceTheBundleDoesNotImportIsDeniedAndNamed() throws Exception {
        export("secrets", (m, p) -> "leaked".getBytes());
        Response r = call(2, "secrets", "read", "", 0);
        assertEquals(Code.PERMISSION_DENIED, r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("secrets"), r.getError().getMessage());
    }

    @Test
    void anImportWithNothingRegisteredIsUnavailable() throws Exception {
        assertEquals(Code.UNAVAILABLE, call(3, "kv", "get", "", 0).getError().getCode());
    }

    @Test
    void aServiceThatThrowsAnswersInternalWithTheMessageAndAPluginExceptionKeepsItsCode() throws Exception {
        export("kv", (method, payload) -> {
            if (method.equals("get")) {
                throw new IllegalStateException("the store is closed");
            }
            throw new PluginException(ErrorCode.UNIMPLEMENTED, "no method " + method);
        });
        Response internal = call(4, "kv", "get", "", 0);
        assertEquals(Code.INTERNAL, internal.getError().getCode());
        assertEquals("the store is closed", internal.getError().getMessage());
        Response unimplemented = call(5, "kv", "frobnicate", "", 0);
        assertEquals(Code.UNIMPLEMENTED, unimplemented.getError().getCode());
        assertEquals("no method frobnicate", unimplemented.getError().getMessage());
    }

    @Test
    void thePluginsDeadlineAnswersDeadlineExceededAndInterruptsTheBlockedService() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        export("kv", (method, payload) -> {
            try {
                TimeUnit.SECONDS.sleep(30);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return new byte[0];
        });
        Response r = call(6, "kv", "get", "", 50);
        assertEquals(Code.DEADLINE_EXCEEDED, r.getError().getCode());
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the service's thread was interrupted");
        assertNull(answers.poll(100, TimeUnit.MILLISECONDS), "one answer only");
    }

    @Test
    void aCancelAnswersCancelledAndCancelsTheServicesFuture() throws Exception {
        CompletableFuture<byte[]> pending = new CompletableFuture<>();
        CountDownLatch called = new CountDownLatch(1);
        export("kv", new HostService() {
            @Override
            public byte[] call(String method, byte[] payload) {
                throw new AssertionError("the async form is used");
            }

            @Override
            public CompletableFuture<byte[]> callAsync(String method, byte[] payload) {
                called.countDown();
                return pending;
            }
        });
        calls.request(Request.newBuilder().setId(7).setService("kv").setMethod("watch").build(), answers::add);
        assertTrue(called.await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pending.getNumberOfDependents() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the call attaches to the future just after the service returns it
        }
        calls.cancel(7);
        Response r = next();
        assertEquals(7, r.getId());
        assertEquals(Code.CANCELLED, r.getError().getCode());
        assertTrue(pending.isCancelled(), "the service's future was cancelled");
    }

    @Test
    void aServiceUnregisteredDuringTheCallAnswersUnavailable() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        ServiceRegistration<?> registration = export("kv", (method, payload) -> {
            inCall.countDown();
            TimeUnit.SECONDS.sleep(30);
            return new byte[0];
        });
        calls.request(Request.newBuilder().setId(8).setService("kv").setMethod("get").build(), answers::add);
        assertTrue(inCall.await(10, TimeUnit.SECONDS));
        registration.unregister();
        Response r = next();
        assertEquals(Code.UNAVAILABLE, r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("went away"), r.getError().getMessage());
    }

    @Test
    void callsBeyondThePluginsBoundAreRefusedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        export("kv", (method, payload) -> {
            release.await(30, TimeUnit.SECONDS);
            return "late".getBytes();
        });
        for (int id = 1; id <= 3; id++) {
            calls.request(Request.newBuilder().setId(id).setService("kv").setMethod("get").build(), answers::add);
        }
        Response refused = call(4, "kv", "get", "", 0);
        assertEquals(4, refused.getId());
        assertEquals(Code.RESOURCE_EXHAUSTED, refused.getError().getCode());
        release.countDown();
        Set<Long> ids = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            Response r = next();
            assertEquals("late", r.getPayload().toStringUtf8());
            ids.add(r.getId());
        }
        assertEquals(Set.of(1L, 2L, 3L), ids);
    }

    @Test
    void aClosedConnectionAbandonsItsCallsWithoutAnswers() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch inCall = new CountDownLatch(1);
        export("kv", (method, payload) -> {
            inCall.countDown();
            try {
                TimeUnit.SECONDS.sleep(30);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return new byte[0];
        });
        calls.request(Request.newBuilder().setId(9).setService("kv").setMethod("get").build(), answers::add);
        assertTrue(inCall.await(10, TimeUnit.SECONDS));
        calls.closed();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
        assertNull(answers.poll(100, TimeUnit.MILLISECONDS));
        calls.request(Request.newBuilder().setId(10).setService("kv").setMethod("get").build(), answers::add);
        assertNull(answers.poll(100, TimeUnit.MILLISECONDS), "nothing is served after the close");
    }

    @Test
    void anotherPluginsServiceIsCalledWhenTheImportNamesThatPlugin() throws Exception {
        Hashtable<String, Object> impostor = new Hashtable<>();
        impostor.put(PluginServiceProperties.SERVICE_NAME, "kv"); // a plugin declaring the name of an export
        impostor.put(PluginServiceProperties.PLUGIN_NAME, "hostile");
        context.registerService(PluginService.class, new FakePluginService(), impostor);
        assertEquals(Code.UNAVAILABLE, call(13, "kv", "get", "", 0).getError().getCode(), "never reached by kv's importers");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(PluginServiceProperties.SERVICE_NAME, "zlib");
        props.put(PluginServiceProperties.PLUGIN_NAME, "other");
        context.registerService(PluginService.class, new FakePluginService(), props);
        Response r = call(11, "zlib", "crc32", "abc", 0);
        assertEquals("zlib/crc32(abc)", r.getPayload().toStringUtf8());
    }

    @Test
    void anAnswerLargerThanAFrameIsRefusedResourceExhausted() throws Exception {
        open(new HostCallLimits(4, 2, 3, 1 << 20, 30_000, 1024));
        export("kv", (method, payload) -> new byte[4096]);
        assertEquals(Code.RESOURCE_EXHAUSTED, call(12, "kv", "get", "", 0).getError().getCode());
    }

    /** A plugin's service as the runtime registers it: answers with what it was asked. */
    private static final class FakePluginService implements PluginService {
        @Override
        public String pluginName() {
            return "other";
        }

        @Override
        public String serviceName() {
            return "zlib";
        }

        @Override
        public Set<String> methods() {
            return Set.of("crc32");
        }

        @Override
        public CompletableFuture<byte[]> callAsync(String method, byte[] payload, Duration timeout) {
            return CompletableFuture.completedFuture(("zlib/" + method + "(" + new String(payload) + ")").getBytes());
        }
    }
}
