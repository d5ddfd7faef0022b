package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginState;
import dev.outpost.runtime.shell.OutpostCommands;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** The outpost:* shell commands against a real framework and the echo plugin, directly and through Gogo. */
class ShellCommandsTest {
    @TempDir
    Path dir;
    TestRuntime runtime;
    Bundle echo;
    OutpostCommands commands;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir);
        echo = runtime.installAndStart(TestBundles.echo());
        runtime.awaitService(echo, "echo"); // registered once it is RUNNING
        ServiceReference<?> ref = runtime.context.getServiceReferences((String) null, "(osgi.command.scope=outpost)")[0];
        assertEquals(List.of("list", "show", "call", "restart", "stop", "stderr"),
                Arrays.asList((String[]) ref.getProperty("osgi.command.function")));
        commands = (OutpostCommands) runtime.context.getService(ref);
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    @Test
    void callTakesAndShowsProtobufTextFormatWithTheBundlesMessageClasses() throws Exception {
        Bundle zlib = runtime.installAndStart(TestBundles.zlib());
        runtime.awaitService(zlib, "zlib");
        String compressed = commands.call("zlib", "compress", "dev.outpost.sample.zlib.CompressRequest",
                "data: \"hello hello hello hello\" level: 9", "dev.outpost.sample.zlib.CompressResponse");
        assertTrue(compressed.startsWith("data: \""), compressed);
        String back = commands.call("zlib", "decompress", "dev.outpost.sample.zlib.DecompressRequest",
                compressed, "dev.outpost.sample.zlib.DecompressResponse");
        assertEquals("data: \"hello hello hello hello\"", back);
        assertTrue(commands.call("zlib", "compress", "dev.outpost.sample.zlib.CompressRequest", "nonsense: 1",
                "dev.outpost.sample.zlib.CompressResponse").startsWith("not a dev.outpost.sample.zlib.CompressRequest"));
    }

    @Test
    void listShowsOneLinePerPluginWithPidStateAndMemoryAgainstItsLimit() {
        long pid = runtime.pid(echo);
        String[] lines = commands.list().split("\n");
        assertEquals(2, lines.length, commands.list());
        assertTrue(lines[0].matches("NAME +BUNDLE STATE +PID +UPTIME RESTARTS +MEMORY/LIMIT +CALLS ERRORS"), lines[0]);
        assertTrue(lines[1].matches("echo +" + echo.getBundleId() + " RUNNING +" + pid + " +\\d+s +0 +[\\d.]+ (B|KiB|MiB)/256\\.0 MiB +\\d+ +\\d+"),
                lines[1]);
    }

    @Test
    void showByNameOrBundleIdGivesTheDetails() {
        String byName = commands.show("echo");
        assertTrue(byName.contains("name:     echo\n"), byName);
        assertTrue(byName.contains("state:    RUNNING\n"), byName);
        assertTrue(byName.contains("pid:      " + runtime.pid(echo) + "\n"), byName);
        assertTrue(byName.contains("services: echo [echo]\n"), byName);
        assertTrue(byName.matches("(?s).*verified: sha-256 [0-9a-f]{12}\\.\\.\\. checked\n.*"), byName);
        assertTrue(byName.contains("from " + TestBundles.echo().toUri()), byName);
        assertEquals(byName.replaceAll("uptime: .*", ""), commands.show(String.valueOf(echo.getBundleId()))
                .replaceAll("uptime: .*", ""));
        assertEquals("no plugin 'nope'; there are: echo [" + echo.getBundleId() + "]", commands.show("nope"));
        assertEquals("bundle 0 (org.apache.felix.framework, ACTIVE) runs no plugin", commands.show("0"));
    }

    @Test
    void callSendsTheTextAndShowsTheAnswer() {
        assertEquals("hello shell", commands.call("echo", "echo", "hello shell"));
        assertEquals("hello shell", commands.call("echo/echo", "echo", "hello shell"));
        assertTrue(commands.call("echo", "shout", "x").startsWith("call failed: UNIMPLEMENTED"), commands.call("echo", "shout", "x"));
        assertEquals("echo has no service named other registered (state RUNNING)", commands.call("echo/other", "echo", "x"));
        assertEquals("no plugin 'nope'; there are: echo [" + echo.getBundleId() + "]", commands.call("nope", "echo", "x"));
    }

    @Test
    void restartGivesANewProcessAndStopStopsTheBundleAfterReaping() throws Exception {
        long first = runtime.pid(echo);
        assertEquals("restarted echo (bundle " + echo.getBundleId() + "): pid " + first
                + " stopped and reaped, a new process is starting", commands.restart("echo"));
        assertFalse(Processes.exists(first));
        long second = runtime.awaitState(echo, PluginState.RUNNING).pid();
        assertNotEquals(first, second);

        assertEquals("stopped bundle " + echo.getBundleId() + " (dev.outpost.sample.echo); process " + second + " reaped",
                commands.stop("echo"));
        assertFalse(Processes.exists(second));
        assertEquals(Bundle.RESOLVED, echo.getState());
        assertEquals("no plugins (a plugin is an active bundle with an Outpost-Executable header)", commands.list());
    }

    @Test
    void stderrShowsWhatThePluginWrote() throws Exception {
        Bundle noisy = runtime.installAndStart(TestBundles.fixture(dir, "noisy", "stdout-lines"));
        runtime.awaitService(noisy, "fixture");
        long deadline = System.nanoTime() + TestRuntime.WAIT.toNanos();
        while (!commands.stderr("noisy").equals("error line 1\nerror line 2") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("error line 1\nerror line 2", commands.stderr("noisy"));
        assertEquals("(echo wrote nothing to stderr)", commands.stderr("echo"));
    }

    @Test
    void gogoRunsTheOutpostCommandsAndTheStandardFelixOnes() throws Exception {
        try (GogoShell gogo = GogoShell.start(runtime)) {
            assertTrue(gogo.run("outpost:list").contains("echo "), gogo.run("outpost:list"));
            assertEquals("hi from gogo", gogo.run("outpost:call echo echo 'hi from gogo'"));
            String lb = gogo.run("lb");
            assertTrue(lb.contains("|Active     |    1|Outpost sample: echo"), lb);
            long pid = runtime.pid(echo);
            gogo.run("felix:stop " + echo.getBundleId());
            assertFalse(Processes.exists(pid), "felix:stop returns after the reap");
            assertTrue(gogo.run("lb").contains("|Resolved   |    1|Outpost sample: echo"));
            gogo.run("felix:start " + echo.getBundleId());
            runtime.awaitService(echo, "echo"); // registered once it is RUNNING
            assertTrue(gogo.run("outpost:show echo").contains("state:    RUNNING"));
            String stopped = gogo.run("outpost:stop echo");
            assertTrue(stopped.startsWith("stopped bundle " + echo.getBundleId()), stopped);
            // an unscoped stop may reach felix:stop or outpost:stop: both take ids and -t
            echo.start();
            runtime.awaitService(echo, "echo");
            gogo.run("stop -t " + echo.getBundleId());
            assertEquals(Bundle.RESOLVED, echo.getState());
        }
    }
}
