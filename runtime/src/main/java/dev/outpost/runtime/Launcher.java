package dev.outpost.runtime;

import dev.outpost.api.PluginInfo;
import dev.outpost.api.PluginState;
import dev.outpost.api.Plugins;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

/**
 * The {@code outpost} command: starts an embedded framework with the Outpost runtime, installs and
 * starts every bundle in the deploy folder, reports each plugin as it comes up, and runs until
 * SIGTERM or Ctrl-C, which stop every plugin (each reaped) before the JVM exits.
 */
public final class Launcher {
    private static final long STARTUP_REPORT_MILLIS = 10_000;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
        }
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("outpost: " + e.getMessage());
            System.err.println(LauncherOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(LauncherOptions.USAGE);
            return;
        }
        System.exit(run(options, System.out));
    }

    static int run(LauncherOptions options, PrintStream out) throws Exception {
        if (!Files.isDirectory(options.deployDir())) {
            System.err.println("outpost: deploy folder " + options.deployDir() + " does not exist or is not a folder");
            return 2;
        }
        Map<String, String> props = new HashMap<>(options.properties());
        Framework framework = OutpostFramework.start(options.workDir().resolve("cache"), props);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                out.println("outpost: stopping every plugin");
                long began = System.nanoTime();
                framework.stop();
                framework.waitForStop(60_000);
                out.printf("outpost: stopped; every plugin process reaped in %.1f ms%n", (System.nanoTime() - began) / 1e6);
            } catch (BundleException | InterruptedException e) {
                System.err.println("outpost: stopping failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "outpost-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        int failures = deploy(framework, options.deployDir(), out);
        report(framework, out);
        out.println("outpost: running; Ctrl-C stops every plugin and exits");
        FrameworkEvent event = framework.waitForStop(0);
        stopped.await();
        return failures == 0 && event.getType() == FrameworkEvent.STOPPED ? 0 : 1;
    }

    private static int deploy(Framework framework, Path dir, PrintStream out) throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        out.println("outpost: deploying " + jars.size() + " bundle(s) from " + dir);
        int failures = 0;
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            try {
                installed.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                failures++;
                out.println("outpost: " + jar.getFileName() + " is not a valid bundle: " + e.getMessage());
            }
        }
        for (Bundle b : installed) {
            try {
                b.start();
            } catch (BundleException e) {
                failures++;
                out.println("outpost: " + b.getSymbolicName() + " did not start: " + e.getMessage());
            }
        }
        return failures;
    }

    /** Waits (bounded) for every plugin to serve or fail, and prints one line for each. */
    private static void report(Framework framework, PrintStream out) throws InterruptedException {
        var ref = framework.getBundleContext().getServiceReference(Plugins.class);
        if (ref == null) {
            return;
        }
        Plugins plugins = framework.getBundleContext().getService(ref);
        long deadline = System.currentTimeMillis() + STARTUP_REPORT_MILLIS;
        while (System.currentTimeMillis() < deadline
                && plugins.list().stream().anyMatch(p -> p.state() == PluginState.STARTING)) {
            Thread.sleep(10);
        }
        for (PluginInfo p : plugins.list()) {
            out.printf("  %-16s bundle %-4d %-9s pid %-7d %s%n", p.name(), p.bundleId(), p.state(), p.pid(),
                    p.failure().orElse(""));
        }
    }

}
