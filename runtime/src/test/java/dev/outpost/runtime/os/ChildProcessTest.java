package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChildProcessTest {
    private final Children children = new Children();

    @AfterEach
    void killAndReapEveryChild() throws Exception {
        children.close();
    }

    @Test
    void sigkillIsReportedAsSignal9AndTheProcessIsGoneAfterReaping() throws Exception {
        ChildProcess child = children.sleeper("victim");
        assertEquals(Optional.empty(), child.tryReap());
        assertTrue(child.signal(Signals.SIGKILL));

        ExitStatus status = child.awaitExit(5_000).orElseThrow();
        assertEquals(new ExitStatus(0, 9), status);
        assertEquals("killed by signal 9 (SIGKILL)", status.describe());
        assertFalse(Procfs.exists(child.pid()), "/proc/" + child.pid() + " is gone once reaped");
    }

    @Test
    void sigtermIsReportedAsSignal15() throws Exception {
        ChildProcess child = children.sleeper("terminated");
        assertTrue(child.signal(Signals.SIGTERM));
        assertEquals("killed by signal 15 (SIGTERM)", child.awaitExit(5_000).orElseThrow().describe());
    }

    @Test
    void exitCodeIsRecorded() throws Exception {
        ChildProcess child = children.spawn(children.image("sh", Children.SH), List.of("exits", "-c", "exit 7"), Map.of(), null);
        ExitStatus status = child.awaitExit(5_000).orElseThrow();
        assertEquals(new ExitStatus(7, 0), status);
        assertEquals("exited with 7", status.describe());
        assertEquals(Optional.of(status), child.exitStatus());
    }

    @Test
    void tryReapTwiceReturnsTheSameStatusWithoutThrowing() throws Exception {
        ChildProcess child = children.sleeper("twice");
        child.signal(Signals.SIGKILL);
        ExitStatus first = child.awaitExit(5_000).orElseThrow();
        assertSame(first, child.tryReap().orElseThrow());
        assertSame(first, child.tryReap().orElseThrow());
        assertSame(first, child.awaitExit(0).orElseThrow());
    }

    @Test
    void signalAfterReapingReturnsFalseAndSendsNothing() throws Exception {
        ChildProcess child = children.sleeper("reaped");
        child.signal(Signals.SIGKILL);
        child.awaitExit(5_000).orElseThrow();
        assertFalse(child.signal(Signals.SIGKILL));
        assertFalse(child.signalGroup(Signals.SIGKILL));
    }

    @Test
    void signalToAnExitedButUnreapedChildReturnsFalse() throws Exception {
        ChildProcess child = children.sleeper("zombie");
        child.signal(Signals.SIGKILL);
        Procfs.await("the child to become a zombie", Duration.ofSeconds(5), () -> "Z".equals(Procfs.stat(child.pid())[0]));
        assertFalse(child.signal(Signals.SIGTERM));
        assertTrue(child.exitStatus().isEmpty(), "signal() does not reap");
        assertEquals(Signals.SIGKILL, child.awaitExit(5_000).orElseThrow().signal());
    }

    @Test
    void awaitExitReturnsEmptyWhileTheChildRuns() throws Exception {
        ChildProcess child = children.sleeper("running");
        long start = System.nanoTime();
        assertEquals(Optional.empty(), child.awaitExit(50));
        assertTrue(System.nanoTime() - start >= 45_000_000L, "waited about the timeout");
        assertEquals(Optional.empty(), child.awaitExit(0));
        assertTrue(Procfs.exists(child.pid()));
    }

    @Test
    void signalGroupKillsTheWholeProcessGroup() throws Exception {
        ChildProcess child = children.spawn(children.image("sh", Children.SH),
                List.of("group", "-c", "/bin/sleep 30 & /bin/sleep 30 & wait"), Map.of("PATH", "/bin:/usr/bin"), null);
        Procfs.await("two grandchildren in the child's group", Duration.ofSeconds(5),
                () -> Procfs.processGroup(child.pid()).size() == 3);
        List<Integer> group = Procfs.processGroup(child.pid());

        assertTrue(child.signalGroup(Signals.SIGKILL));

        assertEquals(Signals.SIGKILL, child.awaitExit(5_000).orElseThrow().signal());
        Procfs.await("every member of the group to die", Duration.ofSeconds(5),
                () -> group.stream().allMatch(Procfs::goneOrZombie));
    }

    @Test
    void pidfdBecomesReadableInEpollWhenTheChildExits() throws Exception {
        ChildProcess child = children.sleeper("watched");
        try (Epoll epoll = Epoll.open()) {
            epoll.add(child.pidfd(), Epoll.IN, 42);
            long[] keys = new long[4];
            int[] events = new int[4];
            assertEquals(0, epoll.wait(keys, events, 0));

            child.signal(Signals.SIGKILL);
            assertEquals(1, epoll.wait(keys, events, 5_000));
            assertEquals(42, keys[0]);
            assertTrue((events[0] & Epoll.IN) != 0);
            assertEquals(Signals.SIGKILL, child.tryReap().orElseThrow().signal());
            epoll.remove(child.pidfd());
        }
    }

    @Test
    void closeKeepsTheChildAndItCanStillBeSignalledAndReaped() throws Exception {
        ChildProcess child = children.sleeper("closed-early");
        child.close();
        child.close();
        assertThrows(IllegalStateException.class, child::pidfd);
        assertTrue(Procfs.exists(child.pid()));

        assertTrue(child.signal(Signals.SIGKILL));
        assertEquals(Signals.SIGKILL, child.awaitExit(5_000).orElseThrow().signal());
        assertFalse(child.signal(Signals.SIGKILL));
    }

    @Test
    void awaitExitForeverReturnsWhenTheChildExits() throws Exception {
        ChildProcess child = children.spawn(children.image("sh", Children.SH), List.of("quick", "-c", "exit 0"), Map.of(), null);
        assertEquals(new ExitStatus(0, 0), child.awaitExit(-1).orElseThrow());
    }

    @Test
    void invalidSignalNumberIsRefused() throws Exception {
        ChildProcess child = children.sleeper("bad-signal");
        assertThrows(IllegalArgumentException.class, () -> child.signal(1000));
    }
}
