package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginService;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * A plugin author's way, in a directory outside this repository with nothing of the reactor but
 * what an author installs: the C SDK's installed tree (pkg-config, the conformance kit), the Python
 * SDK's directory and the packaging command's jar. Each plugin is built there, checked with the
 * conformance kit, packaged, deployed into a runtime, and called.
 */
class OutsideTheReactorTest {
    static final Path SDK = Path.of(System.getProperty("outpost.test.sdk", "../plugin-api/target/sdk"))
            .toAbsolutePath().normalize();
    static final Path PYTHON_SDK = Path.of(System.getProperty("outpost.test.python.sdk", "../sdk/python"))
            .toAbsolutePath().normalize();
    static final Path PACKAGER = Path.of(System.getProperty("outpost.test.packager",
            "../packager/target/outpost-packager.jar")).toAbsolutePath().normalize();
    private static final Duration T = Duration.ofSeconds(10);

    private static final String C_PLUGIN = """
            #include <stdio.h>
            #include <outpost.h>

            static int greet(void *user, const outpost_request *req, outpost_response *resp)
            {
                (void)user;
                size_t len;
                const char *name = outpost_request_payload(req, &len);
                char text[256];
                int n = snprintf(text, sizeof text, "hello from C, %.*s", (int)len, name);
                return outpost_response_set_payload(resp, text, (size_t)n);
            }

            int main(void)
            {
                outpost_plugin *p = outpost_plugin_new(NULL, "1.0.0");
                int rc = p == NULL ? 1 : outpost_plugin_add_method(p, "outside", "greet", greet, NULL);
                if (rc == 0)
                    rc = outpost_serve(p);
                outpost_plugin_free(p);
                return rc == 0 ? 0 : 1;
            }
            """;

    private static final String PYTHON_PLUGIN = """
            import sys
            import outpost

            plugin = outpost.Plugin(version="1.0.0")


            @plugin.method("outside", "greet")
            def greet(request):
                return "hello from Python, " + request.payload.decode("utf-8")


            def main():
                sys.exit(plugin.serve())
            """;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path home; // the author's directory: under the temporary directory, not in the repository
    TestRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        assertTrue(!home.toAbsolutePath().startsWith(Path.of("..").toAbsolutePath().normalize()), "outside: " + home);
        runtime = TestRuntime.start(home.resolve("host"), Map.of("outpost.restart.policy", "never"));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    @Test
    void aCPluginBuiltWithTheInstalledSdkAndPackagedIsDeployedAndCalled() throws Exception {
        Path src = Files.createDirectories(home.resolve("c-plugin"));
        Files.writeString(src.resolve("plugin.c"), C_PLUGIN);
        run(src, Map.of("PKG_CONFIG_PATH", SDK.resolve("lib/pkgconfig").toString()),
                "sh", "-c", "cc -std=c11 -O2 -o hello plugin.c $(pkg-config --cflags --libs outpost)");
        run(src, Map.of(), SDK.resolve("bin/outpost-conformance").toString(), src.resolve("hello").toString());
        assertCalled(packageAndDeploy(src, "outside-c", src.resolve("hello")), "hello from C, author");
    }

    @Test
    void aPythonPluginPackagedWithTheSdkIsDeployedAndCalled() throws Exception {
        Path src = Files.createDirectories(home.resolve("py-plugin/src/shout"));
        Files.writeString(src.resolve("__main__.py"), PYTHON_PLUGIN);
        Path project = home.resolve("py-plugin");
        run(project, Map.of(), "sh", PYTHON_SDK.resolve("package.sh").toString(), "-s", "src", "-m",
                "shout.__main__:main", "-o", "build/shout");
        Path pyz = project.resolve("build/shout.pyz");
        run(project, Map.of(), SDK.resolve("bin/outpost-conformance").toString(), pyz.toString());
        assertCalled(packageAndDeploy(project, "outside-py", pyz), "hello from Python, author");
    }

    private Bundle packageAndDeploy(Path dir, String name, Path executable) throws Exception {
        Path jar = dir.resolve(name + ".jar");
        run(dir, Map.of(), Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                PACKAGER.toString(), "--name", name, "--version", "1.0.0", "--executable",
                "linux-x86_64=" + executable, "--output", jar.toString());
        return runtime.installAndStart(jar);
    }

    private void assertCalled(Bundle bundle, String answer) throws Exception {
        PluginService service = runtime.awaitService(bundle, "outside");
        assertEquals(answer, new String(service.call("greet", "author".getBytes(StandardCharsets.UTF_8), T),
                StandardCharsets.UTF_8));
        assertTrue(runtime.info(bundle).verification().orElseThrow().startsWith("sha-256"), "its digest was checked");
    }

    /** Runs a command of the author's in {@code dir} and waits for it; it must succeed. */
    private static void run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
    }
}
