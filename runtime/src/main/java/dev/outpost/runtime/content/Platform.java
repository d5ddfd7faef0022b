package dev.outpost.runtime.content;

import java.util.Locale;
import java.util.Map;

/**
 * The host's operating system and processor, named as OSGi names them, with the aliases of the
 * OSGi specification's reference tables so that {@code processor=amd64} matches an x86-64 host.
 */
public record Platform(String osName, String processor) {
    private static final Map<String, String> PROCESSOR_ALIASES = Map.ofEntries(
            Map.entry("x86-64", "x86-64"), Map.entry("x86_64", "x86-64"), Map.entry("amd64", "x86-64"),
            Map.entry("em64t", "x86-64"),
            Map.entry("aarch64", "aarch64"), Map.entry("arm64", "aarch64"),
            Map.entry("x86", "x86"), Map.entry("i386", "x86"), Map.entry("i486", "x86"), Map.entry("i586", "x86"),
            Map.entry("i686", "x86"), Map.entry("pentium", "x86"),
            Map.entry("riscv64", "riscv64"), Map.entry("ppc64le", "ppc64le"), Map.entry("s390x", "s390x"));

    public static Platform current() {
        return new Platform(normalizeOs(System.getProperty("os.name")),
                normalizeProcessor(System.getProperty("os.arch")));
    }

    static String normalizeOs(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return "linux";
        }
        if (n.startsWith("mac") || n.equals("darwin")) {
            return "macosx";
        }
        if (n.startsWith("win")) {
            return "win32";
        }
        return n;
    }

    static String normalizeProcessor(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return PROCESSOR_ALIASES.getOrDefault(n, n);
    }

    /** Whether a clause's {@code osname} and {@code processor} (either may be null: any) fit. */
    boolean matches(String clauseOs, String clauseProcessor) {
        return (clauseOs == null || normalizeOs(clauseOs).equals(osName))
                && (clauseProcessor == null || normalizeProcessor(clauseProcessor).equals(processor));
    }

    @Override
    public String toString() {
        return osName + "/" + processor;
    }
}
