package dev.outpost.runtime.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** The Gogo bundles the build copies to target/shell resolve and start in the embedded Felix. */
class ShellBundlesTest {
    @TempDir
    Path tmp;

    @Test
    void gogoBundlesResolveAgainstTheSystemBundleAndStart() throws Exception {
        Path shell = Path.of("target", "shell");
        List<String> reports = new ArrayList<>();
        Framework f = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, tmp.resolve("cache").toString()));
        f.init();
        f.start();
        try {
            List<Bundle> started = ShellBundles.start(f.getBundleContext(), shell, reports::add);
            assertEquals(List.of(), reports);
            assertEquals(List.of("dev.outpost.console", "org.apache.felix.gogo.command", "org.apache.felix.gogo.runtime",
                    "org.jline"),
                    started.stream().map(Bundle::getSymbolicName).sorted().toList());
            for (Bundle b : started) {
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName());
            }
            assertTrue(f.getBundleContext().getServiceReferences("org.apache.felix.service.command.CommandProcessor",
                    null) != null, "Gogo's command processor is registered");
            assertTrue(f.getBundleContext().getServiceReferences((String) null,
                    "(&(osgi.command.scope=gogo)(osgi.command.function=gosh))") != null,
                    "the console bundle registers gogo.jline's commands");
            Bundle library = java.util.Arrays.stream(f.getBundleContext().getBundles())
                    .filter(b -> ShellBundles.LIBRARY_ONLY.equals(b.getSymbolicName())).findFirst().orElseThrow();
            assertEquals(Bundle.RESOLVED, library.getState(), "gogo.jline is used as a library, never started");
        } finally {
            f.stop();
            f.waitForStop(30_000);
        }
    }

    @Test
    void missingOrEmptyShellFolderMeansNoShellWithAReason() throws Exception {
        List<String> reports = new ArrayList<>();
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals(List.of(), ShellBundles.start(null, tmp.resolve("nope"), reports::add));
        assertEquals(List.of(), ShellBundles.start(null, empty, reports::add));
        assertTrue(reports.get(0).startsWith("no shell: " + tmp.resolve("nope") + " cannot be read"), reports.toString());
        assertEquals("no shell: no bundles in " + empty + "; running without one", reports.get(1));
    }
}
