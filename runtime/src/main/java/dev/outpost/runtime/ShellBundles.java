package dev.outpost.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The interactive shell: the Apache Felix Gogo bundles (runtime, command, jline, and jline itself)
 * that the build copies to {@code shell/} next to the runtime jar, installed into the framework
 * and started transiently, so a later headless start from the same bundle cache has no shell.
 */
final class ShellBundles {
    private static final String JLINE = "org.jline";

    private ShellBundles() {
    }

    /** {@code shell/} next to the jar (or classes folder) the launcher was loaded from. */
    static Path besideRuntime() {
        try {
            Path code = Path.of(ShellBundles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("shell");
        } catch (Exception e) {
            return Path.of("shell");
        }
    }

    /**
     * Installs every jar in {@code dir}, then starts them all; returns the started bundles.
     * Problems are reported, never thrown: the runtime runs on without a shell.
     */
    static List<Bundle> start(BundleContext context, Path dir, Consumer<String> report) {
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            report.accept("no shell: " + dir + " cannot be read (" + e.getMessage() + "); running without one");
            return List.of();
        }
        if (jars.isEmpty()) {
            report.accept("no shell: no bundles in " + dir + "; running without one");
            return List.of();
        }
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            try {
                installed.add(context.installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                report.accept("shell bundle " + jar.getFileName() + " not installed: " + BundleJar.describe(e));
            }
        }
        List<Bundle> started = new ArrayList<>();
        // jline finds its terminal providers (exec, jni, ffm) through the context class loader; with
        // the launcher's it finds none and falls back to a dumb terminal without line editing
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        installed.stream().filter(b -> JLINE.equals(b.getSymbolicName())).findFirst()
                .ifPresent(jline -> thread.setContextClassLoader(classLoader(jline)));
        try {
            startAll(installed, started, report);
        } finally {
            thread.setContextClassLoader(previous);
        }
        return started;
    }

    private static ClassLoader classLoader(Bundle bundle) {
        try {
            bundle.start(Bundle.START_TRANSIENT);
        } catch (BundleException e) {
            return null;
        }
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        return wiring == null ? null : wiring.getClassLoader();
    }

    private static void startAll(List<Bundle> installed, List<Bundle> started, Consumer<String> report) {
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start(Bundle.START_TRANSIENT);
                started.add(b);
            } catch (BundleException e) {
                report.accept("shell bundle " + b.getSymbolicName() + " did not start: " + BundleJar.describe(e));
            }
        }
    }
}
