package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import jnr.ffi.Pointer;

/**
 * The executable bytes a plugin runs, held so that what was read is exactly what runs: a sealed
 * memfd that nobody can change, or (only where memfd_create does not exist) a read-only file in a
 * private 0700 directory, held open. A spawn executes the descriptor itself ({@link #execFd()},
 * {@code execveat(fd, "", AT_EMPTY_PATH)}): no path is looked up that another process could
 * replace, and no file is left behind if the host dies. The kernel names such a process
 * {@code memfd:NAME} ({@code /proc/PID/comm}, what {@code ps -e} and {@code top} show); its argv[0]
 * ({@code ps -f}) is the spawner's to choose.
 *
 * <p>Ownership: the image owns its memfd (or its temporary file, directory and descriptor) and
 * releases it in {@link #close()}. A sealed memfd can be spawned any number of times while the
 * image is open; children already running are not affected by close().
 */
public final class ExecutableImage implements AutoCloseable {
    private static final int SEALS = LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE | LibC.F_SEAL_SEAL;
    private static final int MAX_MEMFD_NAME = 249; // bytes, without the NUL (memfd_create(2))
    /** {@link #hasContent} reads the memfd into one buffer, reused (a fresh one's page faults cost more than the read). */
    private static final int COMPARE_CHUNK = 64 * 1024;
    private static ByteBuffer compareBuffer; // guarded by ExecutableImage.class

    private final String name;
    private final int size;
    private final int memfd;     // -1 for a file image
    private final Path file;     // the file of a file image; null for a memfd image
    private final int fd;        // what a spawn executes: the memfd, or the file opened read-only
    private final String execPath;
    private final String sha256; // of the bytes sealed in, lower-case hex
    private boolean closed;      // guarded by this

    private ExecutableImage(String name, int size, int memfd, Path file, int fd, String sha256) {
        this.sha256 = sha256;
        this.name = name;
        this.size = size;
        this.memfd = memfd;
        this.file = file;
        this.fd = fd;
        this.execPath = "/proc/" + Posix.getpid() + "/fd/" + fd;
    }

    /**
     * memfd_create(name, MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC) (retried without MFD_EXEC on
     * EINVAL), writes all bytes, fchmod 0555 (a confined plugin runs as another uid, which must be
     * able to execute it; nobody can write to it once sealed, and only a process that may ptrace
     * this JVM can open it through {@code /proc}), seals with F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE|
     * F_SEAL_SEAL. Only if memfd_create fails with ENOSYS: falls back to a file of mode 0500 in a
     * private 0700 directory made by Files.createTempDirectory; close() deletes both.
     */
    public static ExecutableImage load(String name, byte[] bytes) throws IOException {
        return load(name, bytes, true);
    }

    /** {@code useMemfd == false} takes the ENOSYS fallback; for tests. */
    static ExecutableImage load(String name, byte[] bytes, boolean useMemfd) throws IOException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0 || name.indexOf('/') >= 0
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_MEMFD_NAME) {
            throw new IllegalArgumentException("bad image name '" + name + "'");
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("image " + name + " is empty");
        }
        int memfd = useMemfd ? memfdCreate(name) : -LibC.ENOSYS;
        if (memfd == -LibC.ENOSYS) {
            return loadFile(name, bytes);
        }
        try {
            writeAll(memfd, bytes);
            if (C.fchmod(memfd, 0555) != 0) {
                throw Native.error("fchmod", memfd, Native.errno());
            }
            Posix.fcntl(memfd, LibC.F_ADD_SEALS, SEALS);
        } catch (IOException | RuntimeException e) {
            Posix.close(memfd);
            throw e;
        }
        return new ExecutableImage(name, bytes.length, memfd, null, memfd, sha256(bytes));
    }

    /**
     * The descriptor a spawn executes ({@code execveat(fd, "", AT_EMPTY_PATH)}); still this image's.
     *
     * @throws IllegalStateException once closed
     */
    public synchronized int execFd() {
        if (closed) {
            throw new IllegalStateException("executable image " + name + " is closed");
        }
        return fd;
    }

    /**
     * A path to the same file for {@code posix_spawn}, which takes no descriptor:
     * {@code /proc/HOSTPID/fd/N}, resolved by the kernel to this image's descriptor while it is open
     * (not /proc/self: the child closes fds 4 and up before exec). Only the fallback spawner uses it.
     *
     * @throws IllegalStateException once closed
     */
    public synchronized String execPath() {
        if (closed) {
            throw new IllegalStateException("executable image " + name + " is closed");
        }
        return execPath;
    }

    /**
     * Whether the image holds exactly these bytes, read back from its sealed memfd (or its file):
     * what runs, not what was meant to.
     *
     * @throws IOException when the image cannot be read
     * @throws IllegalStateException once closed
     */
    public synchronized boolean hasContent(byte[] bytes) throws IOException {
        if (closed) {
            throw new IllegalStateException("executable image " + name + " is closed");
        }
        if (bytes.length != size) {
            return false;
        }
        if (memfd < 0) {
            return Arrays.equals(Files.readAllBytes(file), bytes);
        }
        synchronized (ExecutableImage.class) {
            ByteBuffer chunk = compareBuffer == null ? compareBuffer = ByteBuffer.allocateDirect(COMPARE_CHUNK) : compareBuffer;
            for (int at = 0; at < size; ) {
                chunk.clear().limit(Math.min(COMPARE_CHUNK, size - at));
                long n = C.pread(memfd, chunk, chunk.remaining(), at);
                if (n < 0 && Native.errno() != LibC.EINTR) {
                    throw Native.error("pread", memfd, Native.errno());
                }
                if (n == 0) {
                    return false; // cannot happen to a sealed memfd of this size
                }
                if (n > 0) {
                    chunk.limit((int) n);
                    if (chunk.mismatch(ByteBuffer.wrap(bytes, at, (int) n)) >= 0) {
                        return false;
                    }
                    at += (int) n;
                }
            }
            return true;
        }
    }

    public boolean inMemory() {
        return memfd >= 0;
    }

    /**
     * The SHA-256 of the bytes this image was loaded with, lower-case hex: those that a spawn
     * executes, since nothing can change them once sealed.
     */
    public String sha256() {
        return sha256;
    }

    /** The SHA-256 of {@code bytes}, lower-case hex. */
    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public int size() {
        return size;
    }

    /** Closes the memfd, or the file's descriptor and deletes the file and its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Posix.close(fd);
        if (file != null) {
            deleteQuietly(file);
            deleteQuietly(file.getParent());
        }
    }

    String name() {
        return name;
    }

    /** The memfd, or -1 for a file image. */
    int memfd() {
        return memfd;
    }

    @Override
    public String toString() {
        return "ExecutableImage[" + name + ", " + size + " bytes, " + (inMemory() ? "memfd " + memfd : file) + "]";
    }

    /** The new fd, or -ENOSYS when the kernel has no memfd_create. */
    private static int memfdCreate(String name) throws IOException {
        int flags = LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING | LibC.MFD_EXEC;
        while (true) {
            int fd = C.memfd_create(name, flags);
            if (fd >= 0) {
                return fd;
            }
            int errno = Native.errno();
            if (errno == LibC.EINVAL && (flags & LibC.MFD_EXEC) != 0) {
                flags &= ~LibC.MFD_EXEC; // kernels before 6.3 do not know MFD_EXEC
            } else if (errno == LibC.ENOSYS) {
                return -LibC.ENOSYS;
            } else if (errno != LibC.EINTR) {
                throw new IOException("memfd_create(" + name + "): " + Native.strerror(errno));
            }
        }
    }

    private static void writeAll(int fd, byte[] bytes) throws IOException {
        Pointer data = Native.allocate(bytes.length);
        data.put(0, bytes, 0, bytes.length);
        long written = 0;
        while (written < bytes.length) {
            long n = C.write(fd, data.slice(written), bytes.length - written);
            if (n < 0) {
                int errno = Native.errno();
                if (errno != LibC.EINTR) {
                    throw Native.error("write", fd, errno);
                }
            } else {
                written += n;
            }
        }
    }

    private static ExecutableImage loadFile(String name, byte[] bytes) throws IOException {
        Path dir = Files.createTempDirectory("outpost-exec-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve(name);
        try {
            Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
            int fd = Posix.openReadOnly(file.toString());
            return new ExecutableImage(name, bytes.length, -1, file, fd, sha256(bytes));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            deleteQuietly(dir);
            throw e;
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort: a leftover in the temp directory is harmless, and close() must not throw
        }
    }
}
