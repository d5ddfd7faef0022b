package dev.outpost.runtime.shell;

import dev.outpost.runtime.content.BundleJar;
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

/**
 * The interactive shell: the Apache Felix Gogo bundles (runtime, command, jline, and jline itself)
 * and Outpost's console bundle, which the build copies to {@code shell/} next to the runtime jar,
 * installed into the framework and started transiently, so a later headless start from the same
 * bundle cache has no shell.
 */
public final class ShellBundles {
    /**
     * gogo.jline is used by the console bundle as a library, never started: its own activator
     * would open a second console, whose terminal takes the process's signals (Ctrl-C).
     */
    static final String LIBRARY_ONLY = "org.apache.felix.gogo.jline";

    private ShellBundles() {
    }

    /** {@code shell/} next to the jar (or classes folder) the launcher was loaded from. */
    public static Path besideRuntime() {
        try {
            Path code = Path.of(ShellBundles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("shell");
        } catch (Exception e) {
            return Path.of("shell");
        }
    }

    /**
     * Installs every jar in {@code dir}, then starts them all (but {@link #LIBRARY_ONLY}); returns the started bundles.
     * Problems are reported, never thrown: the runtime runs on without a shell.
     */
    public static List<Bundle> start(BundleContext context, Path dir, Consumer<String> report) {
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
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null || LIBRARY_ONLY.equals(b.getSymbolicName())) {
                continue;
            }
            try {
                b.start(Bundle.START_TRANSIENT);
                started.add(b);
            } catch (BundleException e) {
                report.accept("shell bundle " + b.getSymbolicName() + " did not start: " + BundleJar.describe(e));
            }
        }
        return started;
    }
}
