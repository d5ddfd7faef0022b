package dev.outpost.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What /proc says about processes: read-only observations for assertions. */
final class Processes {
    static final long SELF = ProcessHandle.current().pid();

    private Processes() {
    }

    /** Whether /proc has an entry for the pid (a zombie still has one). */
    static boolean exists(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    /** The single-letter state from /proc/PID/stat ('Z' for a zombie), or null if gone. */
    static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return null;
        }
    }

    static String argv0(long pid) throws IOException {
        byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        int end = 0;
        while (end < cmdline.length && cmdline[end] != 0) {
            end++;
        }
        return new String(cmdline, 0, end, StandardCharsets.UTF_8);
    }

    static String exe(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
    }

    /** The open descriptors of a process, sorted. */
    static List<Integer> fds(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        }
    }

    static String fdTarget(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    static int openFdCount() throws IOException {
        return fds(SELF).size();
    }

    static int threadCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.count();
        }
    }

    /**
     * The children of this JVM other than the runtime's own {@code outpost-spawner} process (which
     * runs from its sealed memfd): the plugin processes, live or zombie, while a runtime runs.
     */
    static List<Long> pluginProcesses() throws IOException {
        List<Long> plugins = new ArrayList<>();
        for (long pid : children()) {
            try {
                if (!(argv0(pid).equals("outpost-spawner") && exe(pid).startsWith("/memfd:outpost-spawner"))) {
                    plugins.add(pid);
                }
            } catch (IOException gone) {
                plugins.add(pid); // a zombie has no exe: only a plugin is reaped while the runtime runs
            }
        }
        return plugins;
    }

    /** Every live or zombie child of this JVM (pids whose parent is this process). */
    static List<Long> children() throws IOException {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(after[1]) == SELF) {
                        children.add(Long.parseLong(name));
                    }
                } catch (NoSuchFileException | IndexOutOfBoundsException gone) {
                    // exited while we looked
                } catch (IOException gone) {
                    // same
                }
            }
        }
        return children;
    }

    /** The pid namespace of a process ("pid:[4026532...]"), or null if it is gone. */
    static String pidNamespace(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Every live process in pid namespace {@code ns} (as {@link #pidNamespace} names it), zombies
     * left out: what a plugin that is the init of its own namespace leaves behind.
     */
    static List<Long> inPidNamespace(String ns) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long pid = Long.parseLong(name);
                    if (ns.equals(pidNamespace(pid)) && !"Z".equals(state(pid)) && state(pid) != null) {
                        found.add(pid);
                    }
                }
            }
        }
        return found;
    }

    /**
     * The pid, as this JVM sees it, of the process that has pid {@code inner} inside namespace
     * {@code ns} (a plugin reports the pids of its own namespace); fails if there is none.
     */
    static long hostPid(String ns, long inner) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || !ns.equals(pidNamespace(Long.parseLong(name)))) {
                    continue;
                }
                try {
                    for (String line : Files.readAllLines(p.resolve("status"))) {
                        if (line.startsWith("NSpid:") && line.endsWith("\t" + inner)) {
                            return Long.parseLong(name);
                        }
                    }
                } catch (IOException gone) {
                    // exited while we looked
                }
            }
        }
        throw new AssertionError("no process has pid " + inner + " in " + ns);
    }
}
