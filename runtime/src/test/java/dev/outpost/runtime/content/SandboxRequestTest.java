package dev.outpost.runtime.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxRequestTest {
    private static SandboxRequest parse(String header, List<String> problems) {
        return SandboxRequest.parse(header, problems);
    }

    @Test
    void everyKeyIsReadWithItsUnit() {
        List<String> problems = new ArrayList<>();
        SandboxRequest r = parse("memory=64m; tasks=16; cpu=0.5; files=128; file-size=1g; network=connect;"
                + " read=/usr/share/zoneinfo:/opt/data/; read=/srv; profile=compute", problems);
        assertEquals(List.of(), problems);
        assertEquals(new SandboxRequest(64L << 20, 16, 0.5, 128, 1L << 30, "connect",
                List.of("/usr/share/zoneinfo", "/opt/data", "/srv"), "compute"), r);
    }

    @Test
    void noHeaderAsksForNothing() {
        assertEquals(SandboxRequest.DEFAULTS, parse(null, new ArrayList<>()));
        assertEquals(SandboxRequest.DEFAULTS, parse("  ", new ArrayList<>()));
    }

    @Test
    void eachProblemIsNamedWithTheHeaderAndTheKey() {
        List<String> problems = new ArrayList<>();
        parse("memroy=64m; memory=64q; tasks=0; cpu=fast; network=all; read=relative:/a/../b; profile=x; files=1;"
                + " files=2; nonsense", problems);
        assertEquals(List.of(
                "Outpost-Sandbox has an unknown key 'memroy' (known: memory, tasks, cpu, files, file-size, network, read, profile)",
                "Outpost-Sandbox memory=64q: '64q' is not a size such as 64m, 512k or 1g",
                "Outpost-Sandbox tasks=0: not a whole number above 0",
                "Outpost-Sandbox cpu=fast: not a number of cores between 0.01 and 4096, such as 0.5",
                "Outpost-Sandbox network=all: must be one of none, connect, any",
                "Outpost-Sandbox read=relative:/a/../b: 'relative' is not an absolute path without '..'",
                "Outpost-Sandbox read=relative:/a/../b: '/a/../b' is not an absolute path without '..'",
                "Outpost-Sandbox profile=x: must be one of default, compute",
                "Outpost-Sandbox asks for files twice",
                "Outpost-Sandbox entry 'nonsense' is not key=value"), problems);
    }

    @Test
    void sizesAreBinaryAndBounded() {
        assertEquals(512L << 10, SandboxRequest.parseSize("512k"));
        assertEquals(3L << 40, SandboxRequest.parseSize("3T"));
        assertEquals(4096, SandboxRequest.parseSize("4096"));
        for (String bad : List.of("", "0", "m", "-1m", "1.5g", "99999999999999999g")) {
            assertThrows(IllegalArgumentException.class, () -> SandboxRequest.parseSize(bad), bad);
        }
    }
}
