package dev.outpost.runtime.os;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to spawn. The fds are borrowed: the spawner duplicates them into the child and never closes
 * them, so the caller still owns (and should close) its copies, e.g. the child's end of the channel.
 *
 * @param image       the executable; must stay open until spawn returns
 * @param argv        the child's arguments; argv.get(0) is the process name that ps shows
 * @param environment the child's WHOLE environment (nothing is inherited), in iteration order
 * @param channelFd   becomes fd 3 in the child
 * @param stdoutFd    becomes fd 1 in the child
 * @param stderrFd    becomes fd 2 in the child (fd 0 is always /dev/null)
 * @param workingDirectory where the child starts; null: where the spawner runs
 * @param confinement what the child does to itself before it executes the image; null: nothing
 *     (only {@link SpawnServer} can confine: {@link PosixSpawner} refuses a confined request)
 */
public record SpawnRequest(ExecutableImage image, List<String> argv, Map<String, String> environment,
                           int channelFd, int stdoutFd, int stderrFd, Path workingDirectory,
                           Confinement confinement) {
    /** A request for an unconfined child that starts where the spawner runs. */
    public SpawnRequest(ExecutableImage image, List<String> argv, Map<String, String> environment,
                        int channelFd, int stdoutFd, int stderrFd) {
        this(image, argv, environment, channelFd, stdoutFd, stderrFd, null, null);
    }

    public SpawnRequest {
        Objects.requireNonNull(image, "image");
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv needs at least the process name");
        }
        for (String arg : argv) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL in argument '" + arg + "'");
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        environment.forEach((key, value) -> {
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad environment entry '" + key + "'");
            }
            env.put(key, value);
        });
        environment = Collections.unmodifiableMap(env);
        if (workingDirectory != null && (!workingDirectory.isAbsolute()
                || workingDirectory.toString().indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("the working directory must be an absolute path: " + workingDirectory);
        }
        if (channelFd < 0 || stdoutFd < 0 || stderrFd < 0) {
            throw new IllegalArgumentException("fds must not be negative: channel " + channelFd
                    + ", stdout " + stdoutFd + ", stderr " + stderrFd);
        }
    }

    /** The name the child runs under: argv[0]. */
    String processName() {
        return argv.get(0);
    }
}
