package dev.outpost.packager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One {@code --executable PLATFORM=FILE}: the file's bytes, read once, so that the entry written and
 * the digest in its {@code Outpost-Executable} clause are of the same bytes.
 *
 * @param platform what it runs on
 * @param source the file it was read from
 * @param bytes its content
 * @param sha256 the SHA-256 of {@code bytes}, 64 lowercase hex digits
 */
record Executable(Platform platform, Path source, byte[] bytes, String sha256) {
    private static final int EM_OFFSET = 18, ET_OFFSET = 16, ELF_HEADER_START = 20;
    private static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;

    /**
     * Reads and checks {@code PLATFORM=FILE}. Unless {@code allowAny}, the file must be an ELF
     * executable for the platform's processor or a script starting with {@code #!}.
     */
    static Executable read(String spec, boolean allowAny) throws PackagingException {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new PackagingException("--executable '" + spec + "' must be PLATFORM=FILE, e.g. linux-x86_64=build/echo");
        }
        Platform platform = Platform.of(spec.substring(0, eq));
        Path source = Path.of(spec.substring(eq + 1));
        String where = "--executable " + spec;
        if (Files.isDirectory(source)) {
            throw new PackagingException(where + ": " + source + " is a directory, not an executable");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(source);
        } catch (NoSuchFileException e) {
            throw new PackagingException(where + ": no such file " + source.toAbsolutePath());
        } catch (IOException e) {
            throw new PackagingException(where + ": cannot read " + source + ": " + e, e);
        }
        if (bytes.length == 0) {
            throw new PackagingException(where + ": " + source + " is empty");
        }
        if (!allowAny) {
            check(bytes, platform, where + ": " + source);
        }
        return new Executable(platform, source, bytes, sha256(bytes));
    }

    /** The entry inside the bundle: {@code bin/<platform>/<name>}. */
    String entry(String name) {
        return "bin/" + platform.id + "/" + name;
    }

    /** Its {@code Outpost-Executable} clause. */
    String clause(String name) {
        return entry(name) + "; osname=" + platform.osName + "; processor=" + platform.processor
                + "; " + Headers.SHA_256 + "=" + sha256;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void check(byte[] b, Platform platform, String what) throws PackagingException {
        String override = " (--allow-any packages it anyway)";
        if (b.length >= 2 && b[0] == '#' && b[1] == '!') {
            return;
        }
        if (b.length < 4 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
            throw new PackagingException(what + " is neither an ELF executable nor a script starting with #!" + override);
        }
        if (b.length < ELF_HEADER_START || (b[5] != 1 && b[5] != 2)) {
            throw new PackagingException(what + " has a truncated or damaged ELF header" + override);
        }
        boolean little = b[5] == 1;
        int type = u16(b, ET_OFFSET, little), machine = u16(b, EM_OFFSET, little);
        if (type == ET_REL) {
            throw new PackagingException(what + " is an object file (ELF relocatable), not a linked executable" + override);
        }
        if (type != ET_EXEC && type != ET_DYN) {
            throw new PackagingException(what + " is an ELF file of type " + type + ", not an executable" + override);
        }
        if (machine != platform.elfMachine) {
            Platform actual = Platform.ofElfMachine(machine);
            throw new PackagingException(what + " is built for " + (actual == null ? "ELF machine " + machine
                    : actual.processor + " (" + actual.id + ")") + ", not for " + platform.id + override);
        }
    }

    private static int u16(byte[] b, int offset, boolean little) {
        int lo = b[little ? offset : offset + 1] & 0xff, hi = b[little ? offset + 1 : offset] & 0xff;
        return hi << 8 | lo;
    }
}
