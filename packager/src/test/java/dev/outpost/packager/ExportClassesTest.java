package dev.outpost.packager;

import static dev.outpost.packager.Fixtures.EM_X86_64;
import static dev.outpost.packager.Fixtures.elf;
import static dev.outpost.packager.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aQute.bnd.header.Parameters;
import aQute.bnd.osgi.Analyzer;
import aQute.bnd.osgi.Jar;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.FrameworkWiring;

/** --export-classes: a generated interface carried by the plugin's bundle for its consumers. */
class ExportClassesTest {
    @TempDir
    Path dir;
    private Path api, classes, protobuf;

    @BeforeEach
    void compileAnInterfaceAsTheGeneratorWouldWriteIt() throws Exception {
        api = Files.createDirectories(dir.resolve("api"));
        classes = Files.createDirectories(dir.resolve("classes"));
        protobuf = Fixtures.locationOf(ByteString.class);
        Fixtures.compile(api, List.of(), Map.of("dev/outpost/api/PluginService.java",
                "package dev.outpost.api; public interface PluginService { byte[] call(String method, byte[] payload); }"));
        Fixtures.compile(classes, List.of(api, protobuf), Map.of(
                "org/example/echo/Echo.java", """
                        package org.example.echo;
                        import com.google.protobuf.ByteString;
                        import dev.outpost.api.PluginService;
                        public interface Echo {
                            String SERVICE = "echo";
                            ByteString echo(ByteString text);
                            static Echo over(PluginService service) {
                                return text -> ByteString.copyFrom(service.call("echo", text.toByteArray()));
                            }
                        }
                        """,
                "org/example/echo/internal/Codec.java",
                "package org.example.echo.internal; public final class Codec { public static int version() { return 1; } }"));
        Fixtures.file(classes, "org/example/echo/internal/packageinfo", "version 2.0.0\n");
    }

    private Fixtures.Result pack(Path out, String... more) throws Exception {
        return run(Fixtures.args(List.of("--name", "echo", "--version", "1.2.3", "--symbolic-name", "org.example.echo",
                "--executable", "linux-x86_64=" + elf(dir, "echo", EM_X86_64, "x"),
                "--service", "echo; interface=org.example.echo.Echo",
                "--export-classes", classes.toString(), "-o", out.toString()), more));
    }

    @Test
    void thePackagesAreExportedAndTheirImportsComputed() throws Exception {
        Path out = dir.resolve("echo.jar");
        Fixtures.Result r = pack(out);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("exports org.example.echo, org.example.echo.internal"), r::toString);
        assertEquals("", r.err(), "the interface is carried: no warning");
        Attributes main = Fixtures.manifest(out).getMainAttributes();
        Parameters exports = new Parameters(main.getValue("Export-Package"));
        assertEquals(List.of("org.example.echo", "org.example.echo.internal"), List.copyOf(exports.keySet()));
        assertEquals("1.2.3", exports.get("org.example.echo").get("version"), "at the bundle's version");
        assertEquals("2.0.0", exports.get("org.example.echo.internal").get("version"), "as its packageinfo says");
        Parameters imports = new Parameters(main.getValue("Import-Package"));
        assertTrue(imports.containsKey("com.google.protobuf"), imports::toString);
        assertTrue(imports.containsKey("dev.outpost.api"), imports::toString);
        assertTrue(main.getValue("Require-Capability").contains("osgi.ee=JavaSE"));
        try (ZipFile zip = new ZipFile(out.toFile())) {
            ZipEntry type = zip.getEntry("org/example/echo/Echo.class");
            assertNotNull(type);
            assertEquals(ZipEntry.STORED, type.getMethod());
        }
    }

    @Test
    void withTheClasspathTheImportsGetVersionRanges() throws Exception {
        Path out = dir.resolve("echo.jar");
        Fixtures.Result r = pack(out, "--classpath", protobuf.toString(), "--classpath", api.toString());
        assertEquals(0, r.status(), r::toString);
        Parameters imports = new Parameters(Fixtures.header(out, "Import-Package"));
        assertEquals("[3.25,4)", imports.get("com.google.protobuf").get("version"), imports::toString);
    }

    @Test
    void aConsumerInAPlainFrameworkLoadsTheExportedInterface() throws Exception {
        Path out = dir.resolve("echo.jar");
        assertEquals(0, pack(out).status());
        Path apiBundle = dir.resolve("api.jar");
        try (Analyzer analyzer = new Analyzer(); Jar jar = new Jar("api", api.toFile())) {
            analyzer.setJar(jar);
            analyzer.setProperty("Bundle-SymbolicName", "dev.outpost.api.stub");
            analyzer.setProperty("Bundle-Version", "0.1.0");
            analyzer.setProperty("Export-Package", "dev.outpost.api;version=0.1.0");
            jar.setManifest(analyzer.calcManifest());
            jar.write(apiBundle.toFile());
        }
        try (Felix felix = new Felix(dir.resolve("felix"))) {
            BundleContext context = felix.framework.getBundleContext();
            context.installBundle(protobuf.toUri().toString());
            context.installBundle(apiBundle.toUri().toString());
            Bundle plugin = context.installBundle(out.toUri().toString());
            assertTrue(felix.framework.adapt(FrameworkWiring.class).resolveBundles(List.of(plugin)));
            assertEquals(Bundle.RESOLVED, plugin.getState());
            Class<?> echo = plugin.loadClass("org.example.echo.Echo");
            assertEquals("echo", echo.getField("SERVICE").get(null));
            assertEquals(ByteString.class.getName(), echo.getMethod("echo", echo.getClassLoader()
                    .loadClass(ByteString.class.getName())).getReturnType().getName());
        }
    }

    @Test
    void aServiceInterfaceTheBundleDoesNotCarryIsWarnedAbout() throws Exception {
        Path out = dir.resolve("echo.jar");
        Fixtures.Result r = pack(out, "--service", "other; interface=org.example.other.Other");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("warning: --service other: the bundle does not carry org.example.other.Other"),
                r::toString);
    }
}
