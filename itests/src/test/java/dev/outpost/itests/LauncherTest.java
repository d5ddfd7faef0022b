package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged launcher, end to end: deploys a folder, follows it (add, change, delete), reports
 * bad jars clearly, and on SIGTERM stops every plugin, reaped, with an exit status that says
 * whether anything failed.
 */
class LauncherTest {
    @TempDir
    Path dir;
    Path deploy;

    @BeforeEach
    void folder() throws Exception {
        deploy = Files.createDirectory(dir.resolve("deploy"));
    }

    private LauncherProcess launch() throws Exception {
        return LauncherProcess.start("--headless", "--deploy", deploy.toString(), "--work", dir.resolve("work").toString(),
                "--scan-interval", "100", "-Doutpost.stop.grace.ms=500");
    }

    private Path drop(Path jar, String name) throws Exception {
        Path target = deploy.resolve(name);
        Files.copy(jar, target);
        Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        return target;
    }

    @Test
    void followsTheDeployFolderAndStopsEveryPluginOnSigterm() throws Exception {
        Path echo = drop(TestBundles.echo(), "echo.jar");
        try (LauncherProcess launcher = launch()) {
            Matcher m = launcher.await("echo 1\\.0\\.0: serving \\(bundle (\\d+), pid (\\d+), serving [\\d.]+ ms after spawn\\)");
            long echoPid = Long.parseLong(m.group(2));
            launcher.await("1 of 1 plugin\\(s\\) serving; watching ");
            assertTrue(Processes.exists(echoPid));

            Path zlib = drop(TestBundles.zlib(), "zlib.jar");
            launcher.await("zlib.jar: installed and started dev.outpost.sample.zlib");
            long zlibPid = Long.parseLong(launcher.await("zlib [\\d.]+: serving \\(bundle \\d+, pid (\\d+)").group(1));

            Files.setLastModifiedTime(echo, FileTime.fromMillis(System.currentTimeMillis()));
            launcher.await("echo.jar: updated dev.outpost.sample.echo");
            long newEchoPid = Long.parseLong(launcher.await("echo 1\\.0\\.0: serving \\(bundle \\d+, pid (?!" + echoPid + "\\D)(\\d+)")
                    .group(1));
            assertNotEquals(echoPid, newEchoPid);
            assertFalse(Processes.exists(echoPid), "the old echo process was reaped");

            Files.delete(zlib);
            launcher.await("zlib.jar: removed; uninstalled dev.outpost.sample.zlib");
            assertFalse(Processes.exists(zlibPid), "the removed plugin's process was reaped");

            assertEquals(0, launcher.terminate(), launcher.output());
            launcher.await("stopping every plugin");
            launcher.await("stopped in [\\d.]+ ms: every plugin process reaped");
            launcher.await("exit 0: nothing failed");
            assertFalse(Processes.exists(newEchoPid));
        }
    }

    @Test
    void ctrlCInTheInteractiveShellStopsEveryPluginAndExits0() throws Exception {
        drop(TestBundles.echo(), "echo.jar");
        try (LauncherProcess launcher = LauncherProcess.startOnTerminal("--deploy", deploy.toString(),
                "--work", dir.resolve("work").toString(), "--scan-interval", "100")) {
            long echoPid = Long.parseLong(launcher.await("echo 1\\.0\\.0: serving \\(bundle \\d+, pid (\\d+)").group(1));
            launcher.await("shell started: .*Ctrl-C, Ctrl-D or 'stop 0' stops everything");
            launcher.type("outpost:list\r");
            launcher.await("echo +\\d+ RUNNING +" + echoPid + " ");
            launcher.type("lb");
            launcher.type("\u0003");
            assertEquals(0, launcher.exitStatus(), launcher.output());
            launcher.await("stopped in [\\d.]+ ms: every plugin process reaped");
            launcher.await("exit 0: nothing failed");
            assertFalse(Processes.exists(echoPid), "the plugin was stopped and reaped");
        }
    }

    @Test
    void devModeRunsAnExecutableFromABuildFolderAndRestartsItWhenRebuilt() throws Exception {
        Path build = Files.createDirectory(dir.resolve("build"));
        Path exe = build.resolve("devfix");
        Files.copy(TestBundles.FIXTURE, exe);
        Files.setLastModifiedTime(exe, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        Path plugin = deploy.resolve("devfix.plugin");
        Files.writeString(plugin, "executable = ../build/devfix\narguments = ok\n");
        Files.setLastModifiedTime(plugin, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        try (LauncherProcess launcher = LauncherProcess.start("--headless", "--dev", "--deploy", deploy.toString(),
                "--work", dir.resolve("work").toString(), "--scan-interval", "100", "-Doutpost.stop.grace.ms=500")) {
            launcher.await("dev: devfix.plugin: installed devfix from " + java.util.regex.Pattern.quote(exe.toString()));
            long first = Long.parseLong(launcher.await("devfix [^:]*: serving \\(bundle \\d+, pid (\\d+)").group(1));

            Files.copy(TestBundles.FIXTURE, exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(exe, FileTime.fromMillis(System.currentTimeMillis()));
            launcher.await("dev: devfix.plugin: rebuilt; restarting devfix with ");
            long second = Long.parseLong(launcher.await("devfix [^:]*: serving \\(bundle \\d+, pid (?!" + first
                    + "\\D)(\\d+)").group(1));
            assertFalse(Processes.exists(first), "the old process was reaped");

            Files.delete(plugin);
            launcher.await("dev: devfix.plugin: removed");
            assertFalse(Processes.exists(second));
            assertEquals(0, launcher.terminate(), launcher.output());
        }
    }

    @Test
    void badJarsGetOneClearLineEachAndTheExitStatusSaysSo() throws Exception {
        drop(TestBundles.echo(), "echo.jar");
        Files.writeString(deploy.resolve("corrupt.jar"), "not a zip");
        Path plain = TestBundles.bundle(dir, "plain", Map.of(), Map.of());
        Path notBundle = deploy.resolve("not-a-bundle.jar");
        try (var in = new java.util.jar.JarOutputStream(Files.newOutputStream(notBundle))) {
            in.putNextEntry(new java.util.jar.JarEntry("hello.txt"));
        }
        Path missing = TestBundles.bundle(dir, "missing", Map.of("Outpost-Executable",
                "bin/linux-x86_64/gone; osname=Linux; processor=x86-64", "Outpost-Name", "missing"), Map.of());
        drop(missing, "missing.jar");
        drop(plain, "plain.jar");
        for (Path p : new Path[] {deploy.resolve("corrupt.jar"), notBundle}) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        }
        try (LauncherProcess launcher = launch()) {
            launcher.await("corrupt.jar: not a readable jar \\(.*\\): corrupt, truncated or not a zip file; "
                    + "it is retried when the file changes");
            launcher.await("test.missing: FAILED \\(bundle \\d+, pid 0\\): .*executable bin/linux-x86_64/gone is missing from the bundle");
            launcher.await("not-a-bundle.jar: not an OSGi bundle: it has no META-INF/MANIFEST.MF");
            launcher.await("plain.jar: installed and started test.plain 1.0.0");
            launcher.await("1 of 2 plugin\\(s\\) serving");
            assertEquals(1, launcher.terminate());
            launcher.await("exit 1: 3 failure\\(s\\) while running");
            assertFalse(launcher.output().contains("\tat "), "no stack trace:\n" + launcher.output());
        }
    }

    @Test
    void missingDeployFolderIsNamedWithStatus2() throws Exception {
        try (LauncherProcess launcher = LauncherProcess.start("--deploy", dir.resolve("nope").toString())) {
            assertEquals(2, launcher.exitStatus());
            launcher.await("outpost: deploy folder .*nope does not exist or is not a folder");
        }
    }

    @Test
    void unusableWorkFolderIsNamedWithStatus2() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        try (LauncherProcess launcher = LauncherProcess.start("--deploy", deploy.toString(), "--work", file.toString())) {
            assertEquals(2, launcher.exitStatus());
            launcher.await("outpost: cannot create the work folder .*a-file/cache .*; give another with --work DIR");
            assertFalse(launcher.output().contains("\tat "), "no stack trace:\n" + launcher.output());
        }
    }

    @Test
    void helpListsTheOptions() throws Exception {
        try (LauncherProcess launcher = LauncherProcess.start("--help")) {
            assertEquals(0, launcher.exitStatus());
            String help = launcher.output();
            for (String option : new String[] {"--deploy", "--work", "--headless", "--log-level", "-D"}) {
                assertTrue(help.contains(option), help);
            }
        }
    }

    @Test
    void unknownOptionIsAUsageErrorWithStatus2() throws Exception {
        try (LauncherProcess launcher = LauncherProcess.start("--frobnicate")) {
            assertEquals(2, launcher.exitStatus());
            launcher.await("outpost: Unknown option: '--frobnicate'");
        }
    }
}
