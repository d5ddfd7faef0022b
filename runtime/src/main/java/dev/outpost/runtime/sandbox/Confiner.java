package dev.outpost.runtime.sandbox;

import dev.outpost.runtime.content.SandboxRequest;
import dev.outpost.runtime.os.Confinement;
import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The confinement of one runtime's plugins: the host's {@link SandboxSettings}, the cgroup tree
 * its plugins' cgroups live in, and what this kernel and this host cannot give. Says once, when it
 * opens, which protection is missing and why; {@link #prepare} makes each process's
 * {@link ProcessSandbox}.
 *
 * <p>Owns the cgroup tree (the runtime's cgroup directories) until {@link #close()}. Thread-safe.
 */
public final class Confiner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Confiner.class.getName());

    private final SandboxSettings settings;
    private final boolean confining;
    private final CgroupTree cgroups;
    private final List<Path> hostPrivate;
    private final List<String> unavailable;
    private final int landlockAbi;
    private final Set<Integer> reportedMissing = ConcurrentHashMap.newKeySet();

    private Confiner(SandboxSettings settings, boolean confining, CgroupTree cgroups, List<Path> hostPrivate,
                     int landlockAbi, List<String> unavailable) {
        this.settings = settings;
        this.confining = confining;
        this.cgroups = cgroups;
        this.hostPrivate = List.copyOf(hostPrivate);
        this.landlockAbi = landlockAbi;
        this.unavailable = List.copyOf(unavailable);
    }

    /**
     * Reads the settings, finds the cgroups, probes the kernel, and logs what is missing.
     *
     * @param properties the framework's properties ({@code outpost.sandbox.*})
     * @param hostPrivate directories no bundle may ask to read (deploy folder, bundle cache...)
     * @param confinable whether plugins can be confined at all (the spawner process is there)
     * @throws IllegalArgumentException naming a property whose value is wrong
     */
    public static Confiner open(Function<String, String> properties, List<Path> hostPrivate, boolean confinable) {
        boolean root = Posix.geteuid() == 0;
        SandboxSettings settings = SandboxSettings.from(properties, root);
        if (!settings.enabled()) {
            LOG.log(Level.WARNING, "confinement is off (" + SandboxSettings.PREFIX + "=off): plugins run as this"
                    + " host's user, see its files and network, and have no limits");
            return new Confiner(settings, false, new NoCgroups("confinement is off"), hostPrivate, 0,
                    List.of("confinement: off (" + SandboxSettings.PREFIX + "=off)"));
        }
        if (!confinable) {
            LOG.log(Level.WARNING, "confinement is not available: outpost-spawner, which applies it, is missing");
            return new Confiner(settings, false, new NoCgroups("confinement is unavailable"), hostPrivate, 0,
                    List.of("confinement: outpost-spawner, which applies it, is missing from the runtime"));
        }
        CgroupTree cgroups = openCgroups(settings.cgroup());
        int abi = Posix.landlockAbi();
        List<String> unavailable = new ArrayList<>(cgroups.missing());
        for (Confinement.Missing m : Confinement.Missing.of(Confinement.Missing.expected(abi, root))) {
            unavailable.add(m.description);
        }
        if (!root) {
            unavailable.add("uid: this host does not run as root, so plugins run as its uid ("
                    + Posix.geteuid() + "), and without a pid namespace of their own (their descendants are "
                    + "killed through their cgroup instead)");
        }
        Confiner confiner = new Confiner(settings, true, cgroups, hostPrivate, abi, unavailable);
        if (!unavailable.isEmpty()) {
            LOG.log(settings.refuseMissing() ? Level.ERROR : Level.WARNING, "confinement: this host cannot give "
                    + String.join("; ", unavailable) + (settings.refuseMissing()
                    ? " - every plugin start is refused (" + SandboxSettings.PREFIX + ".missing=refuse)" : ""));
        }
        LOG.log(Level.DEBUG, () -> "confinement: " + cgroups.version() + ", landlock ABI " + abi);
        return confiner;
    }

    private static CgroupTree openCgroups(String which) {
        if (which.equals("none")) {
            return new NoCgroups("not used (" + SandboxSettings.PREFIX + ".cgroup=none)");
        }
        CgroupMounts mounts;
        try {
            mounts = CgroupMounts.parse(Files.readString(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8),
                    Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new NoCgroups("cannot read /proc/self/cgroup: " + e.getMessage());
        }
        boolean v1Mounted = mounts.v1().containsKey("memory") || mounts.v1().containsKey("pids");
        if (which.equals("v1") || which.equals("auto") && v1Mounted) {
            CgroupV1 v1 = new CgroupV1(mounts.v1(), CgroupFiles.runtimeName(Posix.getpid()));
            if (v1.usable() || which.equals("v1")) {
                return v1.usable() ? new CgroupPool(v1) : new NoCgroups(String.join("; ", v1.missing()));
            }
        }
        if (mounts.v2().isPresent()) {
            CgroupV2 v2 = new CgroupV2(mounts.v2().get(), CgroupFiles.runtimeName(Posix.getpid()));
            return v2.usable() ? new CgroupPool(v2) : new NoCgroups(String.join("; ", v2.missing()));
        }
        return new NoCgroups("no cgroup hierarchy is mounted for this process");
    }

    /** Whether plugins are confined. */
    public boolean enabled() {
        return confining;
    }

    /** Protections this host cannot give, each with its reason. */
    public List<String> unavailable() {
        return unavailable;
    }

    /**
     * Why a bundle's request cannot be had on this host (it asks for more than the ceilings, or a
     * protection is missing and the host refuses to do without), or empty: checked when the
     * plugin starts, so that such a bundle fails at once and for good rather than at each spawn.
     */
    public java.util.Optional<String> refusal(SandboxRequest request) {
        if (!enabled()) {
            return java.util.Optional.empty();
        }
        if (settings.refuseMissing() && !unavailable.isEmpty()) {
            return java.util.Optional.of(missingRefusal());
        }
        try {
            SandboxPolicy.plan(request, settings, hostPrivate);
            return java.util.Optional.empty();
        } catch (SandboxPolicy.Refusal r) {
            return java.util.Optional.of(r.getMessage());
        }
    }

    private String missingRefusal() {
        return "this host cannot give " + String.join("; ", unavailable) + ", and " + SandboxSettings.PREFIX
                + ".missing=refuse";
    }

    /**
     * The sandbox of one process: its plan (the bundle's request within the host's ceilings), its
     * cgroup made with the plan's limits, its private directory given to its uid.
     *
     * @param name unique among live processes (the name of its private directory)
     * @param directory its private working directory, which becomes its uid's
     * @throws SandboxException naming the header and the ceiling, a missing protection the host
     *     refuses to do without, or the cgroup file that could not be made; nothing is left then
     */
    public ProcessSandbox prepare(String name, SandboxRequest request, Path directory) throws SandboxException {
        if (!enabled()) {
            return ProcessSandbox.unconfined(unavailable);
        }
        if (settings.refuseMissing() && !unavailable.isEmpty()) {
            throw new SandboxException(missingRefusal());
        }
        SandboxPlan plan;
        try {
            plan = SandboxPolicy.plan(request, settings, hostPrivate);
        } catch (SandboxPolicy.Refusal r) {
            throw new SandboxException(r.getMessage());
        }
        PluginCgroup cgroup;
        try {
            if (plan.uid() != 0) {
                Files.setAttribute(directory, "unix:gid", plan.gid());
                Files.setAttribute(directory, "unix:uid", plan.uid());
            }
            cgroup = cgroups.create(name, plan);
        } catch (IOException e) {
            throw new SandboxException("cannot prepare the sandbox: " + e.getMessage());
        }
        // with missing=refuse the spawn fails should the kernel not give what it was found to have
        int require = settings.refuseMissing() ? Confinement.Missing.ALL : 0;
        Confinement confinement = plan.confinement(directory, cgroup.joinFiles(), !cgroups.limitsMemory(), require,
                Posix.geteuid() == 0);
        return new ProcessSandbox(plan, confinement, cgroup, cgroups, unavailable, this::reportOnce);
    }

    /** Logs, once per protection, one that the kernel did not give a plugin though it was expected to. */
    private void reportOnce(int missingBits, String plugin) {
        for (Confinement.Missing m : Confinement.Missing.of(missingBits)) {
            if (reportedMissing.add(m.bit)) {
                LOG.log(Level.WARNING, "confinement of " + plugin + ": the kernel did not give " + m.description);
            }
        }
    }

    @Override
    public void close() {
        cgroups.close();
    }
}
