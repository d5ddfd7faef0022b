package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * Spawns plugins through {@code outpost-spawner}, a small C process (a resource next to this class)
 * that this JVM starts once and talks to over a private SOCK_SEQPACKET socketpair. A spawn from
 * the JVM copies its whole descriptor table into the child and closes it there again (five
 * thousand descriptors with a thousand plugins, most of a plugin start's cost); a spawn from that
 * process copies five.
 *
 * <p>Each plugin is made with CLONE_PARENT: it is <em>this JVM's</em> child, as from
 * {@link PosixSpawner}, with the same fds, signal state, process group and environment, and its
 * pidfd comes back over the socket. Each also gets PR_SET_PDEATHSIG(SIGKILL), like the spawner
 * process itself: both die when the thread that started the spawner process ends. That thread is
 * the one of the first {@link #spawn}; call it only from a thread that lives as long as the
 * children (the runtime's spawn thread).
 *
 * <p>Ownership: this object owns the spawner process (a child of this JVM), its socket and its
 * pid until {@link #close()}, which closes the socket, so that the process exits, and reaps it.
 * If the spawner process dies, the next spawn reaps it and starts another; children already
 * spawned are not affected. The returned {@link ChildProcess} is the caller's, as the
 * {@link Spawner} contract says. Thread-safe (spawns are serialized).
 */
public final class SpawnServer implements Spawner, AutoCloseable {
    static final String PROGRAM = "outpost-spawner";
    /** The spawner's buffer; what a request may take (path, argv and environment). */
    static final int MAX_REQUEST = 128 * 1024;
    private static final int MAGIC = 0x4f505333; // "OPS3", as in outpost-spawner.c
    /** Request flags: a struct confine_spec follows the head; a pid namespace of its own. */
    private static final int CONFINED = 0x1, NEW_PID_NAMESPACE = 0x2;
    private static final int HEAD = 24, REPLY = 40, STEP_OFFSET = 8, STEP_SIZE = 24, MISSING_OFFSET = 32;
    private static final int REPLY_TIMEOUT_MS = 10_000, EXIT_WAIT_MS = 2_000;
    // struct msghdr, struct iovec and struct cmsghdr on 64-bit Linux (the same on x86-64 and aarch64; see Arch)
    private static final int MSGHDR = 56, MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40,
        MSG_FLAGS = 48, IOVEC = 16, CMSG_HEAD = 16, CONTROL = 64;

    private final byte[] program;
    private final Pointer msghdr = Native.allocate(MSGHDR);
    private final Pointer iovec = Native.allocate(IOVEC);
    private final Pointer control = Native.allocate(CONTROL);
    private final Pointer data = Native.allocate(MAX_REQUEST);
    private ChildProcess process;  // guarded by this; null while none runs
    private int socket = -1;       // guarded by this; the host's end, while process != null
    private boolean closed;        // guarded by this

    private SpawnServer(byte[] program) {
        this.program = program;
    }

    /**
     * Reads the spawner program; its process starts with the first spawn.
     *
     * @throws IOException when the resource is missing from the runtime
     */
    public static SpawnServer load() throws IOException {
        try (var in = SpawnServer.class.getResourceAsStream(PROGRAM)) {
            if (in == null) {
                throw new IOException("resource " + PROGRAM + " is missing from the runtime");
            }
            return new SpawnServer(in.readAllBytes());
        }
    }

    /**
     * @throws SpawnException naming the plugin and the step that failed (with its errno), or the
     *     reason the spawner process could not take the request; nothing is left running then
     * @throws IllegalStateException once closed, or when the request's image is closed
     */
    @Override
    public synchronized ChildProcess spawn(SpawnRequest request) throws SpawnException {
        if (closed) {
            throw new IllegalStateException(PROGRAM + " is closed");
        }
        String name = request.processName();
        int length = encode(request, name);
        int[] fds = {request.stdoutFd(), request.stderrFd(), request.channelFd(), request.image().execFd()};
        for (int attempt = 1; ; attempt++) {
            startIfNeeded(name);
            if (send(length, fds)) {
                return receive(name);
            }
            // it had died: nothing of this request reached it, so another one may take it
            String exit = stopProcess();
            if (attempt == 2) {
                throw new SpawnException("spawn of " + name + " failed: " + PROGRAM + " " + exit);
            }
        }
    }

    /** Pid of the spawner process, or -1 while none runs; for tests and diagnostics. */
    public synchronized int pid() {
        return process == null ? -1 : process.pid();
    }

    /** Closes the socket and reaps the spawner process (killing it after 2 s). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        stopProcess();
    }

    /** Writes the request into {@link #data}; returns its length. */
    private int encode(SpawnRequest request, String name) throws SpawnException {
        List<String> strings = new ArrayList<>();
        strings.add(request.workingDirectory() == null ? "" : request.workingDirectory().toString());
        strings.addAll(request.argv());
        for (Map.Entry<String, String> e : request.environment().entrySet()) {
            strings.add(e.getKey() + "=" + e.getValue());
        }
        Confinement confinement = request.confinement();
        byte[] spec = confinement == null ? new byte[0] : confinement.encode();
        int flags = confinement == null ? 0 : CONFINED | (confinement.pidNamespace() ? NEW_PID_NAMESPACE : 0);
        int length = HEAD + spec.length;
        List<byte[]> encoded = new ArrayList<>(strings.size());
        for (String s : strings) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            encoded.add(bytes);
            length += bytes.length + 1;
        }
        if (length > MAX_REQUEST) {
            throw new SpawnException("spawn of " + name + " failed: its path, arguments and environment take "
                    + length + " bytes, more than the " + MAX_REQUEST + " that " + PROGRAM + " takes");
        }
        ByteBuffer head = ByteBuffer.allocate(HEAD).order(ByteOrder.nativeOrder());
        head.putInt(MAGIC).putInt(request.argv().size()).putInt(request.environment().size())
                .putInt(length - HEAD - spec.length).putInt(flags).putInt(0);
        data.put(0, head.array(), 0, HEAD);
        data.put(HEAD, spec, 0, spec.length);
        long at = HEAD + spec.length;
        for (byte[] bytes : encoded) {
            data.put(at, bytes, 0, bytes.length);
            data.putByte(at + bytes.length, (byte) 0);
            at += bytes.length + 1;
        }
        return length;
    }

    /** Sends the request with the child's fds; false when the spawner process is gone. */
    private boolean send(int length, int[] fds) throws SpawnException {
        int controlLength = CMSG_HEAD + 4 * fds.length;
        control.setMemory(0, CONTROL, (byte) 0);
        control.putLong(0, controlLength);
        control.putInt(8, LibC.SOL_SOCKET);
        control.putInt(12, LibC.SCM_RIGHTS);
        for (int i = 0; i < fds.length; i++) {
            control.putInt(CMSG_HEAD + 4L * i, fds[i]);
        }
        message(length, align8(controlLength));
        while (C.sendmsg(socket, msghdr, LibC.MSG_NOSIGNAL) < 0) {
            int errno = Native.errno();
            if (errno == LibC.EPIPE || errno == LibC.ECONNRESET || errno == LibC.ECONNREFUSED || errno == LibC.ENOTCONN) {
                return false;
            }
            if (errno != LibC.EINTR) {
                throw new SpawnException("sendmsg to " + PROGRAM + " failed: " + Native.strerror(errno));
            }
        }
        return true;
    }

    /** Reads the reply to the request just sent: the child, or why there is none. */
    private ChildProcess receive(String name) throws SpawnException {
        long n;
        try {
            if ((Posix.poll(socket, Posix.POLLIN, REPLY_TIMEOUT_MS) & (Posix.POLLIN | Posix.POLLHUP)) == 0) {
                // If it made the child before it stalled, that child is ours, unknown and unreaped;
                // a stall of seconds in a program that only forks means it was stopped or is broken.
                stopProcess();
                throw new SpawnException("spawn of " + name + " failed: " + PROGRAM + " did not answer within "
                        + REPLY_TIMEOUT_MS + " ms, and was killed");
            }
            control.setMemory(0, CONTROL, (byte) 0);
            message(REPLY, CONTROL);
            while ((n = C.recvmsg(socket, msghdr, LibC.MSG_CMSG_CLOEXEC)) < 0 && Native.errno() == LibC.EINTR) {
                // retry
            }
        } catch (IOException e) {
            throw new SpawnException("spawn of " + name + " failed: " + e.getMessage(), e);
        }
        if (n <= 0) {
            String exit = n == 0 ? stopProcess() : "recvmsg: " + Native.strerror(Native.errno());
            throw new SpawnException("spawn of " + name + " failed: " + PROGRAM + " " + exit + " before it answered");
        }
        int pidfd = receivedFd();
        int pid = data.getInt(0), error = data.getInt(4);
        if (n != REPLY || (msghdr.getInt(MSG_FLAGS) & (LibC.MSG_TRUNC | LibC.MSG_CTRUNC)) != 0
                || (pid > 0 && pidfd < 0)) {
            if (pid > 0) {
                reap(pid, pidfd);
            }
            stopProcess();
            throw new SpawnException("spawn of " + name + " failed: malformed reply from " + PROGRAM
                    + " (" + n + " bytes)");
        }
        if (pid <= 0 || error != 0) {
            if (pid > 0) {
                reap(pid, pidfd); // it exited with 127 after the step below failed
            }
            throw new SpawnException("spawn of " + name + " failed: " + step() + ": " + Native.strerror(error));
        }
        return new ChildProcess(pid, pidfd, name, data.getInt(MISSING_OFFSET));
    }

    private void message(int dataLength, int controlLength) {
        iovec.putAddress(0, data.address());
        iovec.putLong(8, dataLength);
        msghdr.setMemory(0, MSGHDR, (byte) 0);
        msghdr.putAddress(MSG_IOV, iovec.address());
        msghdr.putLong(MSG_IOVLEN, 1);
        msghdr.putAddress(MSG_CONTROL, control.address());
        msghdr.putLong(MSG_CONTROLLEN, controlLength);
    }

    /** The descriptor in the reply's SCM_RIGHTS, or -1. */
    private int receivedFd() {
        if (msghdr.getLong(MSG_CONTROLLEN) < CMSG_HEAD + 4 || control.getInt(8) != LibC.SOL_SOCKET
                || control.getInt(12) != LibC.SCM_RIGHTS) {
            return -1;
        }
        return control.getInt(CMSG_HEAD);
    }

    private String step() {
        byte[] bytes = new byte[STEP_SIZE];
        data.get(STEP_OFFSET, bytes, 0, bytes.length);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** Reaps a child that the spawner made but that will not be handed out; it is ours. */
    private static void reap(int pid, int pidfd) {
        try (ChildProcess child = new ChildProcess(pid, pidfd >= 0 ? pidfd : -1, "spawned")) {
            child.signal(Signals.SIGKILL);
            child.awaitExit(EXIT_WAIT_MS);
        } catch (IOException | RuntimeException ignored) {
            // the pid stays a zombie; nothing else can be done with it
        }
    }

    private void startIfNeeded(String name) throws SpawnException {
        if (process != null) {
            return;
        }
        int[] pair;
        try {
            pair = Posix.socketPair(LibC.SOCK_SEQPACKET);
        } catch (IOException e) {
            throw new SpawnException("spawn of " + name + " failed: cannot start " + PROGRAM + ": " + e.getMessage(), e);
        }
        try (ExecutableImage image = ExecutableImage.load(PROGRAM, program)) {
            process = new PosixSpawner().spawn(new SpawnRequest(image,
                    List.of(PROGRAM, Integer.toString(Posix.getpid())), Map.of(), pair[1], 2, 2));
            socket = pair[0];
        } catch (IOException e) {
            Posix.close(pair[0]);
            throw new SpawnException("spawn of " + name + " failed: cannot start " + PROGRAM + ": " + e.getMessage(), e);
        } finally {
            Posix.close(pair[1]);
        }
    }

    /** Closes the socket and reaps the process, if any; returns how it ended. */
    private String stopProcess() {
        if (process == null) {
            return "was not running";
        }
        Posix.close(socket);
        socket = -1;
        ChildProcess p = process;
        process = null;
        try {
            var status = p.awaitExit(EXIT_WAIT_MS);
            if (status.isEmpty()) {
                p.signal(Signals.SIGKILL);
                status = p.awaitExit(EXIT_WAIT_MS);
            }
            return status.map(ExitStatus::describe).orElse("could not be reaped");
        } catch (IOException e) {
            return "could not be reaped: " + e.getMessage();
        } finally {
            p.close();
        }
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
