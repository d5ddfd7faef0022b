package dev.outpost.protoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The generated C compiles with the project's warnings as errors, against protoc-c's output and
 * the SDK's header (plugin-api/src/main/c/include/outpost.h); a plugin of it (src/test/c) links
 * against the built SDK (plugin-api/target/c) and runs its checks without a host.
 */
class GeneratedCTest {
    private static final List<String> FLAGS = List.of("-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-missing-braces");
    private static final Path PLUGIN_SOURCES = Fixtures.PROTOS.resolveSibling("c");

    @Test
    void theGeneratedCCompiles() throws Exception {
        compile("c", "", "test/multi.proto", "test/common.proto");
    }

    @Test
    void theGeneratedCCompilesWithoutClientStubs() throws Exception {
        compile("c-no-client", "c_client=false", "test/multi.proto", "test/common.proto");
    }

    @Test
    void theGeneratedCOfAFileWithoutPackageOptionsCompiles() throws Exception {
        compile("c-snake", "", "test/snake_file_name.proto");
    }

    @Test
    void aPluginOfTheGeneratedCLinksAgainstTheSdkAndRuns() throws Exception {
        Path sdk = Fixtures.SDK_BUILT.toAbsolutePath();
        assumeTrue(Files.isRegularFile(sdk.resolve("liboutpost.a")) && Files.isRegularFile(sdk.resolve("include/outpost.h")),
                "the SDK is built into " + sdk + " (mvn -pl plugin-api install)");
        Path dir = Fixtures.WORK.resolve("c-plugin");
        List<String> objects = compile("c-plugin", "", "test/multi.proto", "test/common.proto");
        Path plugin = dir.resolve("multi_glue_plugin");
        List<String> gcc = new ArrayList<>(List.of("gcc"));
        gcc.addAll(FLAGS);
        gcc.addAll(List.of("-I" + sdk.resolve("include"), "-I" + dir, PLUGIN_SOURCES.resolve("multi_glue_plugin.c")
                .toAbsolutePath().toString()));
        gcc.addAll(objects);
        gcc.addAll(List.of(sdk.resolve("liboutpost.a").toString(), "-lprotobuf-c", "-o", plugin.toString()));
        run(gcc, dir, Map.of());
        // a file descriptor that is not open: outpost_serve() must fail, not talk to anything
        String output = run(List.of(plugin.toString()), dir, Map.of("OUTPOST_FD", "999"));
        assertTrue(output.contains("multi_glue_plugin: 0"), output);
    }

    /**
     * Generates the C of protos[0] and protoc-c's of all protos into one directory, and compiles
     * it all; returns the objects.
     */
    private static List<String> compile(String name, String parameter, String... protos) throws Exception {
        assumeTrue(onPath("gcc") && onPath("protoc-c"), "gcc and protoc-c are needed for this test");
        Path dir = Fixtures.freshDir(name);
        List<String> protocC = new ArrayList<>(List.of("protoc-c", "--proto_path=" + Fixtures.PROTOS, "--c_out=" + dir));
        protocC.addAll(List.of(protos));
        run(protocC, dir, Map.of());
        Map<String, String> files = Fixtures.generate("java=false," + parameter, protos[0]);
        Fixtures.write(dir, files);
        List<String> sources = new ArrayList<>();
        for (String proto : protos) {
            sources.add(dir.resolve(CNames.base(proto) + ".pb-c.c").toString());
        }
        files.keySet().stream().filter(f -> f.endsWith(".c")).forEach(f -> sources.add(dir.resolve(f).toString()));
        List<String> objects = new ArrayList<>();
        for (String source : sources) {
            List<String> gcc = new ArrayList<>(List.of("gcc"));
            gcc.addAll(FLAGS);
            gcc.addAll(List.of("-I" + Fixtures.SDK_INCLUDE.toAbsolutePath(), "-I" + dir, "-c", source,
                    "-o", source + ".o"));
            run(gcc, dir, Map.of());
            objects.add(source + ".o");
        }
        return objects;
    }

    /** Runs command in dir with env added to the environment; fails unless it exits 0. Returns its output. */
    private static String run(List<String> command, Path dir, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "finished: " + command);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + "\n" + output);
        return output;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
