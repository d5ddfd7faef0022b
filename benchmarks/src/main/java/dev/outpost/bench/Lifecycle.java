package dev.outpost.bench;

import dev.outpost.api.PluginService;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Lifecycle and scale through {@link dev.outpost.runtime.OutpostFramework}, as
 * {@link Figures}:
 *
 * <ul>
 *   <li>{@code outpost.start}: {@code bundle.start()} until the echo service is registered and
 *       has answered a first 64 B call (serving), p50/p99 over {@code --samples} starts;</li>
 *   <li>{@code outpost.stop}: cooperative {@code bundle.stop()} (Goodbye, the plugin exits 0)
 *       until it returns, which is after the reap;</li>
 *   <li>the same in a host without confinement ({@code *.unconfined}), sample by sample in turn
 *       with the confined one, and what confinement adds to a start at p50
 *       ({@code outpost.start.confinement_cost});</li>
 *   <li>{@code outpost.scale.*}: {@code --plugins} echo bundles (one jar, many locations),
 *       installed and resolved, then started at once: time until the start calls return and until
 *       all serve, host threads before and after, heap after GC, the plugins'
 *       summed RSS and PSS, host descriptors and their limit, one call each, and the time the
 *       framework takes to stop them all (every one reaped), all confined;</li>
 *   <li>{@code outpost.quota.*}: the echo plugin's calls beside a CPU spinner ({@link CpuQuota}).</li>
 * </ul>
 *
 * Usage: {@code Lifecycle [--samples N] [--warmup N] [--plugins N] [--out FILE]}; the warm-up
 * starts and stops (default a tenth of the samples) are not measured: they let the JIT compile
 * the start and stop paths, whose compiler threads would otherwise compete with the plugin
 * processes for the CPUs while they are measured.
 */
public final class Lifecycle {
    private static final long WAIT_MS = 60_000;

    private Lifecycle() {
    }

    public static void main(String[] args) throws Exception {
        int samples = 200;
        int warmup = -1;
        int plugins = 1000;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--plugins" -> plugins = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Figures f = new Figures();
        startStop(samples, warmup < 0 ? Math.max(1, samples / 10) : warmup, f);
        CpuQuota.measure(Math.max(200, samples * 10), f); // before the scale figures: their 1,000 exits linger
        if (plugins > 0) {
            scale(plugins, f);
        }
        f.emit(out);
    }

    /**
     * Starts and stops in two hosts of one JVM, taking turns sample by sample: one confines its
     * plugins (the default: {@code outpost.start}, {@code outpost.stop}), the other does not
     * ({@code outpost.sandbox=off}: {@code outpost.start.unconfined}, {@code outpost.stop.unconfined}).
     */
    static void startStop(int samples, int warmup, Figures f) throws Exception {
        byte[] payload = OutpostBenchmark.payload(64);
        long[][] start = new long[2][samples];
        long[][] stop = new long[2][samples];
        try (EchoHost confined = EchoHost.start(); EchoHost open = EchoHost.start(Map.of("outpost.sandbox", "off"))) {
            EchoHost[] hosts = {confined, open};
            Bundle[] bundles = {confined.install("lifecycle"), open.install("lifecycle")};
            for (int i = -warmup; i < samples; i++) {
                for (int h = 0; h < 2; h++) {
                    long t0 = System.nanoTime();
                    CompletableFuture<ServiceReference<?>> registered = hosts[h].expect(bundles[h]);
                    bundles[h].start();
                    hosts[h].await(bundles[h], registered, WAIT_MS).call("echo", payload, null);
                    long t1 = System.nanoTime();
                    bundles[h].stop();
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        start[h][i] = t1 - t0;
                        stop[h][i] = t2 - t1;
                    }
                }
            }
        }
        f.addMicros("outpost.start", start[0]);
        f.addMicros("outpost.stop", stop[0]);
        f.addMicros("outpost.start.unconfined", start[1]);
        f.addMicros("outpost.stop.unconfined", stop[1]);
        double cost = (median(start[0]) - median(start[1])) / 1000.0;
        f.add("outpost.start.confinement_cost", cost, "us");
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static void scale(int n, Figures f) throws Exception {
        byte[] payload = OutpostBenchmark.payload(64);
        try (EchoHost host = EchoHost.start()) {
            List<Bundle> bundles = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                bundles.add(host.install("scale/" + i));
            }
            // resolved beforehand, as a provisioning agent installs and resolves a set of bundles
            // before starting them: the clock measures starting plugins, not Felix's resolver
            host.framework.adapt(FrameworkWiring.class).resolveBundles(bundles);
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            long t0 = System.nanoTime();
            List<CompletableFuture<ServiceReference<?>>> registered = new ArrayList<>(n);
            for (Bundle b : bundles) {
                registered.add(host.expect(b));
                b.start();
            }
            f.add("outpost.scale.started", (System.nanoTime() - t0) / 1e6, "ms");
            List<PluginService> services = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                services.add(host.await(bundles.get(i), registered.get(i), WAIT_MS));
            }
            f.add("outpost.scale.serving", (System.nanoTime() - t0) / 1e6, "ms");
            f.add("outpost.scale.plugins", n, "plugins");
            f.add("outpost.scale.threads_before", threadsBefore, "threads");
            f.add("outpost.scale.threads", ManagementFactory.getThreadMXBean().getThreadCount(), "threads");
            long t1 = System.nanoTime();
            for (PluginService s : services) {
                s.call("echo", payload, null);
            }
            f.add("outpost.scale.call_each", (System.nanoTime() - t1) / 1e6, "ms");
            System.gc();
            f.add("outpost.scale.heap", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0, "MiB");
            long rss = 0;
            long pss = 0;
            for (Bundle b : bundles) {
                long pid = host.pid(b);
                rss += procKib(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
                pss += procKib(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
            }
            f.add("outpost.scale.plugin_rss", rss / 1024.0, "MiB");
            f.add("outpost.scale.plugin_pss", pss / 1024.0, "MiB");
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                f.add("outpost.scale.host_fds", fds.count(), "fds");
            }
            f.note("outpost.scale.fd_limit", openFilesLimit());
            long t2 = System.nanoTime();
            host.framework.stop();
            host.framework.waitForStop(WAIT_MS * 5);
            f.add("outpost.scale.stop_all", (System.nanoTime() - t2) / 1e6, "ms");
            f.add("outpost.scale.children_left", ProcessHandle.current().children().count(), "processes");
        }
    }

    /** A "Key:   123 kB" line of a /proc file, in KiB; 0 when the process or line is gone. */
    static long procKib(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone: it counts for nothing
        }
        return 0;
    }

    /** "soft/hard" of RLIMIT_NOFILE as the host JVM runs with it. */
    static String openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] w = line.substring("Max open files".length()).trim().split("\\s+");
                return w[0] + "/" + w[1];
            }
        }
        return "unknown";
    }
}
