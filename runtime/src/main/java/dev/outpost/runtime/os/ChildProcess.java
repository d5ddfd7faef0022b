package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * A spawned child. Owns its pid (until reaped) and its pidfd (until close()). Thread-safe.
 *
 * <p>The owner must reap the child ({@link #tryReap()} or {@link #awaitExit(long)}), else it stays
 * a zombie, and close() it, else the pidfd leaks. Reaping and closing are independent: a closed
 * ChildProcess can still be signalled and reaped (by pid, which stays ours until reaped); a reaped
 * one is never signalled again, because its pid may belong to somebody else by then.
 */
public final class ChildProcess implements AutoCloseable {
    private static final int SIGINFO_SIZE = 128;
    private static final int SI_CODE = 8, SI_PID = 16, SI_STATUS = 24; // siginfo_t on 64-bit Linux (see Arch)

    private final int pid;
    private final String name;
    private final int missingProtections;
    private final Pointer siginfo = Native.allocate(SIGINFO_SIZE); // guarded by this
    private int pidfd;            // guarded by this; -1 once closed
    private ExitStatus status;    // guarded by this; set once reaped

    ChildProcess(int pid, int pidfd, String name) {
        this(pid, pidfd, name, 0);
    }

    ChildProcess(int pid, int pidfd, String name, int missingProtections) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.name = name;
        this.missingProtections = missingProtections;
    }

    /**
     * The protections its {@link Confinement} asked for that this kernel could not give
     * ({@link Confinement.Missing} bits); 0 for an unconfined child.
     */
    public int missingProtections() {
        return missingProtections;
    }

    public int pid() {
        return pid;
    }

    /**
     * pidfd_open(pid, 0) taken right after spawn; becomes readable when the process exits (register
     * it with Epoll). Still owned by this object: remove it from any Epoll before close().
     *
     * @throws IllegalStateException once closed
     */
    public synchronized int pidfd() {
        if (pidfd < 0) {
            throw new IllegalStateException(this + " is closed");
        }
        return pidfd;
    }

    /**
     * pidfd_send_signal; returns false (and sends nothing) once the process has been reaped, and
     * false once it has exited but is not yet reaped (the kernel itself accepts signals for a zombie,
     * so this is checked first by polling the pidfd) or on ESRCH.
     *
     * @throws IllegalArgumentException for a signal number the kernel refuses
     */
    public synchronized boolean signal(int signal) {
        if (status != null) {
            return false;
        }
        try {
            int fd = pidfd >= 0 ? pidfd : openPidfd(); // closed but unreaped: the pid is still ours
            try {
                if ((Posix.poll(fd, Posix.POLLIN, 0) & Posix.POLLIN) != 0) {
                    return false; // exited: a zombie would take the signal and drop it
                }
                return sent(C.pidfd_send_signal(fd, signal, null, 0), "pidfd_send_signal", signal);
            } finally {
                if (fd != pidfd) {
                    Posix.close(fd);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill(-pid, sig) on the child's process group (it leads its own group); false once reaped. */
    public synchronized boolean signalGroup(int signal) {
        if (status != null) {
            return false;
        }
        return sent(C.kill(-pid, signal), "kill(-pid)", signal);
    }

    /**
     * waitid(P_PIDFD, pidfd, WEXITED|WNOHANG); once reaped always returns the recorded status; never
     * reaps twice. Before reaping an exited child, SIGKILLs what is left of its process group: the
     * processes it started itself die with it (while the unreaped child holds the group id, it
     * cannot name anybody else's group). Descendants that left the group are not reached.
     *
     * @throws IllegalStateException if somebody else reaped the child (ECHILD)
     */
    public synchronized Optional<ExitStatus> tryReap() {
        if (status != null) {
            return Optional.of(status);
        }
        if (!waitid(LibC.WEXITED | LibC.WNOHANG | LibC.WNOWAIT)) {
            return Optional.empty(); // still running
        }
        C.kill(-pid, Signals.SIGKILL); // ESRCH when the group is empty: nothing to do
        waitid(LibC.WEXITED | LibC.WNOHANG);
        int code = siginfo.getInt(SI_CODE);
        int value = siginfo.getInt(SI_STATUS);
        status = code == LibC.CLD_EXITED ? new ExitStatus(value & 0xff, 0) : new ExitStatus(0, value);
        return Optional.of(status);
    }

    /** One waitid on this child with {@code options}; whether it reported an exited child. */
    private boolean waitid(int options) {
        siginfo.setMemory(0, SIGINFO_SIZE, (byte) 0);
        int idType = pidfd >= 0 ? LibC.P_PIDFD : LibC.P_PID;
        int id = pidfd >= 0 ? pidfd : pid;
        while (C.waitid(idType, id, siginfo, options) != 0) {
            int errno = Native.errno();
            if (errno != LibC.EINTR) {
                throw new IllegalStateException("waitid(" + this + "): " + Native.strerror(errno));
            }
        }
        return siginfo.getInt(SI_PID) != 0;
    }

    /**
     * poll(pidfd, POLLIN, timeout) then tryReap(); empty if still running after timeoutMillis
     * (-1 waits forever). Polls a private duplicate of the pidfd, so a concurrent close() is safe.
     */
    public Optional<ExitStatus> awaitExit(long timeoutMillis) throws IOException {
        if (timeoutMillis < -1) {
            throw new IllegalArgumentException("timeout " + timeoutMillis + " ms");
        }
        long deadline = System.nanoTime() + Math.min(timeoutMillis, Long.MAX_VALUE / 4_000_000L) * 1_000_000L;
        int watch;
        synchronized (this) {
            Optional<ExitStatus> done = tryReap();
            if (done.isPresent()) {
                return done;
            }
            watch = pidfd >= 0 ? Posix.fcntl(pidfd, LibC.F_DUPFD_CLOEXEC, 0) : openPidfd();
        }
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                int wait = timeoutMillis < 0 ? -1 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
                Posix.poll(watch, Posix.POLLIN, wait);
                Optional<ExitStatus> done = tryReap();
                if (done.isPresent() || (timeoutMillis >= 0 && deadline - System.nanoTime() <= 0)) {
                    return done;
                }
            }
        } finally {
            Posix.close(watch);
        }
    }

    /** The recorded status, if reaped. */
    public synchronized Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(status);
    }

    /** Closes the pidfd; does not kill or reap. Idempotent. */
    @Override
    public synchronized void close() {
        Posix.close(pidfd);
        pidfd = -1;
    }

    String name() {
        return name;
    }

    @Override
    public synchronized String toString() {
        return "ChildProcess[" + name + ", pid " + pid + (status == null ? "" : ", " + status.describe()) + "]";
    }

    /** A fresh pidfd for the unreaped (hence still ours) pid; caller holds the lock. */
    private int openPidfd() throws IOException {
        int fd = C.pidfd_open(pid, 0);
        if (fd < 0) {
            throw new IOException("pidfd_open(pid " + pid + "): " + Native.strerror(Native.errno()));
        }
        return fd;
    }

    private boolean sent(int result, String call, int signal) {
        if (result == 0) {
            return true;
        }
        int errno = Native.errno();
        if (errno == LibC.ESRCH) {
            return false;
        }
        String message = call + "(" + this + ", " + signal + "): " + Native.strerror(errno);
        if (errno == LibC.EINVAL) {
            throw new IllegalArgumentException(message);
        }
        throw new UncheckedIOException(new IOException(message));
    }
}
