package dev.outpost.runtime.sandbox;

import dev.outpost.runtime.os.Confinement.Limit;
import dev.outpost.runtime.os.Confinement.PathKind;
import dev.outpost.runtime.os.Confinement.PathRule;
import dev.outpost.runtime.os.Confinement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The confinement one plugin gets: its bundle's request within the host's ceilings. A plain value.
 *
 * @param uid the uid it runs as (0: the host's)
 * @param gid its gid
 * @param memory bytes (its cgroup's limit; RLIMIT_DATA where there is no memory cgroup)
 * @param tasks processes and threads (its cgroup's pids.max)
 * @param cpu cores of CPU time (its cgroup's quota)
 * @param files RLIMIT_NOFILE
 * @param fileSize RLIMIT_FSIZE, bytes
 * @param network none, connect or any
 * @param profile the seccomp profile: default or compute
 * @param read paths it may read beyond {@link #SYSTEM_READ}
 */
public record SandboxPlan(int uid, int gid, long memory, int tasks, double cpu, int files, long fileSize,
                          String network, String profile, List<String> read) {
    /**
     * What every plugin may read and execute: what a dynamically linked program needs (the
     * loader, libraries, their cache and configuration, locale and time zone data), and its own
     * entry of /proc ({@code /proc/self} is resolved in the child, so it names the plugin's own
     * directory and no other). Those that this machine lacks are skipped.
     */
    static final List<String> SYSTEM_READ = List.of("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin",
            "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/locale.alias",
            "/etc/nsswitch.conf", "/dev/urandom", "/dev/random", "/dev/zero", "/proc/self");
    /** What every plugin may write besides its private directory. */
    static final List<String> SYSTEM_WRITE = List.of("/dev/null");
    /** The kernel's OOM killer takes a plugin before any process of the host. */
    static final int OOM_SCORE_ADJ = 1000;

    public SandboxPlan {
        read = List.copyOf(read);
    }

    /**
     * The spec the spawner's child applies to itself.
     *
     * @param directory the plugin's private working and temporary directory (writable)
     * @param cgroupFiles the cgroup.procs (or tasks) files it joins
     * @param memoryRlimit whether memory is limited by RLIMIT_DATA (no memory cgroup)
     * @param require the {@link Confinement.Missing} bits whose absence must fail the spawn
     * @param pidNamespace whether it is the init of a pid namespace of its own (needs a root host)
     */
    Confinement confinement(Path directory, List<String> cgroupFiles, boolean memoryRlimit, int require,
                            boolean pidNamespace) {
        Map<Limit, Long> limits = new EnumMap<>(Limit.class);
        limits.put(Limit.CORE, 0L);
        limits.put(Limit.OPEN_FILES, (long) files);
        limits.put(Limit.FILE_SIZE, fileSize);
        if (memoryRlimit) {
            limits.put(Limit.DATA, memory);
        }
        List<PathRule> paths = new ArrayList<>();
        for (String p : SYSTEM_READ) {
            paths.add(new PathRule(PathKind.READ, p, true));
        }
        for (String p : read) {
            paths.add(new PathRule(PathKind.READ, p, false));
        }
        for (String p : SYSTEM_WRITE) {
            paths.add(new PathRule(PathKind.WRITE, p, true));
        }
        paths.add(new PathRule(PathKind.WRITE, directory.toString(), false));
        for (String f : cgroupFiles) {
            paths.add(new PathRule(PathKind.CGROUP, f, false));
        }
        return new Confinement(uid, gid, pidNamespace, true, true, seccompProfile(), networkPolicy(), limits,
                OOM_SCORE_ADJ, paths,
                require);
    }

    private Confinement.Seccomp seccompProfile() {
        return profile.equals("compute") ? Confinement.Seccomp.COMPUTE : Confinement.Seccomp.DEFAULT;
    }

    private Confinement.Network networkPolicy() {
        return switch (network) {
            case "connect" -> Confinement.Network.CONNECT;
            case "any" -> Confinement.Network.ANY;
            default -> Confinement.Network.NONE;
        };
    }

    /** One line per protection, as outpost:show prints them. */
    List<String> describe(String memoryHow, String tasksHow, String cpuHow) {
        List<String> lines = new ArrayList<>();
        lines.add("pid namespace of its own (every descendant dies with it)");
        lines.add(uid == 0 ? "uid and gid of the host" : "uid " + uid + ", gid " + gid + ", no supplementary groups");
        lines.add("no capabilities, no_new_privs");
        lines.add("memory " + bytes(memory) + " (" + memoryHow + ")");
        lines.add("tasks " + tasks + " (" + tasksHow + ")");
        lines.add("cpu " + String.format(Locale.ROOT, "%.2f", cpu) + " cores (" + cpuHow + ")");
        lines.add("open files " + files + ", file size " + bytes(fileSize) + ", no core dumps");
        lines.add("oom_score_adj " + OOM_SCORE_ADJ);
        lines.add("seccomp profile " + profile + (profile.equals("compute")
                ? " (an allowlist: computing and I/O on its descriptors; no fork)"
                : " (ptrace, process_vm_*, pidfd_getfd, bpf, mount, modules, kexec, keys, namespaces... refused)"));
        lines.add("network " + network + switch (network) {
            case "none" -> " (no TCP bind or connect; only AF_UNIX sockets)";
            case "connect" -> " (TCP connect; no bind)";
            default -> " (no restriction)";
        });
        lines.add("read " + String.join(" ", SYSTEM_READ) + (read.isEmpty() ? "" : " " + String.join(" ", read)));
        lines.add("write its private directory (TMPDIR) and /dev/null; nothing else of the filesystem");
        return lines;
    }

    /** 64 MiB, 1.5 GiB, 512 KiB, 100 B. */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }
}
