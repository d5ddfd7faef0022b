package dev.outpost.runtime.sandbox;

import dev.outpost.runtime.os.Signals;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing cgroup control files, and what v1 and v2 do alike with them. Stateless. */
final class CgroupFiles {
    private static final System.Logger LOG = System.getLogger(CgroupFiles.class.getName());
    /** How long a kill waits for a cgroup to empty, and a removal for the kernel to let go of it. */
    static final long EMPTY_WAIT_MILLIS = 2_000;
    static final String RUNTIME_PREFIX = "outpost-";
    private static final java.util.concurrent.atomic.AtomicInteger RUNTIMES =
            new java.util.concurrent.atomic.AtomicInteger();

    /** The name of a new runtime's cgroup directory: {@code outpost-PID-N} (one JVM may run several). */
    static String runtimeName(long pid) {
        return RUNTIME_PREFIX + pid + "-" + RUNTIMES.incrementAndGet();
    }

    private CgroupFiles() {
    }

    /** Writes {@code value} to a control file, as one write. */
    static void write(Path file, String value) throws IOException {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + file + ": " + reason(e), e);
        }
    }

    /** The first number in a control file, or -1 if it cannot be read. */
    static long number(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            int end = 0;
            while (end < text.length() && Character.isDigit(text.charAt(end))) {
                end++;
            }
            return end == 0 ? -1 : Long.parseLong(text.substring(0, end));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The value of {@code key} in a flat keyed file ("oom_kill 3"), or -1. */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key + " ")) {
                    return Long.parseLong(line.substring(key.length() + 1).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // -1 below
        }
        return -1;
    }

    /** The pids listed in a cgroup.procs file (empty if it cannot be read). */
    static List<Integer> pids(Path procs) {
        List<Integer> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procs, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    pids.add(Integer.parseInt(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // nothing to list
        }
        return pids;
    }

    /**
     * SIGKILLs every process listed in {@code procs}, again until the file is empty or the bound
     * passes; each pid is signalled only while it is still listed once a pidfd pins it, so that
     * a pid reused by a process outside the cgroup is never signalled.
     * Returns whether the cgroup is empty.
     */
    static boolean killListed(Path procs) {
        long deadline = System.nanoTime() + EMPTY_WAIT_MILLIS * 1_000_000;
        while (true) {
            List<Integer> left = pids(procs);
            if (left.isEmpty()) {
                return true;
            }
            signalListed(procs, left);
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** SIGKILLs each of {@code listed} that {@code procs} still lists once a pidfd pins it; does not wait. */
    static void signalListed(Path procs, List<Integer> listed) {
        for (int pid : listed) {
            // pinned by the pidfd, the process at this pid now is one of the cgroup's if it is listed
            Signals.signalIf(pid, Signals.SIGKILL, () -> pids(procs).contains(pid));
        }
    }

    /** rmdir, retried within the bound while the kernel still counts exiting tasks (EBUSY). */
    static void removeDir(Path dir) {
        long deadline = System.nanoTime() + EMPTY_WAIT_MILLIS * 1_000_000;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.log(Level.WARNING, "cannot remove cgroup " + dir + ": " + reason(e));
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /**
     * Removes the directories {@code outpost-PID-N} beneath {@code base} of runtimes whose process
     * is gone, with the plugin cgroups in them (their plugins died with their runtime).
     */
    static void removeThoseOfDeadRuntimes(Path base, String procsFile) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, RUNTIME_PREFIX + "*")) {
            for (Path dir : dirs) {
                String rest = dir.getFileName().toString().substring(RUNTIME_PREFIX.length());
                String pid = rest.indexOf('-') < 0 ? rest : rest.substring(0, rest.indexOf('-'));
                if (pid.isEmpty() || !pid.chars().allMatch(Character::isDigit) || pid.length() > 9
                        || ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
                    continue;
                }
                try (DirectoryStream<Path> plugins = Files.newDirectoryStream(dir, Files::isDirectory)) {
                    for (Path plugin : plugins) {
                        killListed(plugin.resolve(procsFile));
                        removeDir(plugin);
                    }
                }
                removeDir(dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "looking for the cgroups of runtimes gone in " + base + ": " + e);
        }
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
