package dev.outpost.itests;

import dev.outpost.api.PluginService;
import dev.outpost.api.PluginState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.osgi.framework.Bundle;

/**
 * Measures how long a plugin takes to serve again after kill -9, under on-failure (eager, with
 * the backoff's first delay set to 0) and on-demand (lazy: the time of the call that revives it).
 * Prints p50/p99 in milliseconds. Run (after a build) with:
 * {@code mvn -q -pl itests exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.outpost.itests.RecoveryTimes}
 */
public final class RecoveryTimes {
    private RecoveryTimes() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        for (String policy : new String[] {"on-failure", "on-demand"}) {
            Path dir = Files.createTempDirectory("outpost-recovery");
            TestRuntime runtime = TestRuntime.start(dir, Map.of("outpost.restart.policy", policy,
                    "outpost.restart.initial.delay.ms", "0", "outpost.restart.intensity", String.valueOf(rounds + 1)));
            PluginEventRecorder events = new PluginEventRecorder(runtime.context);
            try {
                Bundle bundle = runtime.installAndStart(TestBundles.echo());
                PluginService echo = runtime.awaitService(bundle, "echo");
                double[] millis = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    long pid = runtime.pid(bundle);
                    long began = System.nanoTime();
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    events.awaitEntered(bundle.getBundleId(), PluginState.RESTARTING, i + 1);
                    if (policy.equals("on-failure")) {
                        events.awaitEntered(bundle.getBundleId(), PluginState.RUNNING, i + 2);
                    }
                    echo.call("echo", new byte[64], Duration.ofSeconds(10));
                    millis[i] = (System.nanoTime() - began) / 1e6;
                }
                Arrays.sort(millis);
                System.out.printf("%-10s kill -9 -> serving again: p50 %.2f ms, p99 %.2f ms (%d rounds)%n", policy,
                        millis[rounds / 2], millis[(int) (rounds * 0.99)], rounds);
            } finally {
                events.close();
                runtime.close();
            }
        }
    }
}
