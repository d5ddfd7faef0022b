package dev.outpost.runtime.os;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The glibc functions the host calls, bound by jnr-ffi (see {@link Native#C} for the one loaded
 * instance), and the Linux x86-64 constants they take. Every function saves errno; read it with
 * {@link Native#errno()} right after the call.
 */
final class LibC {
    private LibC() {}

    // errno
    static final int ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11, EINVAL = 22,
        EPIPE = 32, ENOSYS = 38, ECONNRESET = 104, ENOTCONN = 107, ECONNREFUSED = 111;

    // sockets, pipes, fcntl
    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    static final int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20,
        MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SHUT_RDWR = 2;
    static final int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    static final int F_GETFD = 1, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030, F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    static final int F_SEAL_SEAL = 0x1, F_SEAL_SHRINK = 0x2, F_SEAL_GROW = 0x4, F_SEAL_WRITE = 0x8;

    // epoll, eventfd, memfd
    static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    static final int MFD_CLOEXEC = 0x1, MFD_ALLOW_SEALING = 0x2, MFD_EXEC = 0x10;

    // posix_spawn, waitid
    static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    static final int P_PID = 1, P_PIDFD = 3, WNOHANG = 0x1, WEXITED = 0x4, WNOWAIT = 0x01000000;
    static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    /**
     * Public only because jnr-ffi implements it in its own class loader; the enclosing class keeps
     * it out of reach of other packages.
     */
    public interface Functions {
        int socketpair(int domain, int type, int protocol, @Out int[] fds);
        int pipe2(@Out int[] fds, int flags);
        @Variadic(fixedCount = 2)
        int fcntl(int fd, int cmd, int arg);
        int close(int fd);
        int open(String path, int flags);
        int shutdown(int fd, int how);
        int fchmod(int fd, int mode);
        int getpid();
        int geteuid();
        long syscall(long number, Pointer a, long b, int c);

        /**
         * Direct buffers are passed as address + position, without copying; heap buffers are
         * pinned (JNI critical), so the kernel copies straight from or into the Java array.
         */
        @ssize_t long recv(int fd, @Pinned @Out ByteBuffer buf, @size_t long len, int flags);
        @ssize_t long send(int fd, @Pinned @In ByteBuffer buf, @size_t long len, int flags);
        @ssize_t long sendmsg(int fd, Pointer msghdr, int flags);
        @ssize_t long recvmsg(int fd, Pointer msghdr, int flags);
        @ssize_t long read(int fd, ByteBuffer buf, @size_t long len);
        @ssize_t long read(int fd, Pointer buf, @size_t long len);
        @ssize_t long pread(int fd, @Out ByteBuffer buf, @size_t long len, long offset);
        @ssize_t long write(int fd, Pointer buf, @size_t long len);
        int poll(Pointer fds, @size_t long nfds, int timeout);

        int epoll_create1(int flags);
        int epoll_ctl(int epfd, int op, int fd, Pointer event);
        int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);
        int eventfd(int initval, int flags);
        int memfd_create(String name, int flags);

        int posix_spawn_file_actions_init(Pointer actions);
        int posix_spawn_file_actions_destroy(Pointer actions);
        int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int oflag, int mode);
        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);
        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);
        int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);
        int posix_spawnattr_init(Pointer attr);
        int posix_spawnattr_destroy(Pointer attr);
        int posix_spawnattr_setflags(Pointer attr, short flags);
        int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);
        int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);
        int posix_spawnattr_setpgroup(Pointer attr, int pgroup);
        int sigemptyset(Pointer sigset);
        /** Returns an error number (not -1/errno). */
        int posix_spawn(@Out int[] pid, String path, Pointer actions, Pointer attr, Pointer argv, Pointer envp);

        int pidfd_open(int pid, int flags);
        int pidfd_send_signal(int pidfd, int sig, Pointer info, int flags);
        int kill(int pid, int sig);
        int waitid(int idtype, int id, Pointer info, int options);

        /** Thread-safe, untranslated; NULL for an unknown number. */
        String strerrordesc_np(int errnum);
    }
}
