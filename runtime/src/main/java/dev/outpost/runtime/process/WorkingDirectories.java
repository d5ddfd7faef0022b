package dev.outpost.runtime.process;

import dev.outpost.runtime.config.DaemonThreads;
import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A private, empty working directory for each plugin process (also its {@code TMPDIR}), so that a
 * plugin starts nowhere near the host's files: not in the host's working directory, the deploy
 * folder or the bundle cache. All live under one directory of this runtime,
 * {@code $TMPDIR/outpost-HOSTPID-*}, mode 0711 (a confined plugin's uid may pass through it to its
 * own directory, but not list it); a process's directory, mode 0700 and given to the plugin's uid by
 * its sandbox, is removed once it has been
 * reaped, the runtime's when it closes, and those of runtimes that died without closing (their pid
 * is gone) when the next one starts.
 *
 * <p>A plugin may leave millions of files there: they are removed on a thread of this object's
 * ({@code outpost-cleanup}), one by one as the tree is walked (nothing is collected first), and
 * only once the process and all its descendants are dead, so that nothing can change the tree
 * under the walk.
 *
 * <p>Owns the directories it made and its thread. Thread-safe.
 */
final class WorkingDirectories implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkingDirectories.class.getName());
    private static final String PREFIX = "outpost-";

    /** Removals waiting for the cleanup thread; beyond this many, the caller removes it itself. */
    private static final int MAX_PENDING = 4096;

    private final Path root;
    private final AtomicLong next = new AtomicLong();
    private final ThreadPoolExecutor cleanup = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING), DaemonThreads.named("outpost-cleanup"),
            new ThreadPoolExecutor.CallerRunsPolicy());

    WorkingDirectories() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        root = Files.createTempDirectory(tmp, PREFIX + Posix.getpid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        removeThoseOfDeadHosts(tmp, Files.getOwner(root));
    }

    /** A new empty directory for a process of {@code plugin}; the caller gives it back with {@link #remove}. */
    Path create(String plugin) throws IOException {
        return Files.createDirectory(root.resolve(plugin + "-" + next.incrementAndGet()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /**
     * Deletes a process's directory and whatever the plugin left in it (links are removed, not
     * followed), on the cleanup thread; returns at once. Call it once the process is dead.
     */
    void remove(Path dir) {
        if (dir != null && dir.startsWith(root) && !dir.equals(root)) {
            try {
                cleanup.execute(() -> deleteTree(dir));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                deleteTree(dir);
            }
        }
    }

    Path root() {
        return root;
    }

    @Override
    public void close() {
        cleanup.shutdown();
        try {
            cleanup.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(root);
    }

    /** Removes the directories, owned by {@code owner}, of runtimes whose process is gone. */
    private static void removeThoseOfDeadHosts(Path tmp, java.nio.file.attribute.UserPrincipal owner) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*-*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().split("-");
                if (parts.length >= 3 && parts[1].chars().allMatch(Character::isDigit) && !parts[1].isEmpty()
                        && Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && ProcessHandle.of(Long.parseLong(parts[1])).isEmpty()
                        && Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(owner)) {
                    deleteTree(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "looking for the directories of runtimes gone: " + e);
        }
    }

    /** Walks the tree depth first and deletes as it goes: memory does not grow with the number of files. */
    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    delete(file); // e.g. a directory it may not list: removing it may still work, if empty
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot remove " + dir + ": " + e.getMessage());
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove " + p + ": " + e.getMessage());
        }
    }
}
