package dev.outpost.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outpost.runtime.content.ExecutableCheck;
import dev.outpost.runtime.content.Platform;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** Development mode against a plain Felix: which bundle a .plugin file becomes, and when. */
class DevPluginsTest {
    private static final Duration SETTLE = Duration.ofMillis(500);

    @TempDir
    Path tmp;
    Path deploy;
    Path build;
    Framework framework;
    final AtomicLong clock = new AtomicLong(System.currentTimeMillis() + 60_000);
    final List<String> reports = new ArrayList<>();
    DevPlugins dev;

    @BeforeEach
    void start() throws Exception {
        deploy = Files.createDirectory(tmp.resolve("deploy"));
        build = Files.createDirectory(tmp.resolve("build"));
        framework = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, tmp.resolve("cache").toString()));
        framework.init();
        framework.start();
        dev = new DevPlugins(deploy, framework.getBundleContext(), SETTLE, reports::add, clock::get);
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
    }

    private Bundle bundle() {
        return framework.getBundleContext().getBundle(DevPlugins.LOCATION_PREFIX + deploy.resolve("echo.plugin").toUri());
    }

    private byte[] entry(Bundle b, String path) throws Exception {
        try (InputStream in = b.getEntry(path).openStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void pluginFileBecomesABundleOfTheExecutableAndFollowsItsRebuilds() throws Exception {
        Path exe = Files.write(build.resolve("echo"), new byte[] {1, 2, 3});
        Files.writeString(deploy.resolve("echo.plugin"), "executable = ../build/echo\narguments = ok\nconfig = a=1\n");
        dev.scan();
        Bundle b = bundle();
        assertNotNull(b, reports.toString());
        assertEquals("outpost.dev.echo", b.getSymbolicName());
        assertEquals("echo", b.getHeaders().get("Outpost-Name"));
        assertEquals("ok", b.getHeaders().get("Outpost-Arguments"));
        assertEquals("a=1", b.getHeaders().get("Outpost-Config"));
        Platform host = Platform.current();
        assertEquals("bin/echo; osname=" + host.osName() + "; processor=" + host.processor() + "; sha-256="
                + ExecutableCheck.sha256(new byte[] {1, 2, 3}),
                b.getHeaders().get("Outpost-Executable"));
        assertArrayEquals(new byte[] {1, 2, 3}, entry(b, "bin/echo"));
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals("echo.plugin: installed echo from " + exe, reports.get(0));

        dev.scan();
        assertEquals(1, reports.size(), "unchanged: nothing to do");

        Files.write(exe, new byte[] {4, 5});
        Files.setLastModifiedTime(exe, FileTime.fromMillis(clock.get()));
        dev.scan();
        assertArrayEquals(new byte[] {1, 2, 3}, entry(b, "bin/echo"), "still being rebuilt");
        clock.addAndGet(SETTLE.toMillis());
        dev.scan();
        assertArrayEquals(new byte[] {4, 5}, entry(b, "bin/echo"));
        assertEquals(b.getBundleId(), bundle().getBundleId());
        assertEquals("echo.plugin: rebuilt; restarting echo with " + exe, reports.get(1));

        Files.delete(deploy.resolve("echo.plugin"));
        dev.scan();
        assertNull(bundle());
        assertEquals(Bundle.UNINSTALLED, b.getState());
        assertEquals("echo.plugin: removed", reports.get(2));
    }

    @Test
    void missingExecutableIsReportedOnceAndPickedUpWhenBuilt() throws Exception {
        Files.writeString(deploy.resolve("echo.plugin"), "executable = ../build/echo\n");
        dev.scan();
        dev.scan();
        assertNull(bundle());
        assertEquals(List.of("echo.plugin: " + build.resolve("echo") + " does not exist (not built yet?)"), reports);
        Files.write(build.resolve("echo"), new byte[] {9});
        dev.scan();
        assertNotNull(bundle(), reports.toString());
    }

    @Test
    void fileWithoutExecutableIsReportedOnce() throws Exception {
        Files.writeString(deploy.resolve("echo.plugin"), "name = echo\n");
        dev.scan();
        dev.scan();
        assertEquals(List.of("echo.plugin: names no executable (executable = PATH)"), reports);
    }
}
