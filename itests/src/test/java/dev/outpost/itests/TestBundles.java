package dev.outpost.itests;

import dev.outpost.runtime.content.ExecutableCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds plugin bundles for tests: the C fixture plugin with a chosen mode, or any headers. */
final class TestBundles {
    static final Path SAMPLES = Path.of(System.getProperty("outpost.test.bundles", "target/bundles"));
    static final Path FIXTURE = Path.of(System.getProperty("outpost.test.fixture", "target/native/fixture"));
    static final String FIXTURE_ENTRY = "bin/linux-x86_64/fixture";

    private TestBundles() {
    }

    static Path echo() {
        return SAMPLES.resolve("echo.jar");
    }

    static Path zlib() {
        return SAMPLES.resolve("zlib.jar");
    }

    static Path kv() {
        return SAMPLES.resolve("kv.jar");
    }

    static Path counter() {
        return SAMPLES.resolve("counter.jar");
    }

    /** A bundle running the fixture plugin in {@code mode}, named {@code name}. */
    static Path fixture(Path dir, String name, String mode) throws IOException {
        return fixture(dir, name, mode, Map.of());
    }

    /** The same with more headers, for example {@code Outpost-Restart}. */
    static Path fixture(Path dir, String name, String mode, Map<String, String> more) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>(more);
        headers.put("Outpost-Executable", FIXTURE_ENTRY + "; osname=Linux; processor=x86-64");
        headers.put("Outpost-Name", name);
        headers.put("Outpost-Arguments", mode);
        return bundle(dir, name, headers, Map.of(FIXTURE_ENTRY, Files.readAllBytes(FIXTURE)));
    }

    /** A bundle that is no plugin: these headers and entries, for consumers of plugin services. */
    static Path plainBundle(Path dir, String name, Map<String, String> headers, Map<String, byte[]> entries)
            throws IOException {
        return bundle(dir, name, headers, entries);
    }

    /**
     * A bundle with these Outpost headers and entries; each executable of {@code Outpost-Executable}
     * that is among the entries gets its {@code sha-256}, as a packaged bundle has it (the runtime
     * refuses executables without one).
     */
    static Path bundle(Path dir, String name, Map<String, String> headers, Map<String, byte[]> entries)
            throws IOException {
        Map<String, String> withDigests = new LinkedHashMap<>(headers);
        String executables = headers.get("Outpost-Executable");
        if (executables != null && !executables.contains("sha-256=")) {
            List<String> clauses = new ArrayList<>();
            for (String clause : executables.split(",")) {
                byte[] bytes = entries.get(clause.split(";")[0].trim());
                clauses.add(bytes == null ? clause : clause + "; sha-256=" + ExecutableCheck.sha256(bytes));
            }
            withDigests.put("Outpost-Executable", String.join(",", clauses));
        }
        return bundleAsIs(dir, name, withDigests, entries);
    }

    /** A bundle with exactly these headers and entries: no digest is added. */
    static Path bundleAsIs(Path dir, String name, Map<String, String> headers, Map<String, byte[]> entries)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "test." + name);
        main.putValue("Bundle-Version", "1.0.0");
        headers.forEach(main::putValue);
        Path jar = dir.resolve(name + "-" + System.nanoTime() + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                j.write(e.getValue());
                j.closeEntry();
            }
        }
        return jar;
    }
}
