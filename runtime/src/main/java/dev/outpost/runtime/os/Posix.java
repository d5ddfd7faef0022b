package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import jnr.ffi.Pointer;

/**
 * libc calls on plain fds. All methods retry on EINTR (except {@link #close}, where Linux forbids
 * it). IOException messages carry strerror text and the call name, e.g. "send(fd 57): Broken pipe".
 *
 * <p>Ownership: the fds returned by {@link #socketPair()} and {@link #pipe()} belong to the caller,
 * who must {@link #close} each exactly once. The other methods only borrow the fd they are given.
 * {@link #recv}, {@link #send} and {@link #read} allocate nothing on the Java heap.
 */
public final class Posix {
    /** The same number on x86-64 and aarch64 (new system calls share one table). */
    private static final long LANDLOCK_CREATE_RULESET = 444;
    public static final int POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10;

    private Posix() {}

    /** socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC): {hostEnd, childEnd}, both close-on-exec. */
    public static int[] socketPair() throws IOException {
        return socketPair(LibC.SOCK_STREAM);
    }

    /** socketpair(AF_UNIX, type|SOCK_CLOEXEC). */
    static int[] socketPair(int type) throws IOException {
        int[] fds = new int[2];
        while (C.socketpair(LibC.AF_UNIX, type | LibC.SOCK_CLOEXEC, 0, fds) != 0) {
            int errno = Native.errno();
            if (errno != LibC.EINTR) {
                throw new IOException("socketpair(AF_UNIX): " + Native.strerror(errno));
            }
        }
        return fds;
    }

    /** pipe2(O_CLOEXEC): {readEnd, writeEnd}. */
    public static int[] pipe() throws IOException {
        int[] fds = new int[2];
        while (C.pipe2(fds, LibC.O_CLOEXEC) != 0) {
            int errno = Native.errno();
            if (errno != LibC.EINTR) {
                throw new IOException("pipe2(O_CLOEXEC): " + Native.strerror(errno));
            }
        }
        return fds;
    }

    public static void setNonBlocking(int fd) throws IOException {
        int flags = fcntl(fd, LibC.F_GETFL, 0);
        if ((flags & LibC.O_NONBLOCK) == 0) {
            fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK);
        }
    }

    /**
     * Plain close(2), never shutdown(2); ignores errors and never throws. Not retried on EINTR: on
     * Linux the fd is released even then, and a retry could close an fd another thread just got.
     * Negative fds are ignored.
     */
    public static void close(int fd) {
        if (fd >= 0) {
            C.close(fd);
        }
    }

    /**
     * recv(fd, MSG_DONTWAIT) into buf[position, limit), no copy: a direct buffer by its address,
     * a heap buffer by pinning its array; advances position. Returns bytes read, 0 at EOF, -1 if
     * it would block. ECONNRESET is treated as EOF (0).
     *
     * @throws IllegalArgumentException if the buffer has no room (0 would be indistinguishable
     *     from EOF) or is neither direct nor over an array
     */
    public static int recv(int fd, ByteBuffer buf) throws IOException {
        requireDirectOrArray(buf);
        long room = room(buf);
        while (true) {
            long n = C.recv(fd, buf, room, LibC.MSG_DONTWAIT);
            if (n >= 0) {
                buf.position(buf.position() + (int) n);
                return (int) n;
            }
            int errno = Native.errno();
            if (errno == LibC.EAGAIN) {
                return -1;
            }
            if (errno == LibC.ECONNRESET) {
                return 0;
            }
            if (errno != LibC.EINTR) {
                throw Native.error("recv", fd, errno);
            }
        }
    }

    /**
     * send(fd, MSG_DONTWAIT|MSG_NOSIGNAL) from buf[position, limit), no copy: a direct buffer by
     * its address, a heap buffer by pinning its array; advances position. Returns bytes written (0
     * if nothing remained), -1 if it would block; IOException on EPIPE etc.
     */
    public static int send(int fd, ByteBuffer buf) throws IOException {
        requireDirectOrArray(buf);
        int remaining = buf.remaining();
        if (remaining == 0) {
            return 0;
        }
        while (true) {
            long n = C.send(fd, buf, remaining, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
            if (n >= 0) {
                buf.position(buf.position() + (int) n);
                return (int) n;
            }
            int errno = Native.errno();
            if (errno == LibC.EAGAIN) {
                return -1;
            }
            if (errno != LibC.EINTR) {
                throw Native.error("send", fd, errno);
            }
        }
    }

    /** read(2) on a (non-blocking) pipe into a direct buffer; same conventions as {@link #recv}. */
    public static int read(int fd, ByteBuffer direct) throws IOException {
        requireDirect(direct);
        long room = room(direct);
        while (true) {
            long n = C.read(fd, direct, room);
            if (n >= 0) {
                direct.position(direct.position() + (int) n);
                return (int) n;
            }
            int errno = Native.errno();
            if (errno == LibC.EAGAIN) {
                return -1;
            }
            if (errno == LibC.ECONNRESET) {
                return 0;
            }
            if (errno != LibC.EINTR) {
                throw Native.error("read", fd, errno);
            }
        }
    }

    /** poll(2) on one fd; returns revents, 0 on timeout. timeoutMillis -1 = forever. */
    public static int poll(int fd, int events, int timeoutMillis) throws IOException {
        if (timeoutMillis < -1) {
            throw new IllegalArgumentException("timeout " + timeoutMillis + " ms");
        }
        Pointer pollfd = Native.allocate(8); // struct pollfd { int fd; short events; short revents; }
        pollfd.putInt(0, fd);
        pollfd.putShort(4, (short) events);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int timeout = timeoutMillis;
        while (true) {
            int n = C.poll(pollfd, 1, timeout);
            if (n >= 0) {
                return n == 0 ? 0 : pollfd.getShort(6) & 0xffff;
            }
            int errno = Native.errno();
            if (errno != LibC.EINTR) {
                throw Native.error("poll", fd, errno);
            }
            timeout = remainingMillis(timeoutMillis, deadline);
        }
    }

    /** this JVM's pid */
    /**
     * shutdown(fd, SHUT_RDWR) on a socket: a thread blocked on it wakes up, the peer reads its end
     * of file; the descriptor stays open. Errors (a socket already shut down) are ignored.
     */
    public static void shutdown(int fd) {
        if (fd >= 0) {
            C.shutdown(fd, LibC.SHUT_RDWR);
        }
    }

    /** A new close-on-exec descriptor for the same open file (fcntl F_DUPFD_CLOEXEC); the caller owns it. */
    public static int duplicate(int fd) throws IOException {
        return fcntl(fd, LibC.F_DUPFD_CLOEXEC, 0);
    }

    /** open(path, O_RDONLY|O_CLOEXEC); the caller owns the descriptor. */
    static int openReadOnly(String path) throws IOException {
        while (true) {
            int fd = C.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
            int errno = Native.errno();
            if (errno != LibC.EINTR) {
                throw new IOException("open(" + path + "): " + Native.strerror(errno));
            }
        }
    }

    public static int getpid() {
        return C.getpid();
    }

    /** The effective uid of this process. */
    public static int geteuid() {
        return C.geteuid();
    }

    /**
     * The kernel's Landlock ABI version, {@code landlock_create_ruleset(NULL, 0,
     * LANDLOCK_CREATE_RULESET_VERSION)}; 0 where Landlock is missing or disabled.
     */
    public static int landlockAbi() {
        long abi = C.syscall(LANDLOCK_CREATE_RULESET, null, 0, 1);
        return abi < 0 ? 0 : (int) abi;
    }

    /** fcntl(fd, cmd, arg), retried on EINTR; throws "fcntl(fd N): ..." on failure. */
    static int fcntl(int fd, int cmd, int arg) throws IOException {
        while (true) {
            int result = C.fcntl(fd, cmd, arg);
            if (result != -1) {
                return result;
            }
            int errno = Native.errno();
            if (errno != LibC.EINTR) {
                throw Native.error("fcntl", fd, errno);
            }
        }
    }

    /** What is left of a timeout after EINTR: -1 stays forever, otherwise never below 0. */
    static int remainingMillis(int timeoutMillis, long deadlineNanos) {
        if (timeoutMillis < 0) {
            return -1;
        }
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }

    private static long room(ByteBuffer buf) {
        if (buf.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int room = buf.remaining();
        if (room == 0) {
            throw new IllegalArgumentException("buffer has no room to read into");
        }
        return room;
    }

    private static void requireDirectOrArray(ByteBuffer buffer) {
        if (!buffer.isDirect() && !buffer.hasArray()) {
            throw new IllegalArgumentException("a direct ByteBuffer or one over a writable array is required");
        }
    }

    private static void requireDirect(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("a direct ByteBuffer is required");
        }
    }
}
