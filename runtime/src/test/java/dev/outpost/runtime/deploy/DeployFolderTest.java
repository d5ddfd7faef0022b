package dev.outpost.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** The deploy folder against a real (plain) Felix, with plain bundles: no plugin processes. */
class DeployFolderTest {
    private static final Duration SETTLE = Duration.ofMillis(500);

    @TempDir
    Path tmp;
    Path folder;
    Framework framework;
    final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    final List<String> reports = new ArrayList<>();
    DeployFolder deploy;

    @BeforeEach
    void start() throws Exception {
        folder = Files.createDirectory(tmp.resolve("deploy"));
        framework = startFramework();
        deploy = new DeployFolder(folder, framework.getBundleContext(), SETTLE, reports::add, clock::get);
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
    }

    private Framework startFramework() throws Exception {
        Framework f = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, tmp.resolve("cache").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, "none"));
        f.init();
        f.start();
        return f;
    }

    @Test
    void stableNewJarIsInstalledAndStartedUnderItsFileUri() throws Exception {
        Path jar = bundle("a.jar", "test.a", "1.0.0", clock.get() - 10_000);
        deploy.scan();
        Bundle b = bundleOf(jar);
        assertNotNull(b, reports.toString());
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals(List.of("a.jar: installed and started test.a 1.0.0 (bundle " + b.getBundleId() + ")"), reports);
        deploy.scan();
        assertEquals(1, reports.size(), "nothing more to do: " + reports);
    }

    @Test
    void freshJarWaitsUntilItHasBeenQuietForTheSettleTime() throws Exception {
        Path jar = bundle("a.jar", "test.a", "1.0.0", clock.get());
        deploy.scan();
        assertNull(bundleOf(jar));
        clock.addAndGet(SETTLE.toMillis() - 1);
        deploy.scan();
        assertNull(bundleOf(jar));
        clock.addAndGet(1);
        deploy.scan();
        assertNotNull(bundleOf(jar));
    }

    @Test
    void jarThatKeepsChangingIsNotInstalledUntilItStops() throws Exception {
        long t0 = clock.get();
        Path jar = folder.resolve("a.jar");
        Files.write(jar, new byte[] {'P', 'K'});
        Files.setLastModifiedTime(jar, FileTime.fromMillis(t0 - 10_000));
        deploy.scan();                  // half-copied, however old its mtime claims it is
        assertTrue(reports.get(0).startsWith("a.jar: not a readable jar"), reports.toString());
        clock.addAndGet(100);
        bundle("a.jar", "test.a", "1.0.0", t0 - 10_000);    // the copy goes on: size changes, mtime kept
        deploy.scan();
        assertNull(bundleOf(jar));
        clock.addAndGet(SETTLE.toMillis());
        deploy.scan();
        assertNotNull(bundleOf(jar), reports.toString());
    }

    @Test
    void changedJarUpdatesTheSameBundle() throws Exception {
        Path jar = bundle("a.jar", "test.a", "1.0.0", clock.get() - 10_000);
        deploy.scan();
        Bundle b = bundleOf(jar);
        bundle("a.jar", "test.a", "2.0.0", clock.get());
        clock.addAndGet(100);
        deploy.scan();                  // sees the change, waits for it to settle
        assertEquals("1.0.0", b.getVersion().toString());
        clock.addAndGet(SETTLE.toMillis());
        deploy.scan();
        assertEquals("2.0.0", b.getVersion().toString());
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals(b.getBundleId(), bundleOf(jar).getBundleId());
        assertEquals("a.jar: updated test.a 2.0.0 (bundle " + b.getBundleId() + ")", reports.get(1));
    }

    @Test
    void deletedJarIsUninstalled() throws Exception {
        Path jar = bundle("a.jar", "test.a", "1.0.0", clock.get() - 10_000);
        deploy.scan();
        Bundle b = bundleOf(jar);
        Files.delete(jar);
        deploy.scan();
        assertEquals(Bundle.ACTIVE, b.getState(), "gone for less than the settle time");
        clock.addAndGet(SETTLE.toMillis());
        deploy.scan();
        assertEquals(Bundle.UNINSTALLED, b.getState());
        assertEquals("a.jar: removed; uninstalled test.a 1.0.0 (bundle " + b.getBundleId() + ")", reports.get(1));
    }

    @Test
    void jarReplacedByUnlinkAndCreateKeepsItsBundleAndIsUpdated() throws Exception {
        Path jar = bundle("a.jar", "test.a", "1.0.0", clock.get() - 10_000);
        deploy.scan();
        Bundle b = bundleOf(jar);
        Files.delete(jar);
        clock.addAndGet(100);
        deploy.scan();
        bundle("a.jar", "test.a", "2.0.0", System.currentTimeMillis() + 1_000);
        clock.set(System.currentTimeMillis() + 1_000 + SETTLE.toMillis());
        deploy.scan();
        assertEquals(b.getBundleId(), bundleOf(jar).getBundleId());
        assertEquals("2.0.0", b.getVersion().toString());
        assertEquals(Bundle.ACTIVE, b.getState());
    }

    @Test
    void badJarsAreReportedOnceRetriedWhenChangedAndNeverStopTheOthers() throws Exception {
        long old = clock.get() - 10_000;
        Path corrupt = folder.resolve("corrupt.jar");
        Files.writeString(corrupt, "this is not a zip file");
        Files.setLastModifiedTime(corrupt, FileTime.fromMillis(old));
        Path plain = jar("plain.jar", new Manifest(), old);
        Path good = bundle("good.jar", "test.good", "1.0.0", old);
        deploy.scan();
        assertNotNull(bundleOf(good));
        assertNull(bundleOf(corrupt));
        assertNull(bundleOf(plain));
        assertEquals(2, deploy.failures());
        assertTrue(reports.contains("corrupt.jar: not a readable jar (zip END header not found): corrupt, truncated "
                + "or not a zip file; it is retried when the file changes"), reports.toString());
        assertTrue(reports.contains("plain.jar: not an OSGi bundle: its manifest has no Bundle-SymbolicName header; "
                + "it is retried when the file changes"), reports.toString());

        clock.addAndGet(SETTLE.toMillis());
        deploy.scan();
        assertEquals(3, reports.size(), "an unchanged bad jar is not retried: " + reports);

        bundle("corrupt.jar", "test.fixed", "1.0.0", clock.get());
        deploy.scan();
        clock.addAndGet(SETTLE.toMillis());
        deploy.scan();
        assertEquals(Bundle.ACTIVE, bundleOf(corrupt).getState(), reports.toString());
    }

    @Test
    void bundleThatDoesNotResolveIsReportedWithTheFrameworksReason() throws Exception {
        Manifest m = manifest("test.needy", "1.0.0");
        m.getMainAttributes().putValue(Constants.IMPORT_PACKAGE, "no.such.pkg");
        Path jar = jar("needy.jar", m, clock.get() - 10_000);
        deploy.scan();
        assertEquals(Bundle.INSTALLED, bundleOf(jar).getState());
        assertEquals(1, deploy.failures());
        assertTrue(reports.get(0).startsWith("needy.jar: test.needy 1.0.0 (bundle ")
                && reports.get(0).contains("did not start") && reports.get(0).contains("no.such.pkg"), reports.toString());
    }

    @Test
    void firstScanReconcilesTheCacheWithJarsChangedOrDeletedWhileTheHostWasDown() throws Exception {
        long old = clock.get() - 10_000;
        Path gone = bundle("gone.jar", "test.gone", "1.0.0", old);
        Path changed = bundle("changed.jar", "test.changed", "1.0.0", old);
        Path kept = bundle("kept.jar", "test.kept", "1.0.0", old);
        Path elsewhere = bundle("elsewhere.jar", "test.elsewhere", "1.0.0", old);
        deploy.scan();
        Files.move(elsewhere, tmp.resolve("elsewhere.jar"));
        deploy.scan();
        clock.addAndGet(SETTLE.toMillis());
        deploy.scan();
        assertNull(bundleOf(elsewhere), "gone from the folder and uninstalled: " + reports);
        Bundle other = framework.getBundleContext().installBundle(tmp.resolve("elsewhere.jar").toUri().toString());
        long keptId = bundleOf(kept).getBundleId();
        framework.stop();
        framework.waitForStop(30_000);

        Files.delete(gone);
        long later = System.currentTimeMillis() + 5_000;
        bundle("changed.jar", "test.changed", "2.0.0", later);
        Path added = bundle("added.jar", "test.added", "1.0.0", old);
        framework = startFramework();
        clock.set(later + SETTLE.toMillis());
        reports.clear();
        deploy = new DeployFolder(folder, framework.getBundleContext(), SETTLE, reports::add, clock::get);
        deploy.scan();

        assertNull(bundleOf(gone), reports.toString());
        assertEquals("2.0.0", bundleOf(changed).getVersion().toString());
        assertEquals(keptId, bundleOf(kept).getBundleId());
        assertEquals(Bundle.ACTIVE, bundleOf(kept).getState());
        assertEquals(Bundle.ACTIVE, bundleOf(added).getState());
        assertNotNull(framework.getBundleContext().getBundle(other.getLocation()), "a bundle from elsewhere is left alone");
        assertEquals(0, deploy.failures(), reports.toString());
    }

    private Bundle bundleOf(Path jar) {
        return framework.getBundleContext().getBundle(jar.toUri().toString());
    }

    private static Manifest manifest(String symbolicName, String version) {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        m.getMainAttributes().putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        m.getMainAttributes().putValue(Constants.BUNDLE_VERSION, version);
        return m;
    }

    private Path bundle(String file, String symbolicName, String version, long modifiedMillis) throws IOException {
        return jar(file, manifest(symbolicName, version), modifiedMillis);
    }

    private Path jar(String file, Manifest manifest, long modifiedMillis) throws IOException {
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Path jar = folder.resolve(file);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.setComment("padding " + System.nanoTime());
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(modifiedMillis));
        return jar;
    }
}
