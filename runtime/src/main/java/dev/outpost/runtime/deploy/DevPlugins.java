package dev.outpost.runtime.deploy;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.runtime.content.BundleJar;
import dev.outpost.runtime.content.ExecutableCheck;
import dev.outpost.runtime.content.Platform;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * Development mode: a plugin run straight from a build directory. A {@code NAME.plugin} file in
 * the deploy folder names an executable outside any jar:
 *
 * <pre>
 * executable = ../sample-plugins/echo/target/native/echo   (relative to the .plugin file)
 * name       = echo                                        (default: NAME)
 * arguments  = a,b                                         (optional, as Outpost-Arguments)
 * config     = k=v,k2=v2                                   (optional, as Outpost-Config)
 * </pre>
 *
 * The runtime wraps the executable into a bundle in memory (location {@code outpost-dev:} plus the
 * file's URI) and installs it; when the executable is rebuilt (its size or mtime changes and then
 * stays unchanged for {@code settle}), the bundle is updated, so the plugin restarts with the new
 * binary. Deleting the {@code .plugin} file uninstalls it. Problems are reported once per change.
 */
public final class DevPlugins {
    static final String SUFFIX = ".plugin";
    static final String LOCATION_PREFIX = "outpost-dev:";

    private final Path dir;
    private final BundleContext context;
    private final Consumer<String> report;
    private final long settleMillis;
    private final LongSupplier clock;
    private final Map<String, String> handled = new HashMap<>();

    public DevPlugins(Path dir, BundleContext context, Duration settle, Consumer<String> report, LongSupplier clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.context = context;
        this.settleMillis = settle.toMillis();
        this.report = report;
        this.clock = clock;
    }

    /** One pass: uninstalls plugins whose file is gone, installs or updates the others once stable. */
    public synchronized void scan() {
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(p -> files.put(LOCATION_PREFIX + p.toUri(), p));
        } catch (IOException e) {
            return; // DeployFolder reports an unreadable folder
        }
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith(LOCATION_PREFIX + dir.toUri()) && !files.containsKey(b.getLocation())) {
                act(b.getLocation(), "removed", b::uninstall);
            }
        }
        handled.keySet().retainAll(files.keySet());
        long now = clock.getAsLong();
        files.forEach((location, file) -> deploy(location, file, now));
    }

    private void deploy(String location, Path file, long now) {
        String name = file.getFileName().toString();
        Properties p = new Properties();
        Path exe;
        String state;
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
            String executable = p.getProperty("executable");
            if (executable == null || executable.isBlank()) {
                once(location, "no-executable", name + ": names no executable (executable = PATH)");
                return;
            }
            exe = file.getParent().resolve(executable.trim()).normalize();
            long fileTime = Files.getLastModifiedTime(file).toMillis();
            long exeTime = Files.getLastModifiedTime(exe).toMillis();
            if (now - Math.max(fileTime, exeTime) < settleMillis) {
                return; // being written or rebuilt
            }
            state = Files.size(file) + "/" + fileTime + "/" + Files.size(exe) + "/" + exeTime;
        } catch (NoSuchFileException e) {
            once(location, "missing " + e.getFile(), name + ": " + e.getFile() + " does not exist (not built yet?)");
            return;
        } catch (IOException | IllegalArgumentException e) {
            once(location, "unreadable " + e, name + ": cannot be read: " + e.getMessage());
            return;
        }
        String before = handled.put(location, state);
        if (state.equals(before)) {
            return;
        }
        String plugin = p.getProperty("name", name.substring(0, name.length() - SUFFIX.length())).trim();
        byte[] jar;
        try {
            jar = bundle(plugin, Files.readAllBytes(exe), p);
        } catch (IOException e) {
            report.accept(name + ": " + exe + " cannot be read: " + e.getMessage());
            return;
        }
        Bundle existing = context.getBundle(location);
        if (existing == null) {
            act(location, "installed " + plugin + " from " + exe, () -> {
                Bundle b = context.installBundle(location, new ByteArrayInputStream(jar));
                b.start(Bundle.START_TRANSIENT);
            });
        } else {
            act(location, (before == null ? "loading " : "rebuilt; restarting ") + plugin + " with " + exe, () -> {
                if (!HotReload.tryUpdate(context, existing, () -> new ByteArrayInputStream(jar))) {
                    existing.update(new ByteArrayInputStream(jar));
                }
                if (existing.getState() != Bundle.ACTIVE) {
                    existing.start(Bundle.START_TRANSIENT);
                }
            });
        }
    }

    /** The bundle a plugin file stands for: the executable and the Outpost headers. */
    static byte[] bundle(String plugin, byte[] executable, Properties p) throws IOException {
        String entry = "bin/" + plugin;
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, "outpost.dev." + plugin.replaceAll("[^A-Za-z0-9_.-]", "_"));
        a.putValue(Constants.BUNDLE_VERSION, "0.0.0.dev");
        Platform host = Platform.current();
        a.putValue(OutpostHeaders.EXECUTABLE, entry + "; osname=" + host.osName() + "; processor=" + host.processor()
                + "; sha-256=" + ExecutableCheck.sha256(executable)); // the bytes read from the build folder
        a.putValue(OutpostHeaders.NAME, plugin);
        for (Map.Entry<String, String> header : Map.of("arguments", OutpostHeaders.ARGUMENTS,
                "config", OutpostHeaders.CONFIG).entrySet()) {
            String value = p.getProperty(header.getKey());
            if (value != null && !value.isBlank()) {
                a.putValue(header.getValue(), value.trim());
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(executable.length + 1024);
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(executable);
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }

    private interface BundleAction {
        void run() throws BundleException, IOException;
    }

    private void act(String location, String done, BundleAction action) {
        String file = Path.of(java.net.URI.create(location.substring(LOCATION_PREFIX.length()))).getFileName().toString();
        try {
            action.run();
            report.accept(file + ": " + done);
        } catch (BundleException | IOException | RuntimeException e) {
            report.accept(file + ": " + done.split(" ")[0] + " failed: " + BundleJar.describe(e));
        }
    }

    /** Reports a problem once until it changes. */
    private void once(String location, String problem, String message) {
        if (!problem.equals(handled.put(location, problem))) {
            report.accept(message);
        }
    }
}
