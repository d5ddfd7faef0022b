package dev.outpost.runtime.deploy;

import dev.outpost.runtime.content.BundleJar;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * Keeps the bundles installed from one folder in step with the jars in it: a new jar is installed
 * and started, a changed one updated ({@code Bundle.update()}), a deleted one uninstalled (the
 * runtime stops and reaps its process). A bundle belongs to the folder when its location is the
 * file URI of a jar directly in it; every other bundle is left alone.
 *
 * <p>A jar is acted on only once it is stable: its size and modification time have not changed
 * for {@code settle}, judged from its mtime and from what earlier scans saw, so a half-copied jar
 * is never installed; likewise a jar must have been gone for {@code settle} before its bundle is
 * uninstalled, so a jar replaced by unlink-and-create keeps its bundle. Whatever was done for a jar (or failed) is remembered with the jar's size and
 * mtime; a jar that failed is reported once and retried only when it changes, and it never stops
 * the other jars of the same scan.
 *
 * <p>The first scan reconciles the folder with the bundle cache: bundles whose jar was deleted
 * while the host was down are uninstalled, and those whose jar is newer than the bundle
 * ({@code Bundle.getLastModified()}) are updated. Bundles are started transiently: the folder, not
 * the bundle cache, says what runs, so nothing starts before the first scan has reconciled.
 *
 * <p>Polling, not {@code WatchService}: the stability rule needs a timer per file anyway, start-up
 * needs a full scan anyway, inotify events can overflow and do not work on some network and
 * container-mounted file systems, and listing a folder of jars twice a second costs nothing. It
 * also makes the class testable with a fake clock. {@link FolderWatch} runs the scans.
 */
public final class DeployFolder {
    private final Path dir;
    private final BundleContext context;
    private final Consumer<String> report;
    private final long settleMillis;
    private final LongSupplier clock;
    private final Map<Path, Seen> seen = new HashMap<>();
    private final Map<String, Signature> handled = new HashMap<>();
    private final Map<String, Long> missingSince = new HashMap<>();
    private boolean scanned;
    private boolean folderMissingReported;
    private int failures;

    /** A jar's identity for change detection. */
    record Signature(long size, long modifiedMillis) {
    }

    /** A signature and when this scanner last saw it change (0: never seen changing). */
    private record Seen(Signature signature, long changedAtMillis) {
    }

    /**
     * @param report receives one line for everything done or failed, without a prefix
     * @param clock wall-clock milliseconds (comparable with file modification times)
     */
    public DeployFolder(Path dir, BundleContext context, Duration settle, Consumer<String> report, LongSupplier clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.context = context;
        this.settleMillis = settle.toMillis();
        this.report = report;
        this.clock = clock;
    }

    public DeployFolder(Path dir, BundleContext context, Duration settle, Consumer<String> report) {
        this(dir, context, settle, report, System::currentTimeMillis);
    }

    /** How many times installing, starting, updating or uninstalling a jar's bundle failed. */
    public synchronized int failures() {
        return failures;
    }

    /** One pass: uninstalls bundles whose jar is gone, then installs or updates every stable jar. */
    public synchronized void scan() {
        long now = clock.getAsLong();
        Map<String, Path> jars = listJars();
        if (jars == null) {
            return;
        }
        missingSince.keySet().removeAll(jars.keySet());
        for (Bundle b : context.getBundles()) {
            String location = b.getLocation();
            if (belongsHere(location) && !jars.containsKey(location)) {
                // a jar replaced by unlink and create (install(1) does that) is missing for a moment
                long since = missingSince.computeIfAbsent(location, k -> now);
                if (!scanned || now - since >= settleMillis) {
                    missingSince.remove(location);
                    uninstall(b);
                }
            }
        }
        scanned = true;
        handled.keySet().retainAll(jars.keySet());
        seen.keySet().retainAll(jars.values());
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            Signature signature = stableSignature(jar.getValue(), now);
            if (signature != null && !signature.equals(handled.get(jar.getKey()))) {
                boolean firstLook = !handled.containsKey(jar.getKey());
                handled.put(jar.getKey(), signature);
                deploy(jar.getKey(), jar.getValue(), signature, firstLook);
            }
        }
    }

    private Map<String, Path> listJars() {
        Map<String, Path> jars = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .forEach(p -> jars.put(p.toUri().toString(), p));
        } catch (IOException e) {
            if (!folderMissingReported) {
                report.accept("deploy folder " + dir + " cannot be read (" + e + "); nothing changes until it can");
                folderMissingReported = true;
            }
            return null;
        }
        folderMissingReported = false;
        return jars;
    }

    /** The jar's signature if it has been quiet for the settle time, else null (also when it vanished). */
    private Signature stableSignature(Path jar, long now) {
        Signature signature;
        try {
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            signature = new Signature(a.size(), a.lastModifiedTime().toMillis());
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            return null;
        }
        Seen before = seen.get(jar);
        if (before == null || !before.signature().equals(signature)) {
            before = new Seen(signature, before == null ? 0 : now);
            seen.put(jar, before);
        }
        long quietSince = Math.max(before.changedAtMillis(), signature.modifiedMillis());
        return now - quietSince >= settleMillis ? signature : null;
    }

    private void deploy(String location, Path jar, Signature signature, boolean firstLook) {
        String name = jar.getFileName().toString();
        String problem = BundleJar.problem(jar);
        if (problem != null) {
            fail(name + ": " + problem + "; it is retried when the file changes");
            return;
        }
        Bundle bundle = context.getBundle(location);
        if (bundle == null) {
            install(location, name);
        } else if (!firstLook || signature.modifiedMillis() > bundle.getLastModified()) {
            update(bundle, name);
        } else {
            start(bundle, name, "found in the bundle cache:");
        }
    }

    private void install(String location, String name) {
        Bundle bundle;
        try {
            bundle = context.installBundle(location);
        } catch (BundleException | RuntimeException e) {
            fail(name + ": not installed: " + BundleJar.describe(e));
            return;
        }
        start(bundle, name, "installed");
    }

    private void update(Bundle bundle, String name) {
        try {
            if (!HotReload.tryUpdate(context, bundle, () -> Files.newInputStream(Path.of(URI.create(bundle.getLocation()))))) {
                bundle.update();
            }
        } catch (BundleException | IOException | RuntimeException e) {
            fail(name + ": update of bundle " + bundle.getBundleId() + " failed: " + BundleJar.describe(e));
            return;
        }
        start(bundle, name, "updated");
    }

    private void start(Bundle bundle, String name, String done) {
        String what = bundle.getSymbolicName() + " " + bundle.getVersion() + " (bundle " + bundle.getBundleId() + ")";
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null || bundle.getState() == Bundle.ACTIVE) {
            report.accept(name + ": " + done + " " + what);
            return;
        }
        try {
            bundle.start(Bundle.START_TRANSIENT);
            report.accept(name + ": " + done + (done.endsWith(":") ? " started " : " and started ") + what);
        } catch (BundleException | RuntimeException e) {
            fail(name + ": " + what + " did not start: " + BundleJar.describe(e));
        }
    }

    private void uninstall(Bundle bundle) {
        String what = bundle.getSymbolicName() + " " + bundle.getVersion() + " (bundle " + bundle.getBundleId() + ")";
        try {
            bundle.uninstall();
            report.accept(Path.of(URI.create(bundle.getLocation())).getFileName() + ": removed; uninstalled " + what);
        } catch (BundleException | RuntimeException e) {
            fail("uninstalling " + what + " failed: " + BundleJar.describe(e));
        }
    }

    private void fail(String message) {
        failures++;
        report.accept(message);
    }

    /** Whether a bundle location is the file URI of a jar directly in the folder. */
    private boolean belongsHere(String location) {
        if (location == null || !location.startsWith("file:")) {
            return false;
        }
        try {
            Path p = Path.of(URI.create(location)).toAbsolutePath().normalize();
            return dir.equals(p.getParent()) && p.getFileName().toString().endsWith(".jar");
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return false;
        }
    }
}
