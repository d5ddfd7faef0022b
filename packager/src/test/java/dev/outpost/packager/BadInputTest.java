package dev.outpost.packager;

import static dev.outpost.packager.Fixtures.EM_AARCH64;
import static dev.outpost.packager.Fixtures.EM_X86_64;
import static dev.outpost.packager.Fixtures.elf;
import static dev.outpost.packager.Fixtures.file;
import static dev.outpost.packager.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every wrong input: exit status 2, a message naming what was wrong, no jar written. */
class BadInputTest {
    @TempDir
    Path dir;
    private Path out, echo;

    @BeforeEach
    void inputs() throws Exception {
        out = dir.resolve("out/echo.jar");
        echo = elf(dir, "echo", EM_X86_64, "x86 build");
    }

    /** --name echo --version 1.2.3 --output out, then {@code more}. */
    private void refused(String expected, String... more) {
        List<String> args = new ArrayList<>(List.of("--name", "echo", "--version", "1.2.3", "--output", out.toString()));
        args.addAll(List.of(more));
        refusedExactly(expected, args.toArray(String[]::new));
    }

    private void refusedExactly(String expected, String... args) {
        Fixtures.Result r = run(args);
        assertEquals(2, r.status(), () -> String.join(" ", args) + "\n" + r);
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in\n" + r);
        assertEquals("", r.out(), r::toString);
        assertTrue(Files.notExists(out), "no jar written");
    }

    private String x86(Path file) {
        return "linux-x86_64=" + file;
    }

    @Test
    void aMissingExecutable() {
        refused("--executable linux-x86_64=" + dir.resolve("nope") + ": no such file",
                "--executable", x86(dir.resolve("nope")));
    }

    @Test
    void anEmptyExecutable() throws Exception {
        Path empty = file(dir, "empty", "");
        refused("is empty", "--executable", x86(empty));
        refused("is empty", "--executable", x86(empty), "--allow-any");
    }

    @Test
    void aDirectoryForAnExecutable() {
        refused("is a directory, not an executable", "--executable", x86(dir));
    }

    @Test
    void anExecutableThatIsNeitherElfNorAScriptUnlessAllowed() throws Exception {
        Path text = file(dir, "echo.txt", "just some text");
        refused(text + " is neither an ELF executable nor a script starting with #! (--allow-any packages it anyway)",
                "--executable", x86(text));
        Fixtures.Result r = run("--name", "echo", "--version", "1", "--executable", x86(text), "--allow-any",
                "-o", out.toString());
        assertEquals(0, r.status(), r::toString);
    }

    @Test
    void anElfForAnotherProcessorOrNotLinked() throws Exception {
        Path arm = elf(dir, "echo-arm64", EM_AARCH64, "arm build");
        refused("is built for aarch64 (linux-aarch64), not for linux-x86_64", "--executable", x86(arm));
        refused("is built for x86-64 (linux-x86_64), not for linux-aarch64", "--executable", "linux-aarch64=" + echo);
        refused("is built for ELF machine 40, not for linux-x86_64", "--executable", x86(elf(dir, "arm32", 40, "")));
        refused("is an object file (ELF relocatable), not a linked executable",
                "--executable", x86(elf(dir, "echo.o", EM_X86_64, 1, "")));
    }

    @Test
    void aBadExecutableOption() {
        refused("--executable '" + echo + "' must be PLATFORM=FILE", "--executable", echo.toString());
        refused("unknown platform 'windows-x86_64' (known: linux-x86_64, linux-aarch64)",
                "--executable", "windows-x86_64=" + echo);
        refused("--executable gives linux-x86_64 twice", "--executable", x86(echo), "--executable", x86(echo));
    }

    @Test
    void aBadVersion() {
        for (String version : List.of("1.2.3-SNAPSHOT", "v1", "1..2", "")) {
            refusedExactly("--version '" + version + "' is not an OSGi version", "--name", "echo", "--version", version,
                    "--executable", x86(echo), "-o", out.toString());
        }
    }

    @Test
    void aBadNameOrSymbolicName() {
        for (String name : List.of("-echo", ".echo", "my/echo", "e cho", "x".repeat(65), "")) {
            refusedExactly("the runtime would refuse the bundle on linux-x86_64: plugin name '" + name
                    + "' must be 1-64 letters", "--name", name, "--version", "1",
                    "--executable", x86(echo), "-o", out.toString());
        }
        refused("--symbolic-name 'org..example' must be dot-separated parts", "--executable", x86(echo),
                "--symbolic-name", "org..example");
        refusedExactly("the name 'echo.' is no OSGi symbolic name; give --symbolic-name", "--name", "echo.",
                "--version", "1", "--executable", x86(echo), "-o", out.toString());
    }

    @Test
    void badHeaderValues() {
        refused("--config 'verbose' must be KEY=VALUE", "--executable", x86(echo), "--config", "verbose");
        refused("--config gives level twice", "--executable", x86(echo), "--config", "level=1", "--config", "level=2");
        refused("must not contain '\"'", "--executable", x86(echo), "--config", "quote=a\"b");
        refused("Outpost-Restart: restart policy 'sometimes' is not one of never, on-failure, on-demand (from --restart)",
                "--executable", x86(echo), "--restart", "sometimes");
        refused("--restart: unknown attribute 'retries=3'", "--executable", x86(echo), "--restart", "on-failure; retries=3");
        refused("Outpost-Restart: intensity must be a whole number, not 'five'",
                "--executable", x86(echo), "--restart", "on-failure; intensity=five");
        refused("--restart gives intensity twice", "--executable", x86(echo), "--restart", "on-failure; intensity=1; intensity=2");
        refused("--restart is empty", "--executable", x86(echo), "--restart", " ");
        refused("Outpost-Sandbox entry 'memory' is not key=value (from --sandbox)", "--executable", x86(echo), "--sandbox", "memory");
        refused("Outpost-Sandbox has an unknown key 'disk'", "--executable", x86(echo), "--sandbox", "memory=64m; disk=1g");
        refused("Outpost-Sandbox memory=lots: 'lots' is not a size", "--executable", x86(echo), "--sandbox", "memory=lots");
        refused("Outpost-Service clause 'zlib' needs interface=<the generated Java interface> (from --service)",
                "--executable", x86(echo), "--service", "zlib");
        refused("Outpost-Service names service zlib twice", "--executable", x86(echo),
                "--service", "zlib; interface=a.Zlib", "--service", "zlib; interface=b.Zlib");
        refused("the runtime would refuse the bundle on linux-x86_64: Outpost-Import entry '1kv' is not a service name"
                + " (from --import)", "--executable", x86(echo), "--import", "1kv");
        refused("Outpost-Import lists kv twice", "--executable", x86(echo), "--import", "kv,clock", "--import", "kv; plugin=kv");
        refused("--import 'kv,' has an empty clause", "--executable", x86(echo), "--import", "kv,");
        refused("--import 'zlib; plugn=zlib': the one attribute an import takes is plugin=PLUGIN",
                "--executable", x86(echo), "--import", "zlib; plugn=zlib");
        refused("Outpost-Import entry 'zlib; plugin=-z' names no valid plugin",
                "--executable", x86(echo), "--import", "zlib; plugin=-z");
        refused("Outpost-Arguments must not contain a line break", "--executable", x86(echo), "--arguments", "a\nb");
    }

    @Test
    void badClassesOrOutput() throws Exception {
        refused("--export-classes " + echo + " is not a directory", "--executable", x86(echo), "--export-classes", echo.toString());
        Path empty = Files.createDirectories(dir.resolve("classes"));
        file(empty, "readme.txt", "no classes");
        refused("has no .class file in a package", "--executable", x86(echo), "--export-classes", empty.toString());
        refused("--classpath " + dir.resolve("nope.jar") + ": no such file", "--executable", x86(echo),
                "--classpath", dir.resolve("nope.jar").toString());
        Files.createDirectories(out);
        Fixtures.Result r = run("--name", "echo", "--version", "1", "--executable", x86(echo), "-o", out.toString());
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("is a directory; name the jar to write"), r::toString);
    }

    @Test
    void missingOrUnknownOptions() {
        refusedExactly("Missing required options: '--version=VERSION', '--executable=PLATFORM=FILE', '--output=JAR'",
                "--name", "echo");
        refused("Unknown options: '--nmae'", "--executable", x86(echo), "--nmae", "x");
    }
}
