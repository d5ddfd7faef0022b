package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/** What tests read about processes from /proc, and waiting on a deadline. */
final class Procfs {
    static final int SYS_CLOCK_NANOSLEEP = 230, SYS_WAIT4 = 61, SYS_RECVMSG = 47;

    private Procfs() {}

    /** Polls every 2 ms until the condition holds; fails the test with {@code what} at the deadline. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** The child sits in the given syscall (so its dynamic loader is done and its fds are settled). */
    static void awaitSyscall(int pid, int syscall) {
        await("pid " + pid + " to block in syscall " + syscall, Duration.ofSeconds(5), () -> {
            String line = readOrEmpty(Path.of("/proc/" + pid + "/syscall")).trim();
            return line.startsWith(syscall + " ");
        });
    }

    static Set<Integer> fds(String pid) {
        Set<Integer> fds = new TreeSet<>();
        Path dirPath = Path.of("/proc/" + pid + "/fd");
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(dirPath)) {
            dir.forEach(p -> fds.add(Integer.parseInt(p.getFileName().toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the listing's own descriptor is in it, and closed by now
        fds.removeIf(fd -> !Files.exists(dirPath.resolve(Integer.toString(fd)), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        return fds;
    }

    /**
     * This process's fds that were not open in {@code before}. (Counting is not enough: the JDK
     * may close a jar of its own at any moment, from a cleaner.)
     */
    static Set<Integer> openedSince(Set<Integer> before) {
        Set<Integer> now = fds("self");
        now.removeAll(before);
        return now;
    }

    /** The memfds among {@link #openedSince}: what other threads of the JVM open meanwhile (a jar) is left out. */
    static Set<Integer> memfdsOpenedSince(Set<Integer> before) {
        Set<Integer> memfds = openedSince(before);
        memfds.removeIf(fd -> !readLinkOrEmpty("/proc/self/fd/" + fd).startsWith("/memfd:"));
        return memfds;
    }

    private static String readLinkOrEmpty(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** What each of {@code fds} of this JVM is, for a failure message. */
    static String describe(Set<Integer> fds) {
        StringBuilder s = new StringBuilder();
        for (int fd : fds) {
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException e) {
                target = "(closed since)";
            }
            s.append(fd).append(" -> ").append(target).append("; ");
        }
        return s.toString();
    }

    static String link(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of a "Name:\tvalue" line of /proc/&lt;who&gt;/status. */
    static String status(String who, String field) {
        for (String line : readOrEmpty(Path.of("/proc/" + who + "/status")).split("\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + who + "/status");
    }

    static List<String> nulSeparated(String path) {
        String text = readOrEmpty(Path.of(path));
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\0"));
    }

    /** {state, ppid, pgrp} from /proc/&lt;pid&gt;/stat, or null once the process is gone. */
    static String[] stat(int pid) {
        String text = readOrEmpty(Path.of("/proc/" + pid + "/stat"));
        if (text.isEmpty()) {
            return null;
        }
        String[] rest = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return new String[] {rest[0], rest[1], rest[2]};
    }

    static boolean goneOrZombie(int pid) {
        String[] stat = stat(pid);
        return stat == null || stat[0].equals("Z") || stat[0].equals("X");
    }

    /** Every process whose process group is {@code pgrp}. */
    static List<Integer> processGroup(int pgrp) {
        List<Integer> members = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                int pid = Integer.parseInt(p.getFileName().toString());
                String[] stat = stat(pid);
                if (stat != null && stat[2].equals(Integer.toString(pgrp))) {
                    members.add(pid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return members;
    }

    /** The direct children of this JVM, from every thread's /proc/self/task/&lt;tid&gt;/children. */
    static Set<Integer> childrenOfThisJvm() {
        Set<Integer> children = new TreeSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                for (String pid : readOrEmpty(task.resolve("children")).trim().split("\\s+")) {
                    if (!pid.isEmpty()) {
                        children.add(Integer.parseInt(pid));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return children;
    }

    static boolean exists(int pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    private static String readOrEmpty(Path path) {
        try {
            return new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("No such process")) {
                return "";
            }
            throw new UncheckedIOException(e);
        }
    }
}
