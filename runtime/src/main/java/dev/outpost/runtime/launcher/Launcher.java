package dev.outpost.runtime.launcher;

import dev.outpost.runtime.OutpostFramework;
import dev.outpost.runtime.content.BundleJar;
import dev.outpost.runtime.deploy.DeployFolder;
import dev.outpost.runtime.deploy.DevPlugins;
import dev.outpost.runtime.deploy.FolderWatch;
import dev.outpost.runtime.shell.ShellBundles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import picocli.CommandLine;

/**
 * The {@code outpost} command: starts an embedded framework with the Outpost runtime (bundle cache
 * in the work folder), reconciles it with the deploy folder and keeps watching that folder, reports
 * each plugin as it comes up, starts the Gogo shell unless headless, and runs until SIGTERM, Ctrl-C
 * or the shell's {@code exit}, which stop every plugin (each reaped) before the JVM exits.
 * Everything the operator must see goes to stdout, which stays usable while stopping.
 */
public final class Launcher {
    private static final Duration STARTUP_REPORT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final LauncherOptions options;
    private final PrintStream out;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile FolderWatch watch;

    Launcher(LauncherOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
        }
        LauncherOptions options = new LauncherOptions();
        CommandLine line = new CommandLine(options);
        try {
            line.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println("outpost: " + e.getMessage());
            System.err.println("Try 'outpost --help'.");
            System.exit(2);
            return;
        }
        if (line.isUsageHelpRequested()) {
            line.usage(System.out);
            return;
        }
        if (line.isVersionHelpRequested()) {
            line.printVersionHelp(System.out);
            return;
        }
        int status;
        try {
            status = new Launcher(options, System.out).run();
        } catch (Exception e) {
            System.err.println("outpost: failed: " + BundleJar.describe(e));
            status = 1;
        }
        System.exit(status);
    }

    /** Runs until the framework stops; the exit status: 0 nothing failed, 1 something did, 2 bad input. */
    int run() throws Exception {
        Path deployDir = options.deployDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(deployDir)) {
            System.err.println("outpost: deploy folder " + deployDir + " does not exist or is not a folder"
                    + " (give another with --deploy DIR)");
            return 2;
        }
        Path cache = options.workDir.resolve("cache").toAbsolutePath().normalize();
        try {
            Files.createDirectories(cache);
        } catch (java.io.IOException | SecurityException e) {
            System.err.println("outpost: cannot create the work folder " + cache + " (" + e + ")"
                    + "; give another with --work DIR");
            return 2;
        }
        HostLogging.configure(options.logLevel);
        Map<String, String> props = new HashMap<>(options.properties);
        // the bundle cache survives restarts, so that the deploy folder can be reconciled with it
        props.putIfAbsent(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        // no plugin may be given to read it (docs/sandbox.md)
        props.putIfAbsent("outpost.deploy.dir", deployDir.toString());
        if (!options.headless) {
            // the console bundle runs the Gogo shell on a terminal that leaves Ctrl-C to us
            props.putIfAbsent("outpost.console", "true");
        }
        Framework framework;
        try {
            framework = OutpostFramework.start(cache, props);
        } catch (BundleException | RuntimeException e) {
            System.err.println("outpost: the framework did not start (work folder " + options.workDir.toAbsolutePath()
                    + "): " + BundleJar.describe(e));
            return 1;
        }
        DeployFolder deploy = new DeployFolder(deployDir, framework.getBundleContext(), options.scanInterval(),
                line -> say("deploy: " + line));
        DevPlugins dev = options.dev ? new DevPlugins(deployDir, framework.getBundleContext(), options.scanInterval(),
                line -> say("dev: " + line), System::currentTimeMillis) : null;
        PluginProgress progress = new PluginProgress(framework.getBundleContext(), line -> say("  " + line));
        Thread hook = new Thread(() -> stop(framework), "outpost-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StopSignals.install(() -> new Thread(() -> stop(framework), "outpost-stop").start());

        progress.open();
        say("deploying the bundles in " + deployDir);
        deploy.scan();
        if (dev != null) {
            say("development mode: NAME.plugin files in " + deployDir + " run the executables they name");
            dev.scan();
        }
        if (!progress.awaitStarted(STARTUP_REPORT)) {
            say("some plugins are still starting after " + STARTUP_REPORT.toSeconds() + " s");
        }
        say(PluginProgress.summary(progress.poll()) + "; watching " + deployDir + " for changes");
        watch = new FolderWatch(options.scanInterval(), line -> say("deploy: " + line), dev == null
                ? List.of(whileActive(framework, deploy::scan))
                : List.of(whileActive(framework, deploy::scan), whileActive(framework, dev::scan)));
        if (!options.headless && framework.getState() == Bundle.ACTIVE) {
            Path shell = ShellBundles.besideRuntime();
            if (!ShellBundles.start(framework.getBundleContext(), shell, this::say).isEmpty()) {
                say("shell started: 'outpost:list' lists the plugins, 'help' the commands;"
                        + " Ctrl-C, Ctrl-D or 'stop 0' stops everything");
            }
        } else {
            say("running headless; SIGTERM or Ctrl-C stops every plugin and exits");
        }

        FrameworkEvent event = framework.waitForStop(0);
        if (!stopping.get()) {
            say("the framework stopped (shell exit or a bundle stopped it)");
        }
        stop(framework);
        progress.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        int failures = deploy.failures() + progress.failed();
        boolean clean = event.getType() == FrameworkEvent.STOPPED || event.getType() == FrameworkEvent.STOPPED_UPDATE;
        say(failures == 0 && clean ? "exit 0: nothing failed"
                : "exit 1: " + failures + " failure(s) while running" + (clean ? "" : ", and stopping failed: " + event));
        return failures == 0 && clean ? 0 : 1;
    }

    /** Stops watching, then the framework: every plugin stopped and reaped. Safe from any thread, any number of times. */
    private synchronized void stop(Framework framework) {
        boolean first = stopping.compareAndSet(false, true);
        try {
            if (watch != null) {
                watch.close();
            }
            if (first && (framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                say("stopping every plugin ...");
                long began = System.nanoTime();
                framework.stop();
                FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
                double ms = (System.nanoTime() - began) / 1e6;
                say(event.getType() == FrameworkEvent.WAIT_TIMEDOUT
                        ? String.format(java.util.Locale.ROOT, "stopping did not finish within %d s: plugin processes"
                                + " may still be running", STOP_TIMEOUT.toSeconds())
                        : String.format(java.util.Locale.ROOT, "stopped in %.1f ms: every plugin process reaped", ms));
            }
        } catch (BundleException | InterruptedException | RuntimeException e) {
            say("stopping failed: " + BundleJar.describe(e));
        }
    }

    /** A scan that does nothing once the framework stops (the shell can stop it any time). */
    private static Runnable whileActive(Framework framework, Runnable scan) {
        return () -> {
            if (framework.getState() != Bundle.ACTIVE) {
                return;
            }
            try {
                scan.run();
            } catch (IllegalStateException e) {
                if (framework.getState() == Bundle.ACTIVE) {
                    throw e;
                }
                // the bundle context went with the framework while scanning
            }
        };
    }

    private void say(String line) {
        synchronized (out) {
            out.println("outpost: " + line);
            out.flush();
        }
    }
}
