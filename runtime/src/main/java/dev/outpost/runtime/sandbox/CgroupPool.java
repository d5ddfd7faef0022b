package dev.outpost.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Reuses plugin cgroups: one whose process has ended, and that is empty once what was left in it
 * has been killed, goes back to a pool of at most {@value #MAX_IDLE} instead of being removed, and
 * the next plugin takes it with its own limits written. Making a cgroup (a directory in each of up
 * to five v1 hierarchies, the memory controller's the dearest) and removing it are the largest
 * part of what confinement adds to a start and a stop. Counters that outlive a process (OOM kills,
 * CPU time) are counted from when the cgroup was taken. The cgroups are named {@code slot-N}.
 *
 * <p>Owns the idle cgroups; each taken one is its taker's until {@link PluginCgroup#remove()}.
 * Thread-safe.
 */
final class CgroupPool implements CgroupTree {
    static final int MAX_IDLE = 64;

    private final CgroupTree tree;
    /** An idle cgroup, with its counters as they were when its last process had ended. */
    private record Idle(PluginCgroup cgroup, long oomKills, long cpuNanos) {
    }

    private final Deque<Idle> idle = new ArrayDeque<>(); // guarded by this
    private int made;                                            // guarded by this
    private boolean closed;                                      // guarded by this

    CgroupPool(CgroupTree tree) {
        this.tree = tree;
    }

    @Override
    public String version() {
        return tree.version();
    }

    @Override
    public Set<String> controllers() {
        return tree.controllers();
    }

    @Override
    public List<String> missing() {
        return tree.missing();
    }

    /** {@code name} is not used: pooled cgroups are named {@code slot-N}. */
    @Override
    public PluginCgroup create(String name, SandboxPlan plan) throws IOException {
        Idle reused;
        String slot;
        synchronized (this) {
            reused = idle.pollFirst();
            slot = reused == null ? "slot-" + ++made : null;
        }
        if (reused == null) {
            return new Taken(tree.create(slot, plan), 0, 0); // a new cgroup counts from zero
        }
        try {
            reused.cgroup().limit(plan);
        } catch (IOException | RuntimeException e) {
            reused.cgroup().remove();
            throw e;
        }
        return new Taken(reused.cgroup(), reused.oomKills(), reused.cpuNanos());
    }

    /** Back to the pool, or removed when the pool is full or closed. */
    private void giveBack(PluginCgroup cgroup) {
        synchronized (this) {
            if (!closed && idle.size() < MAX_IDLE) {
                // the most recently used first: its pages are the warmest
                idle.addFirst(new Idle(cgroup, cgroup.oomKills(), Math.max(0, cgroup.cpuNanos())));
                return;
            }
        }
        cgroup.remove();
    }

    /** Idle cgroups this pool holds now; for tests. */
    synchronized int idle() {
        return idle.size();
    }

    @Override
    public void close() {
        List<Idle> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(idle);
            idle.clear();
        }
        left.forEach(i -> i.cgroup().remove());
        tree.close();
    }

    /** A cgroup taken from the pool, its counters counted from now. */
    private final class Taken implements PluginCgroup {
        private final PluginCgroup cgroup;
        private final long oomKillsBefore;
        private final long cpuBefore;
        private boolean returned; // guarded by this

        Taken(PluginCgroup cgroup, long oomKillsBefore, long cpuBefore) {
            this.cgroup = cgroup;
            this.oomKillsBefore = oomKillsBefore;
            this.cpuBefore = cpuBefore;
        }

        @Override
        public List<String> joinFiles() {
            return cgroup.joinFiles();
        }

        @Override
        public void limit(SandboxPlan plan) throws IOException {
            cgroup.limit(plan);
        }

        @Override
        public long memory() {
            return cgroup.memory();
        }

        @Override
        public long tasks() {
            return cgroup.tasks();
        }

        @Override
        public long cpuNanos() {
            long now = cgroup.cpuNanos();
            return now < 0 ? -1 : now - cpuBefore;
        }

        @Override
        public long oomKills() {
            return cgroup.oomKills() - oomKillsBefore;
        }

        @Override
        public void killAll() {
            cgroup.killAll();
        }

        /** Kills what is left; an empty cgroup goes back to the pool, one that is not is removed. */
        @Override
        public synchronized void remove() {
            if (returned) {
                return;
            }
            returned = true;
            cgroup.killAll(); // returns at once when nothing is left in it
            List<String> procs = cgroup.joinFiles();
            if (procs.isEmpty() || CgroupFiles.pids(Path.of(procs.get(0))).isEmpty()) {
                giveBack(cgroup);
            } else {
                cgroup.remove();
            }
        }
    }
}
