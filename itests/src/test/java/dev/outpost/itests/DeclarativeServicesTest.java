package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginState;
import dev.outpost.itests.ds.CallsOnActivate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * A Declarative Services component (Apache Felix SCR) in another bundle references a plugin's
 * {@code PluginService} with a target filter and calls it from its {@code activate} method, which
 * SCR runs while the service is being registered: the call is served (the plugin is RUNNING before
 * its services are registered, and nothing holds a lock the call needs), not stuck until its
 * deadline.
 */
class DeclarativeServicesTest {
    @TempDir
    Path dir;
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        System.clearProperty(CallsOnActivate.ANSWER);
        runtime = TestRuntime.start(dir);
        runtime.startScr();
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        System.clearProperty(CallsOnActivate.ANSWER);
    }

    @Test
    void aComponentCallingThePluginFromItsActivateMethodIsServed() throws Exception {
        runtime.installAndStart(componentBundle());
        long began = System.nanoTime();
        Bundle plugin = runtime.installAndStart(TestBundles.fixture(dir, "fx-ds", "ok"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.getProperty(CallsOnActivate.ANSWER) == null && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertEquals("from activate", System.getProperty(CallsOnActivate.ANSWER));
        assertTrue(System.nanoTime() - began < TimeUnit.SECONDS.toNanos(5), "answered, not stuck until the deadline");
        assertEquals(PluginState.RUNNING, runtime.info(plugin).state());
    }

    /** A bundle of the component class and its description, importing only the Outpost API. */
    private Path componentBundle() throws Exception {
        String component = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="calls-on-activate"
                    activate="activate" immediate="true">
                  <implementation class="dev.outpost.itests.ds.CallsOnActivate"/>
                  <reference name="fx" interface="dev.outpost.api.PluginService" field="fx"
                      target="(outpost.plugin.name=fx-ds)"/>
                </scr:component>
                """;
        String clazz = "dev/outpost/itests/ds/CallsOnActivate.class";
        byte[] bytes;
        try (var in = CallsOnActivate.class.getClassLoader().getResourceAsStream(clazz)) {
            bytes = in.readAllBytes();
        }
        return TestBundles.plainBundle(dir, "ds-consumer", Map.of(
                "Service-Component", "OSGI-INF/calls-on-activate.xml",
                "Import-Package", "dev.outpost.api"),
                Map.of("OSGI-INF/calls-on-activate.xml", component.getBytes(StandardCharsets.UTF_8), clazz, bytes));
    }
}
