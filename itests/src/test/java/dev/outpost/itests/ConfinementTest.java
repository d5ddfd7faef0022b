package dev.outpost.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginEvent;
import dev.outpost.api.PluginException;
import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginSandbox;
import dev.outpost.api.PluginService;
import dev.outpost.api.PluginState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Each plugin runs in a sandbox, on by default: a hostile fixture tries what a plugin could do to
 * the host and its neighbours before (trace them, take their descriptors, read the host's files,
 * connect out, fork or allocate without end, leave a daemon behind) and is refused or contained,
 * while the echo sample beside it keeps serving the same process.
 */
class ConfinementTest {
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final String FAST_RESTARTS = "on-failure; initial-delay=5; max-delay=20";

    @TempDir
    Path dir;
    TestRuntime runtime;
    Bundle echoBundle;
    PluginService echo;
    long echoPid;

    @BeforeEach
    void start() throws Exception {
        runtime = TestRuntime.start(dir);
        echoBundle = runtime.installAndStart(TestBundles.echo());
        echo = runtime.awaitService(echoBundle, "echo");
        echoPid = runtime.pid(echoBundle);
    }

    @AfterEach
    void stop() throws Exception {
        byte[] payload = "still here".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(payload, echo.call("echo", payload, CALL), "the healthy neighbour serves");
        assertEquals(echoPid, runtime.pid(echoBundle), "with the same process");
        runtime.close();
    }

    private Bundle fixture(String name, String mode, Map<String, String> headers) throws Exception {
        return runtime.installAndStart(TestBundles.fixture(dir, name, mode, headers));
    }

    private static String attempt(PluginService plugin, String act) {
        return new String(plugin.call("try", act.getBytes(StandardCharsets.UTF_8), CALL), StandardCharsets.UTF_8);
    }

    @Test
    void aPluginRunsUnprivilegedWithNoNewPrivilegesUnderSeccompAsInitOfItsOwnPidNamespace() throws Exception {
        Bundle b = fixture("fx-id", "ok", Map.of());
        PluginService fx = runtime.awaitService(b, "fixture");
        assertEquals("ok 65534 65534 1 2", attempt(fx, "id"), "uid gid no_new_privs seccomp(filter)");
        long pid = runtime.pid(b);
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertTrue(status.contains("CapEff:\t0000000000000000"), status);
        assertTrue(status.contains("NSpid:\t" + pid + "\t1"), "pid 1 of its own namespace: " + status);
        assertEquals("1000", Files.readString(Path.of("/proc/" + pid + "/oom_score_adj")).strip());
    }

    @Test
    void thePluginCannotTraceOrRobTheHostOrItsNeighbour() throws Exception {
        PluginService fx = runtime.awaitService(fixture("fx-trace", "ok", Map.of()), "fixture");
        assertEquals("EPERM", attempt(fx, "ptrace " + Processes.SELF), "ptrace the host");
        assertEquals("EPERM", attempt(fx, "ptrace " + echoPid), "ptrace the neighbour");
        assertEquals("ESRCH pidfd_open", attempt(fx, "getfd " + Processes.SELF + " 0"),
                "in its own pid namespace, the host has no pid to take descriptors from");
        assertEquals("EPERM", attempt(fx, "getfd 1 0"), "pidfd_getfd on itself, the call refused by seccomp");
        assertEquals("EPERM", attempt(fx, "pdeathsig"), "clearing its parent-death signal");
    }

    @Test
    void theHostsFilesAndOtherPluginsAreOutOfReachAndOnlyItsTemporaryDirectoryIsWritable() throws Exception {
        Bundle b = fixture("fx-files", "ok", Map.of());
        PluginService fx = runtime.awaitService(b, "fixture");
        long host = Processes.SELF;
        int someFd = Processes.fds(host).get(Processes.fds(host).size() - 1);
        for (String path : List.of("/proc/" + host + "/fd/" + someFd, "/proc/" + host + "/environ",
                "/proc/" + echoPid + "/mem", "/etc/shadow", "/etc/passwd", dir.resolve("cache").toString())) {
            assertEquals("EACCES", attempt(fx, "open " + path), "open " + path);
        }
        for (String path : List.of("/proc/" + host + "/fd", dir.toString(), dir.resolve("cache").toString(), "/root",
                "/tmp", System.getProperty("user.dir"))) {
            assertEquals("EACCES", attempt(fx, "list " + path), "list " + path);
        }
        assertEquals("EACCES", attempt(fx, "write " + dir.resolve("dropped")), "write into the deploy folder");
        assertEquals("EACCES", attempt(fx, "write /tmp/outpost-confinement-test"), "write outside its directory");
        assertFalse(Files.exists(dir.resolve("dropped")));
        assertEquals("ok", attempt(fx, "write inside"), "write in its private directory (its cwd and TMPDIR)");
        assertEquals("ok", attempt(fx, "open /usr/lib/os-release"), "what every program may read");
        assertTrue(attempt(fx, "list /proc/self/fd").startsWith("ok "), "its own /proc entry");
    }

    @Test
    void networkIsRefusedByDefaultAndConnectWorksWhenTheBundleAsksForIt() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            PluginService off = runtime.awaitService(fixture("fx-offline", "ok", Map.of()), "fixture");
            assertEquals("EACCES socket", attempt(off, "connect " + port));
            assertEquals("EACCES socket", attempt(off, "udp"));
            PluginService on = runtime.awaitService(fixture("fx-online", "ok",
                    Map.of("Outpost-Sandbox", "network=connect")), "fixture");
            assertEquals("ok", attempt(on, "connect " + port));
            listener.setSoTimeout(5000);
            listener.accept().close();
        }
    }

    @Test
    void aForkBombIsHeldAtItsTaskLimitAndUnloadReapsEveryProcess() throws Exception {
        Bundle b = fixture("fx-forks", "ok", Map.of("Outpost-Sandbox", "tasks=16"));
        PluginService fx = runtime.awaitService(b, "fixture");
        String ns = Processes.pidNamespace(runtime.pid(b));
        String answer = attempt(fx, "forks 4096");
        assertTrue(answer.startsWith("EAGAIN "), answer);
        int forked = Integer.parseInt(answer.substring("EAGAIN ".length()));
        assertTrue(forked > 0 && forked < 16, "held below 16 tasks with the plugin's own threads: " + forked);
        PluginSandbox s = runtime.info(b).sandbox();
        assertEquals(16, s.tasksLimit());
        assertEquals(16, s.tasks(), "the cgroup counts the plugin's threads and children: " + s);
        assertEquals(forked + 1, Processes.inPidNamespace(ns).size(), "the plugin and its children");
        b.uninstall();
        assertEquals(List.of(), Processes.inPidNamespace(ns), "uninstall reaped every process");
    }

    @Test
    void aPluginAllocatingWithoutBoundIsKilledAtItsMemoryLimitReportedAsOutOfMemoryAndRestarted() throws Exception {
        try (PluginEventRecorder events = new PluginEventRecorder(runtime.context)) {
            Bundle b = fixture("fx-alloc", "ok", Map.of("Outpost-Sandbox", "memory=64m",
                    "Outpost-Restart", FAST_RESTARTS));
            PluginService fx = runtime.awaitService(b, "fixture");
            long first = runtime.pid(b);
            assertEquals(64L << 20, runtime.info(b).sandbox().memoryLimit());
            PluginException e = assertThrows(PluginException.class, () -> attempt(fx, "alloc 1024"));
            events.awaitEntered(b.getBundleId(), PluginState.RUNNING, 2);
            PluginEvent failed = events.events(b.getBundleId()).stream().filter(ev -> ev.to() == PluginState.FAILED
                    || ev.to() == PluginState.RESTARTING).findFirst().orElseThrow();
            String reason = failed.reason().orElse("");
            assertTrue(reason.contains("out of memory: killed by the kernel's OOM killer at its memory limit of 64 MiB"),
                    reason);
            assertNotEquals(first, runtime.pid(b), "restarted, in a new process: " + e.getMessage());
            assertEquals("ok 8", attempt(runtime.awaitService(b, "fixture"), "alloc 8"), "and serving");
        }
        assertTrue(Runtime.getRuntime().totalMemory() > 0, "the host lives");
    }

    @Test
    void aSetsidDaemonThatIgnoresSigtermDiesOnUnload() throws Exception {
        Bundle b = fixture("fx-daemon", "ok", Map.of());
        PluginService fx = runtime.awaitService(b, "fixture");
        String ns = Processes.pidNamespace(runtime.pid(b));
        assertEquals("ok", attempt(fx, "setsid-daemon"));
        awaitCount(ns, 2);
        b.stop();
        assertEquals(List.of(), Processes.inPidNamespace(ns), "the daemon died before stop() returned");
    }

    @Test
    void aSetsidDaemonDiesWhenTheHostIsKilled() throws Exception {
        Path daemon = TestBundles.fixture(dir, "fx-host-daemon", "setsid-daemon");
        Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HostProcessMain.class.getName(),
                dir.resolve("host-cache").toString(), daemon.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(host.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.endsWith(" RUNNING"), String.valueOf(line));
            String ns = Processes.pidNamespace(Long.parseLong(line.split(" ")[1]));
            awaitCount(ns, 2);
            host.destroyForcibly();
            assertTrue(host.waitFor(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Processes.inPidNamespace(ns).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "left behind by the host's death: "
                        + Processes.inPidNamespace(ns));
                TimeUnit.MILLISECONDS.sleep(2);
            }
        } finally {
            host.destroyForcibly();
            host.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPluginLeavingSigtermToItsDefaultIsKilledAtTheSigtermStepNotAfterIt() throws Exception {
        // as the init of its pid namespace it would not get a SIGTERM it has no handler for
        Bundle b = fixture("fx-deaf", "deaf", Map.of());
        runtime.awaitState(b, PluginState.RUNNING);
        long pid = runtime.pid(b);
        long began = System.nanoTime();
        b.stop();
        long tookMillis = (System.nanoTime() - began) / 1_000_000;
        assertFalse(Processes.exists(pid));
        // SIGTERM dropped by the kernel would have made it wait the SIGTERM timeout (1000 ms) as well
        assertTrue(tookMillis >= 1000 && tookMillis < 1900, "the grace (1000 ms), then SIGKILL at once: "
                + tookMillis + " ms");
    }

    @Test
    void outpostShowListsEveryProtectionInForceAndTheUsage() throws Exception {
        Bundle b = fixture("fx-show", "ok", Map.of("Outpost-Sandbox",
                "memory=96m; tasks=24; cpu=0.5; files=128; read=/usr/share/zoneinfo"));
        runtime.awaitService(b, "fixture");
        try (GogoShell shell = GogoShell.start(runtime)) {
            String show = shell.run("outpost:show fx-show");
            for (String expected : List.of("pid namespace of its own", "uid 65534, gid 65534",
                    "no capabilities, no_new_privs", "memory 96 MiB (memory cgroup, cgroup v1)",
                    "tasks 24 (pids cgroup, cgroup v1)", "cpu 0.50 cores (cpu cgroup quota, cgroup v1)",
                    "open files 128", "no core dumps", "oom_score_adj 1000", "seccomp profile default",
                    "network none", "/usr/share/zoneinfo", "write its private directory", "usage:    memory ",
                    " of 96.0 MiB, tasks ", " of 24, cpu ")) {
                assertTrue(show.contains(expected), "'" + expected + "' in:\n" + show);
            }
            String list = shell.run("outpost:list");
            assertTrue(list.lines().anyMatch(l -> l.startsWith("fx-show ") && l.contains("/96.0 MiB")), list);
        }
    }

    @Test
    void aBundleAskingForMoreThanTheHostsCeilingFailsToStartNamingTheHeaderAndTheCeiling() throws Exception {
        Bundle b = fixture("fx-greedy", "ok", Map.of("Outpost-Sandbox", "memory=8g; network=any; read=/etc"));
        PluginInfo info = runtime.awaitState(b, PluginState.FAILED);
        String why = info.failure().orElseThrow();
        assertTrue(why.contains("Outpost-Sandbox asks for more than this host allows"), why);
        assertTrue(why.contains("memory=8 GiB (the host allows at most 1 GiB: outpost.sandbox.memory.max)"), why);
        assertTrue(why.contains("network=any (the host allows at most connect: outpost.sandbox.network.max)"), why);
        assertTrue(why.contains("read=/etc (not beneath"), why);
        assertEquals(0, info.pid(), "nothing was spawned");
    }

    @Test
    void aMalformedSandboxHeaderFailsTheBundleAloneNamingTheKey() throws Exception {
        Bundle b = fixture("fx-typo", "ok", Map.of("Outpost-Sandbox", "memroy=64m; tasks=lots"));
        PluginInfo info = runtime.awaitState(b, PluginState.FAILED);
        String why = info.failure().orElseThrow();
        assertTrue(why.contains("Outpost-Sandbox has an unknown key 'memroy'"), why);
        assertTrue(why.contains("Outpost-Sandbox tasks=lots: not a whole number above 0"), why);
    }

    private static void awaitCount(String ns, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Processes.inPidNamespace(ns).size() != n) {
            assertTrue(System.nanoTime() < deadline, "processes in " + ns + ": " + Processes.inPidNamespace(ns));
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    static boolean exists(Path p) throws IOException {
        return Files.exists(p);
    }
}
