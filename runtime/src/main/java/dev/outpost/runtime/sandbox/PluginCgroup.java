package dev.outpost.runtime.sandbox;

import java.util.List;

/**
 * The cgroup (one per hierarchy on v1) of one plugin process: made with its limits before the
 * spawn, joined by the spawner's child before the exec, removed once the process has been reaped.
 * Owned by the process's owner; {@link #remove()} is idempotent. Values it cannot read are -1.
 */
interface PluginCgroup {
    /** The cgroup.procs (or tasks) files the child writes itself into. */
    List<String> joinFiles();

    /** Writes the plan's limits (again, for a cgroup that is reused). */
    void limit(SandboxPlan plan) throws java.io.IOException;

    /** Bytes of memory charged now. */
    long memory();

    /** Processes and threads in it now. */
    long tasks();

    /** CPU time of everything that ran in it, nanoseconds. */
    long cpuNanos();

    /** How often the kernel's OOM killer killed a process of it at its memory limit. */
    long oomKills();

    /**
     * Kills every process still in it (a descendant that escaped the pid namespace's end, or one
     * where there is none) and waits, within a bound, until none is left.
     */
    void killAll();

    /** Kills what is left, then removes the cgroup. Idempotent. */
    void remove();

    /** No cgroup. */
    PluginCgroup NONE = new PluginCgroup() {
        @Override
        public List<String> joinFiles() {
            return List.of();
        }

        @Override
        public void limit(SandboxPlan plan) {
        }

        @Override
        public long memory() {
            return -1;
        }

        @Override
        public long tasks() {
            return -1;
        }

        @Override
        public long cpuNanos() {
            return -1;
        }

        @Override
        public long oomKills() {
            return 0;
        }

        @Override
        public void killAll() {
        }

        @Override
        public void remove() {
        }
    };
}
