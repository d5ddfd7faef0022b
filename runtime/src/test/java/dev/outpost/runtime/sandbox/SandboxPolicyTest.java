package dev.outpost.runtime.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.content.SandboxRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxPolicyTest {
    @TempDir
    Path dir;

    private static SandboxRequest ask(Long memory, Integer tasks, Double cpu, String network, List<String> read) {
        return new SandboxRequest(memory, tasks, cpu, null, null, network, read, null);
    }

    @Test
    void aBundleThatAsksForNothingGetsTheHostsDefaults() throws Exception {
        SandboxPlan plan = SandboxPolicy.plan(SandboxRequest.DEFAULTS, SandboxSettings.defaults(true), List.of());
        assertEquals(new SandboxPlan(65534, 65534, 256L << 20, 64, 1.0, 256, 256L << 20, "none", "default", List.of()),
                plan);
    }

    @Test
    void whatIsAskedWithinTheCeilingsIsGiven() throws Exception {
        SandboxPlan plan = SandboxPolicy.plan(ask(64L << 20, 16, 0.5, "connect", List.of("/usr/share")),
                SandboxSettings.defaults(true), List.of());
        assertEquals(64L << 20, plan.memory());
        assertEquals(16, plan.tasks());
        assertEquals(0.5, plan.cpu());
        assertEquals("connect", plan.network());
        assertEquals(List.of("/usr/share"), plan.read());
    }

    @Test
    void everyRequestBeyondItsCeilingIsNamedWithTheCeilingsProperty() {
        SandboxSettings host = SandboxSettings.from(Map.of("outpost.sandbox.tasks.max", "100")::get, true);
        SandboxPolicy.Refusal r = assertThrows(SandboxPolicy.Refusal.class, () -> SandboxPolicy.plan(
                ask(2L << 30, 101, 4096.0, "any", List.of()), host, List.of()));
        assertTrue(r.getMessage().startsWith("Outpost-Sandbox asks for more than this host allows: "), r.getMessage());
        assertTrue(r.getMessage().contains("memory=2 GiB (the host allows at most 1 GiB: outpost.sandbox.memory.max)"),
                r.getMessage());
        assertTrue(r.getMessage().contains("tasks=101 (the host allows at most 100: outpost.sandbox.tasks.max)"),
                r.getMessage());
        assertTrue(r.getMessage().contains("cpu=4096 (the host allows at most"), r.getMessage());
        assertTrue(r.getMessage().contains("network=any (the host allows at most connect: outpost.sandbox.network.max)"),
                r.getMessage());
    }

    @Test
    void aPathToReadMustLieBeneathTheAllowedPrefixesAlsoOnceItsLinksAreFollowed() throws Exception {
        Path allowed = Files.createDirectory(dir.resolve("allowed"));
        Files.createDirectory(allowed.resolve("data"));
        Files.createSymbolicLink(allowed.resolve("escape"), Path.of("/etc"));
        SandboxSettings host = SandboxSettings.from(Map.of("outpost.sandbox.read.allowed", allowed.toString())::get,
                true);
        assertEquals(List.of(allowed.resolve("data").toString()), SandboxPolicy.plan(ask(null, null, null, null,
                List.of(allowed.resolve("data").toString())), host, List.of()).read());
        String escape = assertThrows(SandboxPolicy.Refusal.class, () -> SandboxPolicy.plan(ask(null, null, null, null,
                List.of(allowed.resolve("escape").toString())), host, List.of())).getMessage();
        assertTrue(escape.contains("it leads to /etc, which is not beneath " + allowed), escape);
        String outside = assertThrows(SandboxPolicy.Refusal.class, () -> SandboxPolicy.plan(ask(null, null, null, null,
                List.of("/etc")), host, List.of())).getMessage();
        assertTrue(outside.contains("read=/etc (not beneath " + allowed + " (outpost.sandbox.read.allowed))"), outside);
        String missing = assertThrows(SandboxPolicy.Refusal.class, () -> SandboxPolicy.plan(ask(null, null, null, null,
                List.of(allowed.resolve("nothing").toString())), host, List.of())).getMessage();
        assertTrue(missing.contains("it does not exist"), missing);
    }

    @Test
    void theHostsOwnDirectoriesCannotBeReadEvenBeneathAnAllowedPrefix() throws Exception {
        Path deploy = Files.createDirectories(dir.resolve("srv/deploy"));
        SandboxSettings host = SandboxSettings.from(Map.of("outpost.sandbox.read.allowed", dir.toString())::get, true);
        for (Path asked : List.of(deploy, dir.resolve("srv"))) {
            String why = assertThrows(SandboxPolicy.Refusal.class, () -> SandboxPolicy.plan(ask(null, null, null, null,
                    List.of(asked.toString())), host, List.of(deploy))).getMessage();
            assertTrue(why.contains("it is or contains " + deploy + ", which is the host's"), why);
        }
    }

    @Test
    void settingsThatDoNotParseNameTheirProperty() {
        for (Map.Entry<String, String> bad : Map.of("outpost.sandbox", "maybe", "outpost.sandbox.memory", "lots",
                "outpost.sandbox.memory.max", "1m", "outpost.sandbox.network.max", "some",
                "outpost.sandbox.cgroup", "v3", "outpost.sandbox.missing", "ignore",
                "outpost.sandbox.read.allowed", "relative").entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SandboxSettings.from(Map.of(bad.getKey(), bad.getValue())::get, true), bad.toString());
            assertTrue(e.getMessage().startsWith(bad.getKey()), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> SandboxSettings.from(Map.of("outpost.sandbox.uid", "1000")::get, false), "a uid needs root");
    }
}
