package dev.outpost.runtime.sandbox;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plugin cgroups on cgroup v1, one hierarchy per controller: beneath this process's cgroup in each
 * of {@code memory}, {@code pids} and {@code cpu}, a directory {@code outpost-HOSTPID-N}, and in it
 * one cgroup per plugin process. Limits: {@code memory.limit_in_bytes} (and
 * {@code memory.memsw.limit_in_bytes}: no swap beyond it), {@code pids.max},
 * {@code cpu.cfs_quota_us} over a 100 ms period. OOM kills are counted by
 * {@code memory.oom_control}'s {@code oom_kill}; CPU time by {@code cpuacct.usage} where
 * {@code cpuacct} shares the {@code cpu} hierarchy. Each joined hierarchy costs a start a cgroup
 * migration, so no more are joined: what is left in a cgroup is killed one by one until none is
 * (a plugin in its own pid namespace leaves nothing; its kernel kills what it started).
 *
 * <p>Owns the directories it made. Thread-safe (each plugin cgroup is its process's).
 */
final class CgroupV1 implements CgroupTree {
    private static final System.Logger LOG = System.getLogger(CgroupV1.class.getName());
    static final long CPU_PERIOD_MICROS = 100_000;
    private static final String PROCS = "cgroup.procs";

    /** By controller: the runtime's directory in that controller's hierarchy. */
    private final Map<String, Path> runtime = new LinkedHashMap<>();
    private final List<String> missing = new ArrayList<>();

    /**
     * @param own by controller, the directory of this process's cgroup ({@link CgroupMounts#v1()})
     * @param runtimeName the name of the runtime's directories ({@link CgroupFiles#runtimeName})
     */
    CgroupV1(Map<String, Path> own, String runtimeName) {
        Set<Path> made = new LinkedHashSet<>();
        for (String controller : CgroupMounts.V1_CONTROLLERS) {
            Path base = own.get(controller);
            if (base == null) {
                missing.add("cgroup v1 " + controller + " controller: not mounted for this process"
                        + consequence(controller));
                continue;
            }
            Path dir = base.resolve(runtimeName);
            try {
                if (!made.contains(dir)) {
                    CgroupFiles.removeThoseOfDeadRuntimes(base, PROCS);
                    Files.createDirectories(dir);
                    made.add(dir);
                }
                runtime.put(controller, dir);
            } catch (IOException e) {
                missing.add("cgroup v1 " + controller + " controller: cannot make " + dir + ": "
                        + CgroupFiles.reason(e) + consequence(controller));
            }
        }
    }

    private static String consequence(String controller) {
        return switch (controller) {
            case "memory" -> " (memory is limited by RLIMIT_DATA instead, and an OOM kill is not told apart)";
            case "pids" -> " (the number of tasks is not limited)";
            default -> " (CPU time is not limited)";
        };
    }

    /** Whether any controller is usable. */
    boolean usable() {
        return !runtime.isEmpty();
    }

    @Override
    public String version() {
        return "cgroup v1";
    }

    @Override
    public Set<String> controllers() {
        return Set.copyOf(runtime.keySet());
    }

    @Override
    public List<String> missing() {
        return List.copyOf(missing);
    }

    @Override
    public PluginCgroup create(String name, SandboxPlan plan) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        List<Path> made = new ArrayList<>();
        V1Cgroup cgroup;
        try {
            for (Map.Entry<String, Path> e : runtime.entrySet()) {
                Path dir = e.getValue().resolve(name);
                if (!made.contains(dir)) {
                    Files.createDirectory(dir);
                    made.add(dir);
                }
                dirs.put(e.getKey(), dir);
            }
            cgroup = new V1Cgroup(dirs, new ArrayList<>(new LinkedHashSet<>(dirs.values())));
            cgroup.limit(plan);
        } catch (IOException | RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                CgroupFiles.removeDir(made.get(i));
            }
            throw e;
        }
        return cgroup;
    }

    /** The quota of {@code cores} per period; at least 1 ms, the kernel's minimum. */
    static long quotaMicros(double cores) {
        return Math.max(1000, Math.round(cores * CPU_PERIOD_MICROS));
    }

    @Override
    public void close() {
        for (Path dir : new LinkedHashSet<>(runtime.values())) {
            CgroupFiles.removeDir(dir);
        }
    }

    /** One plugin's cgroups. */
    private static final class V1Cgroup implements PluginCgroup {
        private final Map<String, Path> byController;
        private final List<Path> dirs;
        private boolean removed; // guarded by this
        private SandboxPlan limited; // guarded by this: the plan whose limits are written

        V1Cgroup(Map<String, Path> byController, List<Path> dirs) {
            this.byController = byController;
            this.dirs = dirs;
        }

        @Override
        public List<String> joinFiles() {
            return dirs.stream().map(d -> d.resolve(PROCS).toString()).toList();
        }

        @Override
        public synchronized void limit(SandboxPlan plan) throws IOException {
            if (limited != null && limited.memory() == plan.memory() && limited.tasks() == plan.tasks()
                    && limited.cpu() == plan.cpu()) {
                return; // reused for the same limits: nothing to write
            }
            limited = null; // until every write is done
            Path memory = byController.get("memory");
            if (memory != null) {
                Path limit = memory.resolve("memory.limit_in_bytes");
                Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
                String bytes = Long.toString(plan.memory());
                // memory with swap may never be below memory alone: raise it first, lower it last
                boolean raising = CgroupFiles.number(limit) >= 0 && plan.memory() > CgroupFiles.number(limit);
                boolean swap = Files.exists(memsw);
                if (swap && raising) {
                    CgroupFiles.write(memsw, bytes);
                }
                CgroupFiles.write(limit, bytes);
                if (swap && !raising) {
                    CgroupFiles.write(memsw, bytes);
                }
            }
            if (byController.containsKey("pids")) {
                CgroupFiles.write(byController.get("pids").resolve("pids.max"), Integer.toString(plan.tasks()));
            }
            if (byController.containsKey("cpu")) {
                Path cpu = byController.get("cpu");
                CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
                CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros(plan.cpu())));
            }
            limited = plan;
        }

        private long read(String controller, String file) {
            Path dir = byController.get(controller);
            return dir == null ? -1 : CgroupFiles.number(dir.resolve(file));
        }

        @Override
        public long memory() {
            return read("memory", "memory.usage_in_bytes");
        }

        @Override
        public long tasks() {
            return read("pids", "pids.current");
        }

        @Override
        public long cpuNanos() {
            return read("cpu", "cpuacct.usage"); // where cpuacct is mounted with cpu ("cpu,cpuacct")
        }

        @Override
        public long oomKills() {
            Path dir = byController.get("memory");
            return dir == null ? 0 : Math.max(0, CgroupFiles.keyed(dir.resolve("memory.oom_control"), "oom_kill"));
        }

        @Override
        public synchronized void killAll() {
            Path any = dirs.get(0).resolve(PROCS);
            if (CgroupFiles.pids(any).isEmpty()) {
                return;
            }
            if (!CgroupFiles.killListed(any)) {
                LOG.log(Level.WARNING, "processes are left in " + dirs.get(0) + " after SIGKILL: "
                        + CgroupFiles.pids(any));
            }
        }

        @Override
        public synchronized void remove() {
            if (removed) {
                return;
            }
            removed = true;
            killAll();
            for (Path dir : dirs) {
                CgroupFiles.removeDir(dir);
            }
        }
    }
}
