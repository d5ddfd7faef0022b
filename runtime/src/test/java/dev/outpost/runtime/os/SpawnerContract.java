package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Spawner} must do, run against each by a subclass; the child's view is read
 * from /proc.
 */
abstract class SpawnerContract {
    Children children;

    /** A new spawner for one test; the subclass releases it after the test's children are reaped. */
    abstract Spawner spawner() throws Exception;

    @BeforeEach
    void makeChildren() throws Exception {
        children = new Children(spawner());
    }

    @AfterEach
    void killAndReapEveryChild() throws Exception {
        children.close();
    }

    @Test
    void childHasExactlyStdioAndTheChannelAsFd3() throws Exception {
        int[] channel = children.socketPair();
        int[] stdio = children.pipe();
        String childEnd = Procfs.link("/proc/self/fd/" + channel[1]);
        ChildProcess child = children.spawn(new SpawnRequest(children.image("fds", Children.SLEEP),
                List.of("fds", "30"), Map.of(), channel[1], stdio[1], stdio[1]));
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);

        assertEquals(Set.of(0, 1, 2, 3), Procfs.fds(Integer.toString(child.pid())));
        String fd3 = Procfs.link("/proc/" + child.pid() + "/fd/3");
        assertTrue(fd3.startsWith("socket:["), fd3);
        assertEquals(childEnd, fd3, "fd 3 is the child's end of the channel");
        assertEquals("/dev/null", Procfs.link("/proc/" + child.pid() + "/fd/0"));
        assertEquals(Procfs.link("/proc/self/fd/" + stdio[1]), Procfs.link("/proc/" + child.pid() + "/fd/1"));
        assertEquals(Procfs.link("/proc/self/fd/" + stdio[1]), Procfs.link("/proc/" + child.pid() + "/fd/2"));
    }

    @Test
    void descriptorsTheHostLeftInheritableDoNotReachTheChild() throws Exception {
        int[] channel = children.socketPair();
        int[] stdio = children.pipe();
        int inheritable = TestLibC.C.dup(stdio[0]);
        try {
            assertTrue(inheritable > 3);
            ChildProcess child = children.spawn(new SpawnRequest(children.image("fds", Children.SLEEP),
                    List.of("fds", "30"), Map.of(), channel[1], stdio[1], stdio[1]));
            Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);
            assertEquals(Set.of(0, 1, 2, 3), Procfs.fds(Integer.toString(child.pid())));
            assertTrue(Procfs.link("/proc/" + child.pid() + "/fd/3").startsWith("socket:["));
        } finally {
            Posix.close(inheritable);
        }
    }

    @Test
    void fdsBelowFourReachTheirTargetsEvenWhenSwappedOrAlreadyInPlace() throws Exception {
        // stdout <- the host's 2, stderr <- the host's 1 (dup2 in order would clobber one of them),
        // channel <- the host's 3 (dup2(3, 3) would leave it close-on-exec, i.e. missing).
        String host1 = Procfs.link("/proc/self/fd/1"), host2 = Procfs.link("/proc/self/fd/2");
        assumeTrue(Files.exists(Path.of("/proc/self/fd/3")), "this JVM has an fd 3");
        String host3 = Procfs.link("/proc/self/fd/3");
        assumeFalse(host1.equals(host2), "stdout and stderr of this JVM are the same file");

        ChildProcess child = children.spawn(new SpawnRequest(children.image("low-fds", Children.SLEEP),
                List.of("low-fds", "30"), Map.of(), 3, 2, 1));
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);

        assertEquals(Set.of(0, 1, 2, 3), Procfs.fds(Integer.toString(child.pid())));
        assertEquals(host2, Procfs.link("/proc/" + child.pid() + "/fd/1"));
        assertEquals(host1, Procfs.link("/proc/" + child.pid() + "/fd/2"));
        assertEquals(host3, Procfs.link("/proc/" + child.pid() + "/fd/3"));
    }

    @Test
    void argv0IsTheGivenProcessName() throws Exception {
        ChildProcess child = children.spawn(children.image("img", Children.SLEEP),
                List.of("my-plugin", "30"), Map.of(), null);
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP); // cmdline is empty until exec is done
        assertEquals(List.of("my-plugin", "30"), Procfs.nulSeparated("/proc/" + child.pid() + "/cmdline"));
    }


    @Test
    void theChildStartsInTheWorkingDirectoryOfItsRequest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        int[] channel = children.socketPair();
        int[] stdio = children.pipe();
        ChildProcess child = children.spawn(new SpawnRequest(children.image("cwd", Children.SLEEP),
                List.of("cwd", "30"), Map.of(), channel[1], stdio[1], stdio[1], dir.toRealPath(), null));
        children.closeNow(channel[1]);
        children.closeNow(stdio[1]);
        assertEquals(dir.toRealPath().toString(), Procfs.link("/proc/" + child.pid() + "/cwd"));
    }

    @Test
    void aWorkingDirectoryThatIsNotThereFailsTheSpawnNamingIt() throws Exception {
        int[] channel = children.socketPair();
        int[] stdio = children.pipe();
        SpawnException e = assertThrows(SpawnException.class, () -> children.spawn(new SpawnRequest(
                children.image("nocwd", Children.SLEEP), List.of("nocwd", "30"), Map.of(), channel[1], stdio[1],
                stdio[1], java.nio.file.Path.of("/nonexistent/outpost"), null)));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertEquals(Set.of(), children.unknownChildren(), "nothing left running or unreaped");
    }

    @Test
    void childRunsFromTheMemfdNotAFileOnDisk() throws Exception {
        ChildProcess child = children.sleeper("from-memory");
        String exe = Procfs.link("/proc/" + child.pid() + "/exe");
        assertTrue(exe.startsWith("/memfd:from-memory"), exe);
    }

    @Test
    void childStartsWithNoBlockedAndNoIgnoredSignals() throws Exception {
        Pointer block = Native.allocate(128), saved = Native.allocate(128);
        TestLibC.C.sigemptyset(block);
        TestLibC.C.sigaddset(block, TestLibC.SIGWINCH);
        assertEquals(0, TestLibC.C.pthread_sigmask(TestLibC.SIG_BLOCK, block, saved));
        long savedHandler = TestLibC.C.signal(TestLibC.SIGWINCH, TestLibC.SIG_IGN); // SIGWINCH is ignored by default anyway
        try {
            assertFalse(Procfs.status("thread-self", "SigBlk").matches("0+"), "this thread blocks a signal");
            assertFalse(Procfs.status("self", "SigIgn").matches("0+"), "this JVM ignores a signal");

            ChildProcess child = children.sleeper("signals");
            Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);

            String pid = Integer.toString(child.pid());
            assertEquals("0000000000000000", Procfs.status(pid, "SigBlk"));
            assertEquals("0000000000000000", Procfs.status(pid, "SigIgn"));
        } finally {
            TestLibC.C.signal(TestLibC.SIGWINCH, savedHandler);
            TestLibC.C.pthread_sigmask(TestLibC.SIG_SETMASK, saved, null);
        }
    }

    @Test
    void environmentIsExactlyTheGivenOne() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OUTPOST_PLUGIN", "echo");
        env.put("EMPTY", "");
        env.put("UNICODE", "h\u00e9llo w\u00f6rld");
        ChildProcess child = children.spawn(children.image("env", Children.SLEEP), List.of("env", "30"), env, null);
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);
        assertEquals(List.of("OUTPOST_PLUGIN=echo", "EMPTY=", "UNICODE=h\u00e9llo w\u00f6rld"),
                Procfs.nulSeparated("/proc/" + child.pid() + "/environ"));
    }

    @Test
    void emptyEnvironmentStaysEmpty() throws Exception {
        ChildProcess child = children.sleeper("no-env");
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);
        assertEquals(List.of(), Procfs.nulSeparated("/proc/" + child.pid() + "/environ"));
    }

    @Test
    void childLeadsItsOwnProcessGroup() throws Exception {
        ChildProcess child = children.sleeper("leader");
        assertEquals(Integer.toString(child.pid()), Procfs.stat(child.pid())[2]);
        assertEquals(Integer.toString(Posix.getpid()), Procfs.stat(child.pid())[1], "our child");
        assertTrue(Procfs.childrenOfThisJvm().contains(child.pid()), "teardown's leftover check can see it");
    }

    @Test
    void hostEndSeesEofOnceTheChildIsGone() throws Exception {
        int[] host = new int[1];
        ChildProcess child = children.spawn(children.image("eof", Children.SLEEP), List.of("eof", "30"), Map.of(), host);
        var buffer = java.nio.ByteBuffer.allocateDirect(64);
        assertEquals(-1, Posix.recv(host[0], buffer), "the child holds the other end");

        child.signal(Signals.SIGKILL);
        assertTrue(child.awaitExit(5_000).isPresent());
        assertEquals(0, Posix.recv(host[0], buffer), "nobody else holds the child's end");
    }

    @Test
    void imageThatIsNotAnExecutableFailsWithExecFormatError() throws Exception {
        ExecutableImage garbage = ExecutableImage.load("garbage", "not an executable\n".getBytes(StandardCharsets.UTF_8));
        try {
            int[] channel = children.socketPair();
            children.sleeper("first"); // what a spawner sets up for itself, it does on its first spawn
            Set<Integer> before = Procfs.fds("self");
            SpawnException e = assertThrows(SpawnException.class, () -> children.spawn(
                    new SpawnRequest(garbage, List.of("garbage"), Map.of(), channel[1], 1, 2)));
            assertTrue(e.getMessage().contains(" of garbage failed: ") && e.getMessage().endsWith("Exec format error"),
                    e.getMessage());
            assertEquals(Set.of(), Procfs.openedSince(before), "no fd left behind");
            assertEquals(Set.of(), children.unknownChildren(), "the child that could not execute was reaped");
        } finally {
            garbage.close();
        }
    }

    @Test
    void closedImageIsRefused() throws Exception {
        ExecutableImage image = children.image("closed", Children.SLEEP);
        image.close();
        assertThrows(IllegalStateException.class, () -> children.spawn(image, List.of("closed"), Map.of(), null));
    }

    @Test
    void oneSealedImageSpawnsManyChildren() throws Exception {
        ExecutableImage image = children.image("shared", Children.SLEEP);
        ChildProcess first = children.spawn(image, List.of("one", "30"), Map.of(), null);
        ChildProcess second = children.spawn(image, List.of("two", "30"), Map.of(), null);
        assertTrue(Procfs.exists(first.pid()) && Procfs.exists(second.pid()));
    }

    @Test
    void fileImageFallbackSpawnsFromAPrivateDirectory() throws Exception {
        ExecutableImage image = ExecutableImage.load("on-disk", Files.readAllBytes(Children.SLEEP), false);
        try {
            ChildProcess child = children.spawn(image, List.of("on-disk", "30"), Map.of(), null);
            assertEquals(Procfs.link(image.execPath()), Procfs.link("/proc/" + child.pid() + "/exe"));
        } finally {
            image.close();
        }
    }

    @Test
    void hostFdCountIsBackToBaselineAfter200SpawnKillReapCycles() throws Exception {
        ExecutableImage image = children.image("cycle", Children.SLEEP);
        cycle(image); // warm up: classes, jars, jnr stubs
        Set<Integer> baseline = Procfs.fds("self");
        for (int i = 0; i < 200; i++) {
            cycle(image);
        }
        // what a spawn makes: sockets, pipes, pidfds, memfds (another test's thread may open a file meanwhile)
        Set<Integer> opened = Procfs.openedSince(baseline).stream()
                .filter(fd -> Procfs.describe(Set.of(fd)).matches("\\d+ -> (socket:|pipe:|anon_inode:|/memfd:).*"))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), opened, Procfs.describe(opened));
    }

    private void cycle(ExecutableImage image) throws Exception {
        int[] channel = Posix.socketPair();
        try (ChildProcess child = children.spawn(new SpawnRequest(image, List.of("cycle", "30"), Map.of(), channel[1], 1, 2))) {
            Posix.close(channel[1]);
            assertTrue(child.signal(Signals.SIGKILL));
            assertEquals(Signals.SIGKILL, child.awaitExit(5_000).orElseThrow().signal());
        } finally {
            Posix.close(channel[0]);
        }
    }
}
