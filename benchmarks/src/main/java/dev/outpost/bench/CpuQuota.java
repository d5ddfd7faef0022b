package dev.outpost.bench;

import dev.outpost.api.PluginService;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.Bundle;

/**
 * What a CPU spinner beside it costs a healthy plugin: the echo plugin's 64 B call round trip
 * alone ({@code outpost.quota.alone}), beside a spinner that its sandbox caps at half a core
 * ({@code outpost.quota.capped}), and beside the same spinner allowed every core
 * ({@code outpost.quota.uncapped}), each over {@code samples} calls in one run. The spinner
 * ({@code benchmarks/src/main/c/spinner.c}, {@code -Doutpost.bench.spinner}) spins one thread per
 * CPU and never shakes hands: its host waits for its Hello for ten minutes.
 */
final class CpuQuota {
    static final String SPINNER_PROPERTY = "outpost.bench.spinner";
    private static final long WAIT_MS = 60_000;

    private CpuQuota() {
    }

    static void measure(int samples, Figures f) throws Exception {
        Path spinner = Path.of(System.getProperty(SPINNER_PROPERTY, "target/native/spinner"));
        if (!Files.isRegularFile(spinner)) {
            f.note("outpost.quota", "spinner_not_built_(" + spinner + ")");
            return;
        }
        byte[] executable = Files.readAllBytes(spinner);
        int cpus = Runtime.getRuntime().availableProcessors();
        try (EchoHost host = EchoHost.start(Map.of("outpost.handshake.timeout.ms", "600000"))) {
            PluginService echo = host.startAndAwait(host.install("quota-echo"), WAIT_MS);
            byte[] payload = OutpostBenchmark.payload(64);
            for (int i = 0; i < 5; i++) {
                calls(echo, payload, samples); // warm-up: the call path compiled, the CPUs awake
            }
            f.addMicros("outpost.quota.alone", calls(echo, payload, samples));
            for (String how : new String[] {"capped", "uncapped"}) {
                String cpu = how.equals("capped") ? "0.5" : Integer.toString(cpus);
                Bundle b = host.context.installBundle("bench:spinner-" + how, new ByteArrayInputStream(
                        spinnerBundle(executable, "cpu=" + cpu)));
                b.start();
                Thread.sleep(300); // its threads are spinning by then
                f.addMicros("outpost.quota." + how, calls(echo, payload, samples));
                b.stop();
                b.uninstall();
            }
        }
    }

    private static long[] calls(PluginService echo, byte[] payload, int n) {
        long[] took = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            echo.call("echo", payload, null);
            took[i] = System.nanoTime() - t0;
        }
        return took;
    }

    /** The spinner as a bundle, with {@code sandbox} as its Outpost-Sandbox header. */
    private static byte[] spinnerBundle(byte[] executable, String sandbox) throws Exception {
        return PluginJar.of("bench.spinner", "bin/spinner", executable, Map.of("Outpost-Name", "spinner",
                "Outpost-Arguments", Runtime.getRuntime().availableProcessors() + ", 120",
                "Outpost-Restart", "never", "Outpost-Sandbox", sandbox));
    }
}
