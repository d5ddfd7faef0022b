package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * posix_spawn via jnr-ffi (NOT jnr-posix: it loses errno and leaks fds).
 *
 * <p>The child gets exactly fds 0 (/dev/null), 1 (stdoutFd), 2 (stderrFd) and 3 (channelFd), an
 * empty signal mask, default dispositions for every signal, its own process group, and exactly the
 * request's environment. The request's fds stay the caller's; the returned {@link ChildProcess}
 * (pid and pidfd) is the caller's to reap and close.
 *
 * <p>The runtime spawns plugins through {@link SpawnServer}, which also arms the parent-death
 * signal and does not copy the JVM's descriptor table; this class starts that server, and is the
 * fallback where it cannot run.
 */
public final class PosixSpawner implements Spawner {
    /** Far more than glibc's posix_spawn_file_actions_t (80), posix_spawnattr_t (336), sigset_t (128). */
    private static final int OPAQUE_SIZE = 512;
    /** Sources below this are moved up first: dup2 onto itself would keep CLOEXEC, and an earlier
     *  action could overwrite a later one's source (stdout 2, stderr 1). */
    private static final int FIRST_FREE_FD = 4, MOVED_FD_FLOOR = 10;

    /** A stateless spawner. */
    public PosixSpawner() {
    }

    @Override
    public ChildProcess spawn(SpawnRequest request) throws SpawnException {
        String name = request.processName();
        if (request.confinement() != null) {
            throw new SpawnException("spawn of " + name + " failed: only " + SpawnServer.PROGRAM
                    + " can confine a plugin, and it is not available");
        }
        String path = request.image().execPath();
        Pointer argv = CStrings.array(request.argv());
        Pointer envp = CStrings.array(environ(request.environment()));
        int[] moved = {-1, -1, -1};
        int pid;
        try {
            int stdout = aboveStdio(request.stdoutFd(), moved, 0, name);
            int stderr = aboveStdio(request.stderrFd(), moved, 1, name);
            int channel = aboveStdio(request.channelFd(), moved, 2, name);
            pid = spawn(name, path, stdout, stderr, channel, request.workingDirectory(), argv, envp);
        } finally {
            for (int fd : moved) {
                Posix.close(fd);
            }
        }
        int pidfd = C.pidfd_open(pid, 0);
        if (pidfd < 0) {
            int errno = Native.errno();
            killAndReap(pid);
            throw new SpawnException("pidfd_open of " + name + " (pid " + pid + ") failed: " + Native.strerror(errno));
        }
        return new ChildProcess(pid, pidfd, name);
    }

    private static int spawn(String name, String path, int stdout, int stderr, int channel, java.nio.file.Path cwd,
                             Pointer argv, Pointer envp) throws SpawnException {
        Pointer actions = Native.allocate(OPAQUE_SIZE);
        Pointer attr = Native.allocate(OPAQUE_SIZE);
        Pointer noSignals = Native.allocate(OPAQUE_SIZE);
        Pointer allSignals = Native.allocate(OPAQUE_SIZE);
        check(C.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init", name);
        try {
            check(C.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0), "addopen", name);
            check(C.posix_spawn_file_actions_adddup2(actions, stdout, 1), "adddup2", name);
            check(C.posix_spawn_file_actions_adddup2(actions, stderr, 2), "adddup2", name);
            check(C.posix_spawn_file_actions_adddup2(actions, channel, 3), "adddup2", name);
            check(C.posix_spawn_file_actions_addclosefrom_np(actions, FIRST_FREE_FD), "addclosefrom_np", name);
            if (cwd != null) {
                check(C.posix_spawn_file_actions_addchdir_np(actions, cwd.toString()), "addchdir_np", name);
            }
            check(C.posix_spawnattr_init(attr), "posix_spawnattr_init", name);
            try {
                C.sigemptyset(noSignals);
                // Every bit, not sigfillset: that leaves out glibc's internal signals 32 and 33,
                // which posix_spawn then sets to SIG_IGN in the child, and SIG_IGN survives exec.
                allSignals.setMemory(0, OPAQUE_SIZE, (byte) 0xff);
                check(C.posix_spawnattr_setsigmask(attr, noSignals), "setsigmask", name);
                check(C.posix_spawnattr_setsigdefault(attr, allSignals), "setsigdefault", name);
                check(C.posix_spawnattr_setpgroup(attr, 0), "setpgroup", name);
                check(C.posix_spawnattr_setflags(attr, (short) (LibC.POSIX_SPAWN_SETSIGMASK
                        | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETPGROUP)), "setflags", name);
                int[] pid = new int[1];
                int error = C.posix_spawn(pid, path, actions, attr, argv, envp);
                if (error != 0) {
                    throw new SpawnException("posix_spawn of " + name + " failed: " + Native.strerror(error));
                }
                return pid[0];
            } finally {
                C.posix_spawnattr_destroy(attr);
            }
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
        }
    }

    /** fd itself, or (below 4) a close-on-exec copy at 10 or above, remembered in moved[slot]. */
    private static int aboveStdio(int fd, int[] moved, int slot, String name) throws SpawnException {
        if (fd >= FIRST_FREE_FD) {
            return fd;
        }
        try {
            moved[slot] = Posix.fcntl(fd, LibC.F_DUPFD_CLOEXEC, MOVED_FD_FLOOR);
            return moved[slot];
        } catch (IOException e) {
            throw new SpawnException("posix_spawn of " + name + " failed: " + e.getMessage(), e);
        }
    }

    private static List<String> environ(Map<String, String> environment) {
        List<String> entries = new ArrayList<>(environment.size());
        environment.forEach((key, value) -> entries.add(key + "=" + value));
        return entries;
    }

    /** posix_spawn_* setup functions return an error number, not -1/errno. */
    private static void check(int error, String call, String name) throws SpawnException {
        if (error != 0) {
            throw new SpawnException("posix_spawn of " + name + " failed: " + call + ": " + Native.strerror(error));
        }
    }

    /** Undoes a spawn whose pidfd could not be had: the pid is still ours, as it is unreaped. */
    private static void killAndReap(int pid) {
        C.kill(pid, Signals.SIGKILL);
        Pointer info = Native.allocate(OPAQUE_SIZE);
        while (C.waitid(LibC.P_PID, pid, info, LibC.WEXITED) != 0 && Native.errno() == LibC.EINTR) {
            // retry
        }
    }
}
