package dev.outpost.runtime.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin cgroups on v1 and v2: what is written where, against a directory tree that stands for
 * the cgroup file systems, and for real on this machine's hierarchies (v1 controllers, and the
 * unified hierarchy without controllers: joining, killing whole, removal).
 */
class CgroupTreesTest {
    private static final SandboxPlan PLAN = new SandboxPlan(65534, 65534, 64L << 20, 16, 0.5, 128, 1L << 20, "none",
            "default", List.of());

    @TempDir
    Path fake;
    private Process sleeper;

    @AfterEach
    void killTheSleeper() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p).trim();
    }

    @Test
    void v1WritesEachLimitInItsControllersCgroupAndJoinsEachHierarchyOnce() throws Exception {
        Map<String, Path> own = Map.of("memory", Files.createDirectories(fake.resolve("memory/own")),
                "pids", Files.createDirectories(fake.resolve("pids")),
                "cpu", Files.createDirectories(fake.resolve("cpu,cpuacct")),
                "cpuacct", fake.resolve("cpu,cpuacct"), "freezer", Files.createDirectories(fake.resolve("freezer")));
        CgroupV1 tree = new CgroupV1(own, "outpost-4242");
        assertTrue(tree.limitsMemory() && tree.limitsTasks() && tree.limitsCpu());
        assertEquals(List.of(), tree.missing(), "cpuacct is not joined: it comes with cpu where mounted together");
        PluginCgroup cg = tree.create("fx-1", PLAN);
        Path memory = fake.resolve("memory/own/outpost-4242/fx-1");
        assertEquals(String.valueOf(64L << 20), read(memory.resolve("memory.limit_in_bytes")));
        assertEquals("16", read(fake.resolve("pids/outpost-4242/fx-1/pids.max")));
        assertEquals("100000", read(fake.resolve("cpu,cpuacct/outpost-4242/fx-1/cpu.cfs_period_us")));
        assertEquals("50000", read(fake.resolve("cpu,cpuacct/outpost-4242/fx-1/cpu.cfs_quota_us")));
        assertEquals(List.of(memory + "/cgroup.procs", fake.resolve("pids/outpost-4242/fx-1/cgroup.procs").toString(),
                fake.resolve("cpu,cpuacct/outpost-4242/fx-1/cgroup.procs").toString()).stream().sorted().toList(),
                cg.joinFiles().stream().sorted().toList(), "memory, pids and cpu: nothing else is joined");
        Files.writeString(fake.resolve("cpu,cpuacct/outpost-4242/fx-1/cpuacct.usage"), "1500\n");
        assertEquals(1500, cg.cpuNanos(), "CPU time from cpuacct, mounted with cpu");
        Files.writeString(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertEquals(2, cg.oomKills());
        // the fake's control files are plain files: rmdir needs them gone, as the kernel's are
        for (Path d : List.of(memory, fake.resolve("pids/outpost-4242/fx-1"), fake.resolve("cpu,cpuacct/outpost-4242/fx-1"))) {
            try (var files = Files.list(d)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        cg.remove();
        assertFalse(Files.exists(memory));
        tree.close();
        assertFalse(Files.exists(fake.resolve("pids/outpost-4242")));
    }

    @Test
    void v1LeavesNothingBehindWhenOneOfAPluginsCgroupsCannotBeMade() throws Exception {
        Path memory = Files.createDirectories(fake.resolve("memory"));
        Path pids = Files.createDirectories(fake.resolve("pids"));
        CgroupV1 tree = new CgroupV1(Map.of("memory", memory, "pids", pids), "outpost-4243");
        Files.delete(pids.resolve("outpost-4243"));
        Files.createFile(pids.resolve("outpost-4243")); // the pids cgroup cannot be made beneath it
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> tree.create("fx-3", PLAN));
        assertFalse(Files.exists(memory.resolve("outpost-4243/fx-3")), "the memory cgroup made first is gone: " + e);
    }

    @Test
    void v2EnablesTheControllersItHasAndReportsTheOthersMissing() throws Exception {
        Path own = Files.createDirectories(fake.resolve("unified/app"));
        Files.writeString(own.resolve("cgroup.controllers"), "cpuset cpu io memory\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "");
        CgroupV2 tree = new CgroupV2(own, "outpost-77");
        assertTrue(tree.usable());
        assertEquals("+cpu +memory".length(), read(own.resolve("cgroup.subtree_control")).length());
        assertTrue(tree.limitsMemory() && tree.limitsCpu());
        assertFalse(tree.limitsTasks());
        assertEquals(1, tree.missing().size());
        assertTrue(tree.missing().get(0).startsWith("cgroup v2 pids controller: not delegated to " + own),
                tree.missing().toString());
        PluginCgroup cg = tree.create("fx-1", PLAN);
        Path dir = own.resolve("outpost-77/fx-1");
        assertEquals(String.valueOf(64L << 20), read(dir.resolve("memory.max")));
        assertEquals("50000 100000", read(dir.resolve("cpu.max")));
        assertFalse(Files.exists(dir.resolve("pids.max")));
        assertEquals(List.of(dir.resolve("cgroup.procs").toString()), cg.joinFiles());
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        assertEquals(1, cg.oomKills());
    }

    @Test
    void aPooledCgroupIsReusedWithTheNextPlansLimitsAndCountsFromWhenItWasTaken() throws Exception {
        Path own = Files.createDirectories(fake.resolve("unified/pool"));
        Files.writeString(own.resolve("cgroup.controllers"), "memory pids\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "memory pids\n");
        CgroupPool pool = new CgroupPool(new CgroupV2(own, "outpost-78"));
        PluginCgroup first = pool.create("a-1", PLAN);
        Path dir = own.resolve("outpost-78/slot-1");
        assertEquals(List.of(dir.resolve("cgroup.procs").toString()), first.joinFiles());
        Files.writeString(dir.resolve("memory.events"), "oom_kill 2\n");
        assertEquals(2, first.oomKills());
        first.remove();
        assertEquals(1, pool.idle(), "empty: back to the pool");
        SandboxPlan bigger = new SandboxPlan(65534, 65534, 128L << 20, 32, 1, 128, 1L << 20, "none", "default",
                List.of());
        PluginCgroup second = pool.create("b-2", bigger);
        assertEquals(first.joinFiles(), second.joinFiles(), "the same cgroup");
        assertEquals(String.valueOf(128L << 20), read(dir.resolve("memory.max")));
        assertEquals("32", read(dir.resolve("pids.max")));
        assertEquals(0, second.oomKills(), "the kills of the one before are not its own");
        Files.writeString(dir.resolve("memory.events"), "oom_kill 3\n");
        assertEquals(1, second.oomKills());
        PluginCgroup third = pool.create("c-3", PLAN);
        assertEquals(List.of(own.resolve("outpost-78/slot-2/cgroup.procs").toString()), third.joinFiles(),
                "none idle: a new one");
    }

    @Test
    void v1ForRealKillsWhatIsLeftInAPluginsCgroupAndRemovesIt() throws Exception {
        CgroupMounts mounts = CgroupMounts.parse(Files.readString(Path.of("/proc/self/cgroup")),
                Files.readString(Path.of("/proc/self/mountinfo")));
        assumeTrue(mounts.v1().containsKey("pids") && Posix.geteuid() == 0, "v1 pids controller, as root");
        CgroupV1 tree = new CgroupV1(mounts.v1(), CgroupFiles.runtimeName(Posix.getpid()));
        try {
            PluginCgroup cg = tree.create("real-1", PLAN);
            sleeper = new ProcessBuilder("sleep", "30").start();
            for (String procs : cg.joinFiles()) {
                Files.writeString(Path.of(procs), Long.toString(sleeper.pid()));
            }
            assertEquals(1, cg.tasks());
            assertTrue(cg.memory() >= 0);
            cg.remove();
            assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "killed with its cgroup");
            for (String procs : cg.joinFiles()) {
                assertFalse(Files.exists(Path.of(procs).getParent()), "removed: " + procs);
            }
        } finally {
            tree.close();
        }
    }

    @Test
    void v2ForRealJoinsKillsWholeWithCgroupKillAndRemoves() throws Exception {
        CgroupMounts mounts = CgroupMounts.parse(Files.readString(Path.of("/proc/self/cgroup")),
                Files.readString(Path.of("/proc/self/mountinfo")));
        assumeTrue(mounts.v2().isPresent() && Posix.geteuid() == 0, "a cgroup2 hierarchy, as root");
        CgroupV2 tree = new CgroupV2(mounts.v2().get(), CgroupFiles.runtimeName(Posix.getpid()));
        assumeTrue(tree.usable(), tree.missing().toString());
        try {
            PluginCgroup cg = tree.create("real-2", PLAN);
            sleeper = new ProcessBuilder("sleep", "30").start();
            Path procs = Path.of(cg.joinFiles().get(0));
            Files.writeString(procs, Long.toString(sleeper.pid()));
            assertEquals(List.of((int) sleeper.pid()), CgroupFiles.pids(procs));
            assertTrue(Files.exists(procs.resolveSibling("cgroup.kill")));
            cg.remove();
            assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "cgroup.kill killed it");
            assertFalse(Files.exists(procs.getParent()));
        } finally {
            tree.close();
        }
    }
}
