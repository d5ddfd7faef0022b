package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginServiceProperties;
import dev.outpost.api.PluginState;
import dev.outpost.itests.ds.TypedZlibUser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The interface generated from zlib.proto, registered by the runtime beside the plugin's
 * {@code PluginService} because the bundle names it ({@code Outpost-Service}): a plain Declarative
 * Services component in another bundle references {@code Zlib} and calls {@code zlib.crc32(...)},
 * and hot reloads under it fail no call.
 */
class TypedServicesTest {
    private static final String ZLIB = "dev.outpost.sample.zlib.Zlib";

    @TempDir
    Path dir;
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        clearCounts();
        runtime = TestRuntime.start(dir);
        runtime.startScr();
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        clearCounts();
    }

    private static void clearCounts() {
        System.clearProperty(TypedZlibUser.OK);
        System.clearProperty(TypedZlibUser.FAILED);
        System.clearProperty(TypedZlibUser.LAST_FAILURE);
    }

    @Test
    void aComponentReferencingTheGeneratedInterfaceCallsThePlugin() throws Exception {
        Bundle zlib = runtime.installAndStart(TestBundles.zlib());
        runtime.awaitService(zlib, "zlib");
        runtime.installAndStart(componentBundle());
        awaitOk(100);
        assertEquals("0", System.getProperty(TypedZlibUser.FAILED), System.getProperty(TypedZlibUser.LAST_FAILURE));
        ServiceReference<?> typed = runtime.context.getAllServiceReferences(ZLIB, null)[0];
        assertEquals(runtime.pid(zlib), typed.getProperty(PluginServiceProperties.PID), "the PluginService's properties");
        assertEquals("zlib", typed.getProperty(PluginServiceProperties.SERVICE_NAME));
        zlib.stop();
        assertEquals(null, runtime.context.getAllServiceReferences(ZLIB, null), "withdrawn with the plugin");
    }

    @Test
    void hotReloadsUnderTheComponentFailNoCall() throws Exception {
        Bundle zlib = runtime.installAndStart(TestBundles.zlib());
        runtime.awaitService(zlib, "zlib");
        Bundle consumer = runtime.installAndStart(componentBundle());
        awaitOk(10);
        byte[] jar = Files.readAllBytes(TestBundles.zlib());
        long firstPid = runtime.pid(zlib);
        for (int i = 0; i < 5; i++) {
            long before = Long.parseLong(System.getProperty(TypedZlibUser.OK));
            runtime.plugins().update(zlib.getBundleId(), new ByteArrayInputStream(jar));
            awaitOk(before + 10); // calls go on after each reload
        }
        assertNotEquals(firstPid, runtime.pid(zlib), "reloaded into a new process");
        assertEquals("0", System.getProperty(TypedZlibUser.FAILED), System.getProperty(TypedZlibUser.LAST_FAILURE));

        // a refresh wires the consumer to the latest revision, whose interface the plugin then serves
        CountDownLatch refreshed = new CountDownLatch(1);
        runtime.framework.adapt(FrameworkWiring.class).refreshBundles(List.of(zlib), e -> refreshed.countDown());
        assertTrue(refreshed.await(20, TimeUnit.SECONDS));
        assertEquals(Bundle.ACTIVE, consumer.getState());
        clearCounts();
        awaitOk(10);
        assertEquals("0", System.getProperty(TypedZlibUser.FAILED), System.getProperty(TypedZlibUser.LAST_FAILURE));
    }

    @Test
    void aBundleNamingAnInterfaceItDoesNotCarryFailsNamingIt() throws Exception {
        Bundle b = runtime.installAndStart(TestBundles.fixture(dir, "fx-typed", "ok",
                Map.of("Outpost-Service", "fixture; interface=com.example.Missing")));
        String failure = runtime.awaitState(b, PluginState.FAILED).failure().orElseThrow();
        assertTrue(failure.contains("Outpost-Service of service fixture: com.example.Missing is not in the bundle"),
                failure);
    }

    private static void awaitOk(long calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String ok = System.getProperty(TypedZlibUser.OK);
            if (ok != null && Long.parseLong(ok) >= calls) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        throw new AssertionError("fewer than " + calls + " calls: " + System.getProperty(TypedZlibUser.OK)
                + ", last failure " + System.getProperty(TypedZlibUser.LAST_FAILURE));
    }

    /** A bundle of the component class and its description, importing the generated interface's package. */
    private Path componentBundle() throws Exception {
        String component = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="typed-zlib-user"
                    activate="activate" deactivate="deactivate" immediate="true">
                  <implementation class="dev.outpost.itests.ds.TypedZlibUser"/>
                  <reference name="zlib" interface="dev.outpost.sample.zlib.Zlib" field="zlib"
                      policy="dynamic" policy-option="greedy"/>
                </scr:component>
                """;
        String clazz = "dev/outpost/itests/ds/TypedZlibUser.class";
        byte[] bytes;
        try (var in = TypedZlibUser.class.getClassLoader().getResourceAsStream(clazz)) {
            bytes = in.readAllBytes();
        }
        return TestBundles.plainBundle(dir, "typed-consumer", Map.of(
                "Service-Component", "OSGI-INF/typed-zlib-user.xml",
                "Import-Package", "dev.outpost.sample.zlib, com.google.protobuf"),
                Map.of("OSGI-INF/typed-zlib-user.xml", component.getBytes(StandardCharsets.UTF_8), clazz, bytes));
    }
}
