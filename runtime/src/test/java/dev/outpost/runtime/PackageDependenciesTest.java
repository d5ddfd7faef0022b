package dev.outpost.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime's packages depend on each other one way only, from the launcher down to the wire
 * (see each package-info.java), and only {@code os} makes native calls. Read from the sources:
 * every reference to another runtime package, by import or by qualified name, counts.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/outpost/runtime");
    /** What each package may use; "" is the root package (the entry points). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("launcher", Set.of("", "deploy", "shell", "content", "config")),
            Map.entry("", Set.of("extender", "shell", "process", "config")),
            Map.entry("shell", Set.of("process", "content", "config")),
            Map.entry("sandbox", Set.of("content", "config", "os")),
            Map.entry("deploy", Set.of("content", "config")),
            Map.entry("extender", Set.of("supervision", "services", "process", "content", "config")),
            Map.entry("supervision", Set.of("services", "hostcalls", "process", "channel", "content", "config", "wire")),
            Map.entry("hostcalls", Set.of("channel", "wire", "config")),
            Map.entry("services", Set.of()),
            Map.entry("process", Set.of("sandbox", "hostcalls", "channel", "wire", "content", "config", "os")),
            Map.entry("channel", Set.of("wire", "os")),
            Map.entry("content", Set.of("config", "os")),
            Map.entry("wire", Set.of()),
            Map.entry("config", Set.of()),
            Map.entry("os", Set.of()));
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.outpost\\.runtime\\.([a-z]+)\\.[A-Z]"
            + "|\\bimport dev\\.outpost\\.runtime\\.([A-Z]\\w*);");

    @Test
    void packagesDependOnEachOtherOneWayOnly() throws IOException {
        List<String> violations = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                seen.add(pkg);
                Set<String> allowed = ALLOWED.get(pkg);
                assertTrue(allowed != null, "package " + pkg + " has no place in the layering; add it to ALLOWED");
                Matcher m = REFERENCE.matcher(withoutComments(Files.readString(file)));
                while (m.find()) {
                    String used = m.group(1) != null ? m.group(1) : "";
                    if (!used.equals(pkg) && !allowed.contains(used)) {
                        violations.add(SOURCES.relativize(file) + " uses " + (used.isEmpty() ? "the root package" : used));
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
        assertEquals(new TreeSet<>(ALLOWED.keySet()), seen, "packages");
    }

    @Test
    void onlyTheOsPackageMakesNativeCalls() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                boolean inOs = SOURCES.relativize(file).startsWith("os");
                String code = withoutComments(Files.readString(file));
                if (!inOs && (code.contains("import jnr.") || code.contains(" native "))) {
                    violations.add(SOURCES.relativize(file).toString());
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void everyPackageSaysWhatLivesThereAndWhatItMayUse() throws IOException {
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Path info = dir.resolve("package-info.java");
                assertTrue(Files.isRegularFile(info), dir + " has no package-info.java");
                assertTrue(Files.readString(info).contains("May use") || Files.readString(info).contains("Uses nothing"),
                        info + " does not say what the package may use");
            }
        }
    }

    private static String withoutComments(String java) {
        return java.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}
