package dev.outpost.runtime.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PluginSpecTest {
    private static final Platform LINUX_X64 = new Platform("linux", "x86-64");
    private static final String TWO_PLATFORMS =
            "bin/linux-aarch64/echo; osname=Linux; processor=aarch64, bin/linux-x86_64/echo; osname=Linux; processor=amd64";

    private static PluginSpec parse(Map<String, String> headers, Set<String> entries) throws Exception {
        return PluginSpec.parse(headers::get, LINUX_X64, entries::contains);
    }

    @Test
    void matchingClauseIsChosenAmongSeveralPlatforms() throws Exception {
        PluginSpec spec = parse(Map.of("Outpost-Executable", TWO_PLATFORMS),
                Set.of("bin/linux-x86_64/echo", "bin/linux-aarch64/echo"));
        assertEquals("bin/linux-x86_64/echo", spec.executablePath());
        assertEquals("echo", spec.name());
    }

    @Test
    void noMatchingPlatformNamesWhatTheBundleOffers() {
        PluginSpec.InvalidPluginException e = assertThrows(PluginSpec.InvalidPluginException.class,
                () -> PluginSpec.parse(Map.of("Outpost-Executable", "bin/arm/echo; osname=Linux; processor=aarch64")::get,
                        LINUX_X64, p -> true));
        assertEquals("no executable for this platform (linux/x86-64); the bundle offers: "
                + "bin/arm/echo; osname=Linux; processor=aarch64", e.getMessage());
    }

    @Test
    void missingExecutableIsNamed() {
        PluginSpec.InvalidPluginException e = assertThrows(PluginSpec.InvalidPluginException.class,
                () -> parse(Map.of("Outpost-Executable", "bin/echo"), Set.of()));
        assertEquals("executable bin/echo is missing from the bundle", e.getMessage());
    }

    @Test
    void everyProblemIsReportedInOneMessage() {
        PluginSpec.InvalidPluginException e = assertThrows(PluginSpec.InvalidPluginException.class,
                () -> parse(Map.of("Outpost-Executable", "bin/echo", "Outpost-Name", "bad name!",
                        "Outpost-Config", "novalue"), Set.of()));
        assertTrue(e.getMessage().contains("missing from the bundle"), e.getMessage());
        assertTrue(e.getMessage().contains("plugin name 'bad name!'"), e.getMessage());
        assertTrue(e.getMessage().contains("'novalue' is not key=value"), e.getMessage());
    }

    @Test
    void nameArgumentsAndConfigAreRead() throws Exception {
        PluginSpec spec = parse(Map.of("Outpost-Executable", "/bin/fixture", "Outpost-Name", "fx",
                "Outpost-Arguments", "ignore-term, \"a,b\"", "Outpost-Config", "level=9, path=\"/x,y\""),
                Set.of("bin/fixture"));
        assertEquals("fx", spec.name());
        assertEquals("bin/fixture", spec.executablePath());
        assertEquals(List.of("ignore-term", "a,b"), spec.arguments());
        assertEquals(Map.of("level", "9", "path", "/x,y"), spec.config());
    }

    @Test
    void clauseWithoutAttributesMatchesAnyPlatform() throws Exception {
        assertEquals("bin/echo", parse(Map.of("Outpost-Executable", "bin/echo"), Set.of("bin/echo")).executablePath());
    }

    @Test
    void processorAliasesFollowOsgi() {
        assertTrue(LINUX_X64.matches("linux", "x86_64"));
        assertTrue(LINUX_X64.matches("Linux", "em64t"));
        assertTrue(!LINUX_X64.matches("Linux", "x86"));
        assertTrue(!LINUX_X64.matches("MacOSX", "x86-64"));
    }

    @Test
    void importsAndTypedInterfacesAreRead() throws Exception {
        PluginSpec spec = parse(Map.of("Outpost-Executable", "bin/echo", "Outpost-Import", "kv, zlib; plugin=zlib",
                "Outpost-Service", "zlib; interface=dev.outpost.sample.zlib.Zlib"), Set.of("bin/echo"));
        assertEquals(java.util.List.of("kv", "zlib"), java.util.List.copyOf(spec.imports().keySet()), "in order");
        assertEquals(Map.of("kv", "", "zlib", "zlib"), spec.imports());
        assertEquals(Map.of("zlib", "dev.outpost.sample.zlib.Zlib"), spec.interfaces());
    }

    @Test
    void badImportsAndInterfacesAreNamed() {
        PluginSpec.InvalidPluginException e = assertThrows(PluginSpec.InvalidPluginException.class,
                () -> parse(Map.of("Outpost-Executable", "bin/echo", "Outpost-Import", "kv, kv, (objectClass=*), x; plugin=bad name",
                        "Outpost-Service", "zlib, echo; interface=not a class"), Set.of("bin/echo")));
        assertTrue(e.getMessage().contains("lists kv twice"), e.getMessage());
        assertTrue(e.getMessage().contains("(objectclass=*)' is not a service name"), e.getMessage());
        assertTrue(e.getMessage().contains("'x; plugin=bad name' names no valid plugin"), e.getMessage());
        assertTrue(e.getMessage().contains("'zlib' needs interface="), e.getMessage());
        assertTrue(e.getMessage().contains("'echo; interface=not a class' needs interface="), e.getMessage());
    }
}
