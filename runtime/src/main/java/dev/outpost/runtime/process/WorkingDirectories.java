package dev.outpost.runtime.process;

import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A private, empty working directory for each plugin process (also its {@code TMPDIR}), so that a
 * plugin starts nowhere near the host's files: not in the host's working directory, the deploy
 * folder or the bundle cache. All live under one directory of this runtime,
 * {@code $TMPDIR/outpost-HOSTPID-*}, mode 0700; a process's directory is removed once it has been
 * reaped, the runtime's when it closes, and those of runtimes that died without closing (their pid
 * is gone) when the next one starts.
 *
 * <p>Owns the directories it made. Thread-safe.
 */
final class WorkingDirectories implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkingDirectories.class.getName());
    private static final String PREFIX = "outpost-";

    private final Path root;
    private final AtomicLong next = new AtomicLong();

    WorkingDirectories() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        root = Files.createTempDirectory(tmp, PREFIX + Posix.getpid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        removeThoseOfDeadHosts(tmp, Files.getOwner(root));
    }

    /** A new empty directory for a process of {@code plugin}; the caller gives it back with {@link #remove}. */
    Path create(String plugin) throws IOException {
        return Files.createDirectory(root.resolve(plugin + "-" + next.incrementAndGet()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Deletes a process's directory and whatever the plugin left in it (links are removed, not followed). */
    void remove(Path dir) {
        if (dir != null && dir.startsWith(root)) {
            deleteTree(dir);
        }
    }

    Path root() {
        return root;
    }

    @Override
    public void close() {
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

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot remove " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.log(Level.WARNING, "cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
