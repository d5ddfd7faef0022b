package dev.outpost.packager;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Inputs for the packager (fake executables, compiled classes) and a way to run it in-process. */
final class Fixtures {
    static final int EM_X86_64 = 62, EM_AARCH64 = 183;

    private Fixtures() {
    }

    /** What one run of the command gave. */
    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\nout: " + out + "\nerr: " + err;
        }
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Package.run(env::get, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    /** The given arguments, then the rest. */
    static String[] args(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    /**
     * A file that passes for a 64-bit little-endian ELF executable (ET_DYN) of {@code machine}:
     * a real ELF header's first 20 bytes, then a payload that makes it unique.
     */
    static Path elf(Path dir, String name, int machine, String payload) throws IOException {
        return elf(dir, name, machine, 3, payload);
    }

    static Path elf(Path dir, String name, int machine, int type, String payload) throws IOException {
        byte[] header = new byte[64];
        header[0] = 0x7f;
        header[1] = 'E';
        header[2] = 'L';
        header[3] = 'F';
        header[4] = 2; // ELFCLASS64
        header[5] = 1; // ELFDATA2LSB
        header[6] = 1; // EV_CURRENT
        header[16] = (byte) type;
        header[18] = (byte) machine;
        header[19] = (byte) (machine >> 8);
        byte[] tail = payload.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(header, header.length + tail.length);
        System.arraycopy(tail, 0, all, header.length, tail.length);
        Path p = dir.resolve(name);
        Files.write(p, all);
        return p;
    }

    static Path file(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static Manifest manifest(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest();
        }
    }

    static String header(Path jar, String name) throws IOException {
        return manifest(jar).getMainAttributes().getValue(name);
    }

    /**
     * Compiles {@code sources} (path under the source root to text) into {@code out}, against
     * {@code classpath}.
     */
    static void compile(Path out, List<Path> classpath, Map<String, String> sources) throws IOException {
        Path src = Files.createTempDirectory(out.getParent(), "src");
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", out.toString()));
        if (!classpath.isEmpty()) {
            args.add("-cp");
            args.add(String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        }
        for (Map.Entry<String, String> s : sources.entrySet()) {
            args.add(file(src, s.getKey(), s.getValue()).toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("javac failed: " + messages);
        }
    }

    /** The jar or folder a class was loaded from. */
    static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
