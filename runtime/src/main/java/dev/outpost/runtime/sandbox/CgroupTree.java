package dev.outpost.runtime.sandbox;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The cgroups of one runtime's plugins: a directory of the runtime's own beneath the cgroup this
 * process is in, and one cgroup per plugin process beneath it, with its limits. Behind this
 * interface: {@link CgroupV1} (one hierarchy per controller), {@link CgroupV2} (one unified
 * hierarchy) and {@link NoCgroups}. Owns the directories it made until {@link #close()}.
 */
interface CgroupTree extends AutoCloseable {
    /** "cgroup v1", "cgroup v2" or "no cgroups". */
    String version();

    /** The controllers whose limits plugin cgroups get: of {@code memory}, {@code pids}, {@code cpu}. */
    Set<String> controllers();

    default boolean limitsMemory() {
        return controllers().contains("memory");
    }

    default boolean limitsTasks() {
        return controllers().contains("pids");
    }

    default boolean limitsCpu() {
        return controllers().contains("cpu");
    }

    /** Protections this tree cannot give, each with its reason (empty when it gives them all). */
    List<String> missing();

    /**
     * Makes the cgroup of one plugin process, with the plan's limits set.
     *
     * @param name unique among this runtime's live cgroups (the plugin's name and a sequence number)
     * @throws IOException naming the file that could not be made or written; nothing is left then
     */
    PluginCgroup create(String name, SandboxPlan plan) throws IOException;

    /** Removes the runtime's directories (its plugins' cgroups must be gone). Idempotent. */
    @Override
    void close();
}
