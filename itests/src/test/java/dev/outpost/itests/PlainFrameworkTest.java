package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime is an ordinary bundle too: it works in a framework that knows nothing of Outpost. */
class PlainFrameworkTest {
    private static final Path OSGI = Path.of(System.getProperty("outpost.test.osgi", "target/osgi"));

    @TempDir
    Path dir;

    @Test
    void runtimeBundleRunsThePluginInAVanillaFelix() throws Exception {
        String classpath = OSGI.resolve("felix.jar") + File.pathSeparator
                + Path.of(PlainFrameworkMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, PlainFrameworkMain.class.getName(), OSGI.toString(), TestBundles.echo().toString(),
                dir.resolve("cache").toString()).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
        } finally {
            jvm.destroyForcibly();
        }
        assertEquals(0, jvm.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.contains("answer plain"), out);
        assertTrue(lines.contains("alive-after-stop false"), out);
    }
}
