package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The spawner contract through the outpost-spawner process, and what is particular to it. */
class SpawnServerTest extends SpawnerContract {
    private SpawnServer server;

    @Override
    Spawner spawner() throws Exception {
        server = SpawnServer.load();
        return server;
    }

    @AfterEach
    void reapTheSpawnerProcess() {
        int pid = server.pid();
        server.close();
        assertFalse(Procfs.childrenOfThisJvm().contains(pid), "close() reaped outpost-spawner " + pid);
    }

    @Test
    void spawnerProcessStartsWithTheFirstSpawnAndHoldsOnlyItsOwnFewDescriptors() throws Exception {
        assertEquals(-1, server.pid(), "not started before it is needed");
        children.sleeper("first");
        int pid = server.pid();
        assertTrue(pid > 0);
        Procfs.awaitSyscall(pid, Procfs.SYS_RECVMSG); // done with the request: waiting for the next
        assertEquals(List.of(SpawnServer.PROGRAM, Integer.toString(Posix.getpid())),
                Procfs.nulSeparated("/proc/" + pid + "/cmdline"));
        assertEquals(Set.of(0, 1, 2, 3, 4), Procfs.fds(Integer.toString(pid)), "stdio, its socket, /dev/null");
        assertTrue(Procfs.link("/proc/" + pid + "/fd/3").startsWith("socket:["));
    }

    @Test
    void theChildExecutesTheMemfdItselfAndPsShowsThePluginsName() throws Exception {
        ChildProcess child = children.spawn(children.image("my-plugin", Children.SLEEP),
                List.of("my-plugin", "30"), Map.of(), null);
        Procfs.awaitSyscall(child.pid(), Procfs.SYS_CLOCK_NANOSLEEP);
        // executed from the descriptor, the kernel names the process after the memfd (15 bytes at most)
        assertEquals("memfd:my-plugin", java.nio.file.Files.readString(
                java.nio.file.Path.of("/proc/" + child.pid() + "/comm")).strip());
        assertEquals(List.of("my-plugin", "30"), Procfs.nulSeparated("/proc/" + child.pid() + "/cmdline"));
        assertEquals(Set.of(0, 1, 2, 3), Procfs.fds(Integer.toString(child.pid())),
                "the executable's descriptor was closed by the exec");
    }

    @Test
    void aKilledSpawnerProcessIsReplacedAndTheChildrenItMadeLiveOn() throws Exception {
        ChildProcess before = children.sleeper("before");
        int first = server.pid();
        assertEquals(0, Native.C.kill(first, Signals.SIGKILL));
        Procfs.await("outpost-spawner " + first + " to die", Duration.ofSeconds(5),
                () -> Procfs.stat(first)[0].equals("Z"));

        ChildProcess after = children.sleeper("after");
        Procfs.awaitSyscall(after.pid(), Procfs.SYS_CLOCK_NANOSLEEP);
        assertNotEquals(first, server.pid(), "a new spawner process");
        assertFalse(Procfs.childrenOfThisJvm().contains(first), "the dead one was reaped");
        assertTrue(before.exitStatus().isEmpty() && Procfs.exists(before.pid()), "the first child still runs");
        assertEquals(Integer.toString(Posix.getpid()), Procfs.stat(after.pid())[1], "both are this JVM's children");
    }

    @Test
    void childrenAndTheSpawnerDieWhenTheThreadThatStartedTheSpawnerEnds() throws Exception {
        // PR_SET_PDEATHSIG follows that thread; the runtime keeps it alive as long as its plugins
        AtomicReference<ChildProcess> spawned = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                spawned.set(children.sleeper("orphan"));
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "short-lived-spawn-thread");
        starter.start();
        starter.join(10_000);
        assertEquals(null, failed.get());
        ChildProcess child = spawned.get();
        int spawnerPid = server.pid();

        ExitStatus status = child.awaitExit(5_000).orElseThrow();
        assertEquals(Signals.SIGKILL, status.signal(), "the child's parent-death signal");
        Procfs.await("outpost-spawner " + spawnerPid + " to die", Duration.ofSeconds(5),
                () -> !Procfs.exists(spawnerPid) || Procfs.stat(spawnerPid)[0].equals("Z"));
    }

    @Test
    void requestTooLargeForTheSpawnerFailsNamingThePluginAndTheLimit() throws Exception {
        ExecutableImage image = children.image("big-env", Children.SLEEP);
        SpawnException e = assertThrows(SpawnException.class, () -> children.spawn(image, List.of("big-env"),
                Map.of("BIG", "x".repeat(SpawnServer.MAX_REQUEST)), null));
        assertTrue(e.getMessage().startsWith("spawn of big-env failed: its path, arguments and environment take "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("more than the 131072 that outpost-spawner takes"), e.getMessage());
        assertEquals(Set.of(), children.unknownChildren());
    }

    @Test
    void closedServerRefusesToSpawn() throws Exception {
        ExecutableImage image = children.image("late", Children.SLEEP);
        server.close();
        assertThrows(IllegalStateException.class, () -> children.spawn(image, List.of("late"), Map.of(), null));
    }
}
