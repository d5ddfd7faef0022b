package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A confined request through outpost-spawner: the child is confined before its first instruction. */
class SpawnServerConfinementTest {
    private static final List<Confinement.PathRule> SYSTEM = List.of(
            new Confinement.PathRule(Confinement.PathKind.READ, "/usr", false),
            new Confinement.PathRule(Confinement.PathKind.READ, "/lib", true),
            new Confinement.PathRule(Confinement.PathKind.READ, "/lib64", true),
            new Confinement.PathRule(Confinement.PathKind.READ, "/etc/ld.so.cache", true));

    private final SpawnServer server = load();
    private final Children children = new Children(server);

    private static SpawnServer load() {
        try {
            return SpawnServer.load();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void reapEverything() throws Exception {
        children.close();
        server.close();
    }

    private static Confinement confinement(List<Confinement.PathRule> paths, boolean pidNamespace) {
        return new Confinement(65534, 65534, pidNamespace, true, true, Confinement.Seccomp.DEFAULT,
                Confinement.Network.NONE, Map.of(Confinement.Limit.CORE, 0L, Confinement.Limit.OPEN_FILES, 64L),
                1000, paths, 0);
    }

    private ChildProcess spawn(Confinement confinement) throws Exception {
        int[] channel = children.socketPair();
        int[] stdio = children.pipe();
        ChildProcess child = children.spawn(new SpawnRequest(children.image("confined", Children.SLEEP),
                List.of("confined", "30"), Map.of(), channel[1], stdio[1], stdio[1], null, confinement));
        children.closeNow(channel[1]);
        children.closeNow(stdio[1]);
        return child;
    }

    private static String status(int pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        throw new AssertionError(field + " is not in /proc/" + pid + "/status");
    }

    @Test
    void theConfinedChildRunsUnprivilegedUnderSeccompAsInitOfItsOwnPidNamespace() throws Exception {
        ChildProcess child = spawn(confinement(SYSTEM, true));
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP); // it executed and runs
        int pid = child.pid();
        assertEquals("65534\t65534\t65534\t65534", status(pid, "Uid"));
        assertEquals("65534\t65534\t65534\t65534", status(pid, "Gid"));
        assertEquals("", status(pid, "Groups"));
        assertEquals("1", status(pid, "NoNewPrivs"));
        assertEquals("2", status(pid, "Seccomp"), "a filter is installed");
        assertEquals("0000000000000000", status(pid, "CapEff"));
        assertEquals("0000000000000000", status(pid, "CapBnd"));
        assertEquals(pid + "\t1", status(pid, "NSpid"), "pid 1 of a namespace of its own");
        assertEquals("1000", Files.readString(Path.of("/proc/" + pid + "/oom_score_adj")).strip());
        assertTrue(Files.readString(Path.of("/proc/" + pid + "/limits")).lines()
                .anyMatch(l -> l.startsWith("Max open files") && l.contains(" 64 ")), "RLIMIT_NOFILE 64");
        assertEquals(0, child.missingProtections(), "this kernel has every protection asked for");
        assertEquals(Set.of(0, 1, 2, 3), Procfs.fds(Integer.toString(pid)));
    }

    @Test
    void withoutAPidNamespaceTheChildSharesTheHostsNamespace() throws Exception {
        ChildProcess child = spawn(confinement(SYSTEM, false));
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);
        assertEquals(Integer.toString(child.pid()), status(child.pid(), "NSpid"));
    }

    @Test
    void aConfinementStepThatFailsNamesTheStepAndLeavesNothingRunning() throws Exception {
        List<Confinement.PathRule> paths = new java.util.ArrayList<>(SYSTEM);
        paths.add(new Confinement.PathRule(Confinement.PathKind.READ, "/nonexistent/outpost", false));
        SpawnException e = assertThrows(SpawnException.class, () -> spawn(confinement(paths, true)));
        assertTrue(e.getMessage().contains("landlock") && e.getMessage().contains("No such file or directory"),
                e.getMessage());
        assertEquals(Set.of(), children.unknownChildren(), "nothing left running or unreaped");
    }

    @Test
    void anExecutableOutsideTheReadableFilesystemCannotLoadItsInterpreter() throws Exception {
        // Landlock governs what the child may execute: without /usr and /lib the dynamic loader is refused
        List<Confinement.PathRule> none = List.of(
                new Confinement.PathRule(Confinement.PathKind.READ, "/etc/ld.so.cache", true));
        SpawnException e = assertThrows(SpawnException.class, () -> spawn(confinement(none, true)));
        assertTrue(e.getMessage().contains("execveat") && e.getMessage().contains("Permission denied"),
                e.getMessage());
    }

    @Test
    void thePosixSpawnerRefusesAConfinedRequestRatherThanIgnoreIt() throws Exception {
        try (Children direct = new Children()) {
            int[] channel = direct.socketPair();
            SpawnException e = assertThrows(SpawnException.class, () -> direct.spawn(new SpawnRequest(
                    direct.image("confined", Children.SLEEP), List.of("confined", "30"), Map.of(), channel[1], 1, 2,
                    null, confinement(SYSTEM, true))));
            assertTrue(e.getMessage().contains("only outpost-spawner can confine"), e.getMessage());
        }
    }
}
