package dev.outpost.runtime.sandbox;

import dev.outpost.api.PluginSandbox;
import dev.outpost.runtime.os.ChildProcess;
import dev.outpost.runtime.os.Confinement;
import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The sandbox of one plugin process: the {@link Confinement} its spawn applies, and its cgroup
 * (limits, usage, OOM kills). Made by {@link Confiner#prepare} before the spawn; owned by the
 * process's owner, who calls {@link #release()} once the process has been reaped (or given up on):
 * that kills whatever is left in the cgroup and removes it. Thread-safe.
 */
public final class ProcessSandbox {
    private final SandboxPlan plan; // null: unconfined
    private final Confinement confinement;
    private final PluginCgroup cgroup;
    private final CgroupTree tree;
    private final List<String> unavailable;
    private final BiConsumer<Integer, String> missingReport;
    private volatile boolean released;

    ProcessSandbox(SandboxPlan plan, Confinement confinement, PluginCgroup cgroup, CgroupTree tree,
                   List<String> unavailable, BiConsumer<Integer, String> missingReport) {
        this.plan = plan;
        this.confinement = confinement;
        this.cgroup = cgroup;
        this.tree = tree;
        this.unavailable = unavailable;
        this.missingReport = missingReport;
    }

    /** The sandbox of a process that is not confined: {@code why} says what is missing. */
    static ProcessSandbox unconfined(List<String> why) {
        return new ProcessSandbox(null, null, PluginCgroup.NONE, new NoCgroups("unconfined"), why, (bits, name) -> { });
    }

    /** What the spawn applies; null: nothing (confinement is off or unavailable). */
    public Confinement confinement() {
        return confinement;
    }

    /**
     * Whether the process is the init of a pid namespace of its own: the kernel gives it no signal
     * it has no handler for, but SIGKILL (and SIGSTOP).
     */
    public boolean namespaceInit() {
        return confinement != null && confinement.pidNamespace();
    }

    /** The spawn succeeded: reports, once per protection, what the kernel did not give. */
    public void spawned(ChildProcess child, String plugin) {
        if (child.missingProtections() != 0) {
            missingReport.accept(child.missingProtections(), plugin);
        }
    }

    /**
     * Why the process ended, if its sandbox ended it: the kernel's OOM killer at its memory limit
     * (a SIGKILL while its cgroup counts an OOM kill). Read before {@link #release()}.
     */
    public Optional<String> endedBy(ExitStatus status) {
        if (plan != null && status != null && status.signal() == Signals.SIGKILL && cgroup.oomKills() > 0) {
            return Optional.of("out of memory: killed by the kernel's OOM killer at its memory limit of "
                    + SandboxPlan.bytes(plan.memory()));
        }
        return Optional.empty();
    }

    /**
     * The confinement in force and the usage now, for outpost:show and outpost:list.
     *
     * @param pid the process, whose own CPU time is shown where its cgroup does not count it
     */
    public PluginSandbox snapshot(long pid) {
        if (plan == null) {
            return new PluginSandbox(false, List.of(), unavailable, -1, -1, -1, -1, Duration.ZERO, 0);
        }
        String how = tree.version();
        List<String> inForce = new ArrayList<>(plan.describe(
                tree.limitsMemory() ? "memory cgroup, " + how : "RLIMIT_DATA",
                tree.limitsTasks() ? "pids cgroup, " + how : "not limited",
                tree.limitsCpu() ? "cpu cgroup quota, " + how : "not limited"));
        if (!confinement.pidNamespace()) {
            inForce.remove(0);
        }
        boolean live = !released;
        long cpu = !live ? -1 : cgroup.cpuNanos() >= 0 ? cgroup.cpuNanos() : processCpuNanos(pid);
        return new PluginSandbox(true, inForce, unavailable, live ? cgroup.memory() : -1,
                tree.limitsMemory() ? plan.memory() : -1, live ? cgroup.tasks() : -1,
                tree.limitsTasks() ? plan.tasks() : -1, cpu < 0 ? Duration.ZERO : Duration.ofNanos(cpu),
                live ? cgroup.oomKills() : 0);
    }

    /** CPU time of a process and the children it reaped ({@code /proc/PID/stat}), or -1. */
    static long processCpuNanos(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * (1_000_000_000L / USER_HZ);
        } catch (java.io.IOException | RuntimeException gone) {
            return -1;
        }
    }

    /** Clock ticks per second of /proc's times: 100 on Linux, x86-64 and aarch64 alike. */
    private static final long USER_HZ = 100;

    /** Kills what is left in the cgroup and removes it. Idempotent. */
    public void release() {
        released = true;
        cgroup.remove();
    }
}
