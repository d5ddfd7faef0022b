package dev.outpost.runtime.sandbox;

import java.util.List;
import java.util.Set;

/** Where no cgroup hierarchy is used: nothing is limited by cgroups, and the reason is reported. Owns nothing. */
final class NoCgroups implements CgroupTree {
    private final String reason;

    NoCgroups(String reason) {
        this.reason = reason;
    }

    @Override
    public String version() {
        return "no cgroups";
    }

    @Override
    public Set<String> controllers() {
        return Set.of();
    }

    @Override
    public List<String> missing() {
        return List.of("cgroups: " + reason + "; memory is limited by RLIMIT_DATA only, tasks and CPU are not limited,"
                + " and an OOM kill is not told apart");
    }

    @Override
    public PluginCgroup create(String name, SandboxPlan plan) {
        return PluginCgroup.NONE;
    }

    @Override
    public void close() {
    }
}
