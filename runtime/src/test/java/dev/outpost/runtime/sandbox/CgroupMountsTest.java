package dev.outpost.runtime.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {
    private static final String HYBRID_MOUNTS = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;

    @Test
    void aHybridHostHasEachV1ControllerInItsOwnHierarchyAndTheUnifiedOneBeside() {
        CgroupMounts m = CgroupMounts.parse("""
                9:name=systemd:/
                8:pids:/
                6:freezer:/
                4:memory:/process_api/a7b5
                2:cpuacct:/
                1:cpu:/
                0::/
                """, HYBRID_MOUNTS);
        assertEquals(Map.of("memory", Path.of("/sys/fs/cgroup/memory/process_api/a7b5"),
                "pids", Path.of("/sys/fs/cgroup/pids"), "cpu", Path.of("/sys/fs/cgroup/cpu"),
                "cpuacct", Path.of("/sys/fs/cgroup/cpuacct"), "freezer", Path.of("/sys/fs/cgroup/freezer")), m.v1());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), m.v2());
    }

    @Test
    void aV2OnlyHostHasNoV1ControllersAndItsOwnCgroupInTheUnifiedHierarchy() {
        CgroupMounts m = CgroupMounts.parse("0::/system.slice/app.service\n",
                "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        assertEquals(Map.of(), m.v1());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/system.slice/app.service")), m.v2());
    }

    @Test
    void combinedControllersAndAMountOfPartOfTheHierarchyResolveToTheOwnCgroup() {
        CgroupMounts m = CgroupMounts.parse("3:cpu,cpuacct:/docker/abc\n0::/\n",
                "40 31 0:37 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                        + "41 31 0:38 /elsewhere /mnt/x rw - cgroup2 cgroup2 rw\n");
        assertEquals(Map.of("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"), "cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct")),
                m.v1());
        assertEquals(Optional.empty(), m.v2(), "that cgroup2 mount shows another part of the hierarchy");
    }

    @Test
    void anEscapedMountPointIsUnescaped() {
        CgroupMounts m = CgroupMounts.parse("8:pids:/\n",
                "39 31 0:36 / /sys/fs/cg\\040roups/pids rw - cgroup cgroup rw,pids\n");
        assertEquals(Map.of("pids", Path.of("/sys/fs/cg roups/pids")), m.v1());
    }
}
