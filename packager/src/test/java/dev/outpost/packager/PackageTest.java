package dev.outpost.packager;

import static dev.outpost.packager.Fixtures.EM_AARCH64;
import static dev.outpost.packager.Fixtures.EM_X86_64;
import static dev.outpost.packager.Fixtures.elf;
import static dev.outpost.packager.Fixtures.file;
import static dev.outpost.packager.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.FrameworkWiring;

class PackageTest {
    @TempDir
    Path dir;

    private Path fullBundle() throws Exception {
        Path x86 = elf(dir, "echo", EM_X86_64, "x86 build");
        Path arm = elf(dir, "echo-arm64", EM_AARCH64, "arm build");
        Path out = dir.resolve("out/echo.jar");
        Fixtures.Result r = run("--name", "echo", "--version", "1.2.3",
                "--executable", "linux-x86_64=" + x86, "--executable", "linux-aarch64=" + arm,
                "--symbolic-name", "org.example.echo",
                "--config", "greeting=hello", "--config", "list=a,b",
                "--arguments", "--verbose,-x",
                "--restart", "on-failure; intensity=5",
                "--sandbox", "memory=64m",
                "--service", "echo; interface=org.example.echo.Echo",
                "--import", "kv", "--import", "clock, zlib; plugin=zlib",
                "--output", out.toString());
        assertEquals(0, r.status(), r::toString);
        return out;
    }

    @Test
    void theManifestHasEveryHeaderAndTheDigestOfEachEntry() throws Exception {
        Path out = fullBundle();
        try (JarFile jar = new JarFile(out.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("2", main.getValue("Bundle-ManifestVersion"));
            assertEquals("org.example.echo", main.getValue("Bundle-SymbolicName"));
            assertEquals("1.2.3", main.getValue("Bundle-Version"));
            assertEquals("echo", main.getValue("Outpost-Name"));
            byte[] x86 = jar.getInputStream(jar.getEntry("bin/linux-x86_64/echo")).readAllBytes();
            byte[] arm = jar.getInputStream(jar.getEntry("bin/linux-aarch64/echo")).readAllBytes();
            assertArrayEquals(Files.readAllBytes(dir.resolve("echo")), x86);
            assertArrayEquals(Files.readAllBytes(dir.resolve("echo-arm64")), arm);
            assertEquals("bin/linux-x86_64/echo; osname=Linux; processor=x86-64; sha-256=" + sha256(x86)
                            + ", bin/linux-aarch64/echo; osname=Linux; processor=aarch64; sha-256=" + sha256(arm),
                    main.getValue("Outpost-Executable"));
            assertEquals("greeting=hello,list=\"a,b\"", main.getValue("Outpost-Config"));
            assertEquals("--verbose,-x", main.getValue("Outpost-Arguments"));
            assertEquals("on-failure; intensity=5", main.getValue("Outpost-Restart"));
            assertEquals("memory=64m", main.getValue("Outpost-Sandbox"));
            assertEquals("echo; interface=org.example.echo.Echo", main.getValue("Outpost-Service"));
            assertEquals("kv,clock,zlib; plugin=zlib", main.getValue("Outpost-Import"));
            assertNull(main.getValue("Export-Package"));
            assertNull(main.getValue("Private-Package"));
            assertNull(main.getValue("Bnd-LastModified"));
        }
    }

    @Test
    void everyEntryIsStored() throws Exception {
        Path out = fullBundle();
        try (ZipFile zip = new ZipFile(out.toFile())) {
            List<? extends ZipEntry> entries = Collections.list(zip.entries());
            assertTrue(entries.stream().anyMatch(e -> e.getName().equals("bin/linux-x86_64/echo")), entries::toString);
            for (ZipEntry e : entries) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            }
        }
    }

    @Test
    void theSymbolicNameDefaultsToTheNameAndMinimalOptionsGiveOnlyTheNeededHeaders() throws Exception {
        Path out = dir.resolve("echo.jar");
        Fixtures.Result r = run("--name", "echo", "--version", "1.0.0.beta1",
                "--executable", "linux-x86_64=" + elf(dir, "echo", EM_X86_64, "x"), "-o", out.toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("bin/linux-x86_64/echo"), r::toString);
        assertEquals("", r.err());
        Attributes main = Fixtures.manifest(out).getMainAttributes();
        assertEquals("echo", main.getValue("Bundle-SymbolicName"));
        assertEquals("1.0.0.beta1", main.getValue("Bundle-Version"));
        for (String absent : List.of("Outpost-Config", "Outpost-Arguments", "Outpost-Restart", "Outpost-Sandbox",
                "Outpost-Service", "Outpost-Import", "Import-Package", "Require-Capability")) {
            assertNull(main.getValue(absent), absent);
        }
    }

    @Test
    void aScriptIsAcceptedAndTheSameInputGivesTheSameJar() throws Exception {
        Path script = file(dir, "echo.sh", "#!/bin/sh\nexec cat\n");
        Path first = dir.resolve("a.jar"), second = dir.resolve("b.jar");
        for (Path out : List.of(first, second)) {
            Fixtures.Result r = run("--name", "echo", "--version", "1", "--executable", "linux-x86_64=" + script,
                    "-o", out.toString());
            assertEquals(0, r.status(), r::toString);
        }
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void anExistingOutputIsReplacedAndNoTemporaryFileIsLeft() throws Exception {
        Path out = file(dir, "out/echo.jar", "old");
        Fixtures.Result r = run("--name", "echo", "--version", "1",
                "--executable", "linux-x86_64=" + elf(dir, "echo", EM_X86_64, "x"), "-o", out.toString());
        assertEquals(0, r.status(), r::toString);
        assertNotNull(Fixtures.header(out, "Outpost-Executable"));
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList());
        }
    }

    @Test
    void theBundleInstallsResolvesAndStartsInAPlainFramework() throws Exception {
        Path out = fullBundle();
        try (Felix felix = new Felix(dir.resolve("felix"))) {
            Bundle bundle = felix.framework.getBundleContext().installBundle(out.toUri().toString());
            assertTrue(felix.framework.adapt(FrameworkWiring.class).resolveBundles(List.of(bundle)));
            assertEquals(Bundle.RESOLVED, bundle.getState());
            assertEquals("org.example.echo", bundle.getSymbolicName());
            assertEquals("1.2.3", bundle.getVersion().toString());
            assertNotNull(bundle.getEntry("bin/linux-aarch64/echo"));
            bundle.start();
            assertEquals(Bundle.ACTIVE, bundle.getState());
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
