package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Spawns children for one test and owns every fd the test makes. {@link #close()} (from
 * {@code @AfterEach}) kills, reaps and closes every child and fd, and fails the test if a child
 * could not be reaped or is still a child of this JVM.
 */
final class Children implements AutoCloseable {
    static final Path SLEEP = Path.of("/bin/sleep"), SH = Path.of("/bin/sh");

    private final Spawner spawner;
    private final List<ChildProcess> spawned = new ArrayList<>();
    private final Set<Integer> fds = new LinkedHashSet<>();
    private final List<ExecutableImage> images = new ArrayList<>();

    Children() {
        this(new PosixSpawner());
    }

    Children(Spawner spawner) {
        this.spawner = spawner;
    }

    ExecutableImage image(String name, Path program) throws IOException {
        ExecutableImage image = ExecutableImage.load(name, Files.readAllBytes(program));
        images.add(image);
        return image;
    }

    /** A socketpair {host, child} whose ends this object closes at the end, unless closed before. */
    int[] socketPair() throws IOException {
        int[] pair = Posix.socketPair();
        fds.add(pair[0]);
        fds.add(pair[1]);
        return pair;
    }

    int[] pipe() throws IOException {
        int[] pipe = Posix.pipe();
        fds.add(pipe[0]);
        fds.add(pipe[1]);
        return pipe;
    }

    /** Closes an fd this object made, now. */
    void closeNow(int fd) {
        assertTrue(fds.remove(fd), "fd " + fd + " is not one of this test's");
        Posix.close(fd);
    }

    /** Spawns with a fresh channel (returned host end in {@code hostEnd[0]} if given) and a stdio pipe. */
    ChildProcess spawn(ExecutableImage image, List<String> argv, Map<String, String> env, int[] hostEnd) throws IOException {
        int[] channel = socketPair();
        int[] stdio = pipe();
        ChildProcess child = spawn(new SpawnRequest(image, argv, env, channel[1], stdio[1], stdio[1]));
        closeNow(channel[1]);
        closeNow(stdio[1]);
        if (hostEnd != null) {
            hostEnd[0] = channel[0];
        }
        return child;
    }

    ChildProcess spawn(SpawnRequest request) throws SpawnException {
        return spawn(spawner, request);
    }

    /** Spawns with another spawner; the child is killed and reaped at the end like the others. */
    ChildProcess spawn(Spawner other, SpawnRequest request) throws SpawnException {
        ChildProcess child = other.spawn(request);
        spawned.add(child);
        return child;
    }

    /** Children of this JVM that this object did not spawn, other than a spawner's own process. */
    Set<Integer> unknownChildren() {
        Set<Integer> unknown = new LinkedHashSet<>(Procfs.childrenOfThisJvm());
        spawned.forEach(child -> unknown.remove(child.pid()));
        if (spawner instanceof SpawnServer server) {
            unknown.remove(server.pid());
        }
        return unknown;
    }

    /** /bin/sleep 30 under the name given. */
    ChildProcess sleeper(String name) throws IOException {
        return spawn(image(name, SLEEP), List.of(name, "30"), Map.of(), null);
    }

    @Override
    public void close() throws IOException {
        List<String> problems = new ArrayList<>();
        for (ChildProcess child : spawned) {
            child.signal(Signals.SIGKILL);
            Optional<ExitStatus> status = child.awaitExit(5_000);
            if (status.isEmpty()) {
                problems.add(child + " could not be reaped");
            }
            child.close();
        }
        fds.forEach(Posix::close);
        fds.clear();
        images.forEach(ExecutableImage::close);
        Set<Integer> left = Procfs.childrenOfThisJvm();
        for (ChildProcess child : spawned) {
            if (left.contains(child.pid())) {
                problems.add(child + " is still a child of this JVM");
            }
        }
        spawned.clear();
        if (!problems.isEmpty()) {
            fail(String.join("; ", problems));
        }
    }
}
