package dev.outpost.runtime.sandbox;

import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Plugin cgroups on the unified hierarchy (cgroup v2): {@code outpost-HOSTPID-N} beneath this
 * process's cgroup, one cgroup per plugin process in it. Limits: {@code memory.max} (and
 * {@code memory.swap.max} 0), {@code pids.max}, {@code cpu.max}; OOM kills are counted by
 * {@code memory.events}' {@code oom_kill}; {@code cgroup.kill} kills a plugin's cgroup whole.
 *
 * <p>A v2 cgroup that has processes cannot hand controllers to its children. Where this process's
 * cgroup has processes and the controllers are not yet enabled for its children, this process
 * moves itself into a leaf {@code outpost-host} beside the plugins' directory first (what
 * systemd's {@code DelegateSubgroup=} does), and says so. Controllers not delegated to this
 * process's cgroup at all are reported missing.
 *
 * <p>Owns the directories it made. Thread-safe (each plugin cgroup is its process's).
 */
final class CgroupV2 implements CgroupTree {
    private static final System.Logger LOG = System.getLogger(CgroupV2.class.getName());
    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    private static final String PROCS = "cgroup.procs", HOST_LEAF = "outpost-host";

    private final Path runtime;
    private final List<String> enabled = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private final boolean made;

    /**
     * @param own the directory of this process's cgroup ({@link CgroupMounts#v2()})
     * @param runtimeName the name of the runtime's directory ({@link CgroupFiles#runtimeName})
     */
    CgroupV2(Path own, String runtimeName) {
        this.runtime = own.resolve(runtimeName);
        List<String> available = words(own.resolve("cgroup.controllers"));
        List<String> wanted = CONTROLLERS.stream().filter(available::contains).toList();
        for (String c : CONTROLLERS) {
            if (!available.contains(c)) {
                missing.add("cgroup v2 " + c + " controller: not delegated to " + own + consequence(c));
            }
        }
        CgroupFiles.removeThoseOfDeadRuntimes(own, PROCS);
        boolean ok;
        try {
            if (!wanted.isEmpty() && !words(own.resolve("cgroup.subtree_control")).containsAll(wanted)) {
                enableWithHostInLeaf(own, wanted);
            }
            Files.createDirectories(runtime);
            if (!wanted.isEmpty()) {
                CgroupFiles.write(runtime.resolve("cgroup.subtree_control"), plus(wanted));
            }
            enabled.addAll(wanted);
            ok = true;
        } catch (IOException e) {
            missing.add("cgroup v2: " + e.getMessage() + " (memory is limited by RLIMIT_DATA instead; tasks and CPU"
                    + " are not limited)");
            ok = Files.isDirectory(runtime);
        }
        this.made = ok;
    }

    /** Enables {@code wanted} for the children of {@code own}, moving this process into a leaf if it must. */
    private static void enableWithHostInLeaf(Path own, List<String> wanted) throws IOException {
        try {
            CgroupFiles.write(own.resolve("cgroup.subtree_control"), plus(wanted));
            return;
        } catch (IOException busy) {
            if (CgroupFiles.pids(own.resolve(PROCS)).isEmpty()) {
                throw busy;
            }
        }
        Path leaf = own.resolve(HOST_LEAF);
        Files.createDirectories(leaf);
        CgroupFiles.write(leaf.resolve(PROCS), Long.toString(Posix.getpid()));
        LOG.log(Level.INFO, "cgroup v2: moved this runtime into " + leaf + " so that its plugins' cgroups can have "
                + String.join(", ", wanted) + " limits (a cgroup with processes cannot give controllers to others)");
        CgroupFiles.write(own.resolve("cgroup.subtree_control"), plus(wanted));
    }

    private static String plus(List<String> controllers) {
        return controllers.stream().map(c -> "+" + c).collect(Collectors.joining(" "));
    }

    private static List<String> words(Path file) {
        try {
            return Arrays.asList(Files.readString(file).trim().split("\\s+"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String consequence(String controller) {
        return switch (controller) {
            case "memory" -> " (memory is limited by RLIMIT_DATA instead, and an OOM kill is not told apart)";
            case "pids" -> " (the number of tasks is not limited)";
            default -> " (CPU time is not limited)";
        };
    }

    /** Whether the runtime's directory exists: plugins can be put in cgroups and killed whole. */
    boolean usable() {
        return made;
    }

    @Override
    public String version() {
        return "cgroup v2";
    }

    @Override
    public Set<String> controllers() {
        return Set.copyOf(enabled);
    }

    @Override
    public List<String> missing() {
        return List.copyOf(missing);
    }

    @Override
    public PluginCgroup create(String name, SandboxPlan plan) throws IOException {
        Path dir = runtime.resolve(name);
        Files.createDirectory(dir);
        V2Cgroup cgroup = new V2Cgroup(dir, limitsMemory(), limitsTasks(), limitsCpu());
        try {
            cgroup.limit(plan);
        } catch (IOException | RuntimeException e) {
            CgroupFiles.removeDir(dir);
            throw e;
        }
        return cgroup;
    }

    @Override
    public void close() {
        CgroupFiles.removeDir(runtime);
    }

    /** One plugin's cgroup. */
    private static final class V2Cgroup implements PluginCgroup {
        private final Path dir;
        private final boolean memory, tasks, cpu;
        private boolean removed; // guarded by this
        private SandboxPlan limited; // guarded by this: the plan whose limits are written

        V2Cgroup(Path dir, boolean memory, boolean tasks, boolean cpu) {
            this.dir = dir;
            this.memory = memory;
            this.tasks = tasks;
            this.cpu = cpu;
        }

        @Override
        public List<String> joinFiles() {
            return List.of(dir.resolve(PROCS).toString());
        }

        @Override
        public synchronized void limit(SandboxPlan plan) throws IOException {
            if (limited != null && limited.memory() == plan.memory() && limited.tasks() == plan.tasks()
                    && limited.cpu() == plan.cpu()) {
                return; // reused for the same limits: nothing to write
            }
            limited = null;
            if (memory) {
                CgroupFiles.write(dir.resolve("memory.max"), Long.toString(plan.memory()));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    CgroupFiles.write(dir.resolve("memory.swap.max"), "0");
                }
            }
            if (tasks) {
                CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(plan.tasks()));
            }
            if (cpu) {
                CgroupFiles.write(dir.resolve("cpu.max"), CgroupV1.quotaMicros(plan.cpu()) + " "
                        + CgroupV1.CPU_PERIOD_MICROS);
            }
            limited = plan;
        }

        @Override
        public long memory() {
            return CgroupFiles.number(dir.resolve("memory.current"));
        }

        @Override
        public long tasks() {
            return CgroupFiles.number(dir.resolve("pids.current"));
        }

        @Override
        public long cpuNanos() {
            long micros = CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec");
            return micros < 0 ? -1 : micros * 1000;
        }

        @Override
        public long oomKills() {
            return Math.max(0, CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill"));
        }

        @Override
        public synchronized void killAll() {
            Path procs = dir.resolve(PROCS);
            if (CgroupFiles.pids(procs).isEmpty()) {
                return;
            }
            try {
                CgroupFiles.write(dir.resolve("cgroup.kill"), "1"); // the kernel kills it whole, forks included
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> e.getMessage() + "; killing its processes one by one");
            }
            if (!CgroupFiles.killListed(procs)) {
                LOG.log(Level.WARNING, "processes are left in " + dir + " after SIGKILL: " + CgroupFiles.pids(procs));
            }
        }

        @Override
        public synchronized void remove() {
            if (removed) {
                return;
            }
            removed = true;
            killAll();
            CgroupFiles.removeDir(dir);
        }
    }
}
