package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The Python sample as the host runs it: a zipapp ({@code #!/usr/bin/python3}) executed from the
 * sealed memfd (the interpreter reads it from /dev/fd/4), confined like any plugin, stopped with
 * Goodbye, then SIGTERM, and reaped.
 */
class PythonPluginTest {
    static final Path PYZ = Path.of(System.getProperty("outpost.test.python.sample", "../sample-plugins/hello-python/target/hello.pyz"));
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir, Map.of("outpost.restart.policy", "never"));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    static Path bundle(Path dir, String name, Map<String, String> more) throws Exception {
        Map<String, String> headers = new java.util.LinkedHashMap<>(more);
        headers.put("Outpost-Executable", "bin/hello.pyz");
        headers.put("Outpost-Name", name);
        return TestBundles.bundle(dir, name, headers, Map.of("bin/hello.pyz", Files.readAllBytes(PYZ)));
    }

    @Test
    void aZipappRunsFromItsSealedImageAndAnswers() throws Exception {
        Bundle b = runtime.installAndStart(bundle(dir, "hello", Map.of("Outpost-Config", "greeting=bonjour")));
        PluginService hello = runtime.awaitService(b, "hello");
        assertEquals("bonjour, Outpost", new String(hello.call("greet", "Outpost".getBytes(StandardCharsets.UTF_8), T),
                StandardCharsets.UTF_8));
        assertEquals("LOUD", new String(hello.call("upper", "loud".getBytes(StandardCharsets.UTF_8), T),
                StandardCharsets.UTF_8));
        PluginException e = assertThrows(PluginException.class, () -> hello.call("greet", new byte[0], T));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(runtime.info(b).verification().orElseThrow().startsWith("sha-256"));
        long pid = runtime.pid(b);
        b.stop(); // returns once the process has been reaped
        assertTrue(ProcessHandle.of(pid).isEmpty(), "reaped");
    }
}
