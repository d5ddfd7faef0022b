package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PosixTest {
    private final Children fds = new Children();

    @AfterEach
    void closeEveryFd() throws Exception {
        fds.close();
    }

    @Test
    void socketPairAndPipeEndsAreCloseOnExec() throws Exception {
        int[] pair = fds.socketPair();
        int[] pipe = fds.pipe();
        for (int fd : new int[] {pair[0], pair[1], pipe[0], pipe[1]}) {
            assertEquals(1, Posix.fcntl(fd, LibC.F_GETFD, 0) & 1, "FD_CLOEXEC on fd " + fd);
        }
        assertTrue(Procfs.link("/proc/self/fd/" + pair[0]).startsWith("socket:["));
        assertTrue(Procfs.link("/proc/self/fd/" + pipe[0]).startsWith("pipe:["));
    }

    @Test
    void sendAndRecvMoveBytesAndPositions() throws Exception {
        int[] pair = fds.socketPair();
        ByteBuffer out = ByteBuffer.allocateDirect(32);
        out.put("xxhello".getBytes(StandardCharsets.US_ASCII)).flip().position(2);
        assertEquals(5, Posix.send(pair[0], out));
        assertEquals(7, out.position());

        ByteBuffer in = ByteBuffer.allocateDirect(32);
        in.position(3);
        assertEquals(5, Posix.recv(pair[1], in));
        assertEquals(8, in.position());
        byte[] got = new byte[5];
        in.flip().position(3);
        in.get(got);
        assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
    }

    @Test
    void sendAndRecvWorkStraightOnSlicesOfJavaArrays() throws Exception {
        int[] pair = fds.socketPair();
        byte[] source = "--hello, array--".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.wrap(source, 2, 12);
        assertEquals(12, Posix.send(pair[0], out));
        assertEquals(14, out.position());

        byte[] target = new byte[20];
        ByteBuffer in = ByteBuffer.wrap(target, 5, 15).slice(); // an array offset as well as a position
        in.position(1);
        assertEquals(12, Posix.recv(pair[1], in));
        assertEquals(13, in.position());
        assertEquals("hello, array", new String(target, 6, 12, StandardCharsets.US_ASCII));
        assertEquals(0, target[5], "nothing written before the position");
        assertEquals(0, target[18], "nothing written after what was read");
    }

    @Test
    void recvReturnsMinusOneWhenItWouldBlockAndZeroAtEof() throws Exception {
        int[] pair = fds.socketPair();
        ByteBuffer in = ByteBuffer.allocateDirect(16);
        assertEquals(-1, Posix.recv(pair[0], in));
        fds.closeNow(pair[1]);
        assertEquals(0, Posix.recv(pair[0], in));
        assertEquals(0, in.position());
    }

    @Test
    void sendReturnsMinusOneWhenTheSocketIsFull() throws Exception {
        int[] pair = fds.socketPair();
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        long total = 0;
        int n;
        while ((n = Posix.send(pair[0], out.clear())) > 0) {
            total += n;
            assertTrue(total < 64L * 1024 * 1024, "the socket never filled up");
        }
        assertEquals(-1, n);
        assertTrue(total > 0);
    }

    @Test
    void sendToAClosedPeerThrowsNamingTheCall() throws Exception {
        int[] pair = fds.socketPair();
        fds.closeNow(pair[1]);
        ByteBuffer out = ByteBuffer.allocateDirect(8).put(new byte[8]).flip();
        IOException e = assertThrows(IOException.class, () -> Posix.send(pair[0], out));
        assertEquals("send(fd " + pair[0] + "): Broken pipe", e.getMessage());
    }

    @Test
    void recvTreatsAConnectionResetAsEof() throws Exception {
        int[] pair = fds.socketPair();
        Posix.send(pair[0], ByteBuffer.allocateDirect(8).put(new byte[8]).flip());
        Posix.send(pair[1], ByteBuffer.allocateDirect(8).put(new byte[8]).flip());
        fds.closeNow(pair[1]); // closed with unread data: after the data, recv(2) fails with ECONNRESET
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        assertEquals(8, Posix.recv(pair[0], in));
        assertEquals(0, Posix.recv(pair[0], in));
        assertEquals(0, Posix.recv(pair[0], in));
    }

    @Test
    void readOnANonBlockingPipeFollowsTheRecvConventions() throws Exception {
        int[] pipe = fds.pipe();
        Posix.setNonBlocking(pipe[0]);
        Posix.setNonBlocking(pipe[0]); // idempotent
        assertEquals(LibC.O_NONBLOCK, Posix.fcntl(pipe[0], LibC.F_GETFL, 0) & LibC.O_NONBLOCK);
        ByteBuffer in = ByteBuffer.allocateDirect(16);
        assertEquals(-1, Posix.read(pipe[0], in));
        Native.C.write(pipe[1], Native.allocate(3), 3);
        assertEquals(3, Posix.read(pipe[0], in));
        fds.closeNow(pipe[1]);
        assertEquals(0, Posix.read(pipe[0], in));
    }

    @Test
    void pollReportsReadinessAndTimesOut() throws Exception {
        int[] pair = fds.socketPair();
        assertEquals(0, Posix.poll(pair[0], Posix.POLLIN, 10));
        assertEquals(Posix.POLLOUT, Posix.poll(pair[0], Posix.POLLOUT, 0));
        Posix.send(pair[1], ByteBuffer.allocateDirect(1).put((byte) 1).flip());
        assertEquals(Posix.POLLIN, Posix.poll(pair[0], Posix.POLLIN, -1));
        fds.closeNow(pair[1]);
        assertTrue((Posix.poll(pair[0], Posix.POLLIN, 0) & Posix.POLLHUP) != 0);
    }

    @Test
    void errorsCarryTheCallAndStrerrorText() throws Exception {
        int[] pair = fds.socketPair();
        fds.closeNow(pair[1]);
        IOException e = assertThrows(IOException.class, () -> Posix.setNonBlocking(pair[1]));
        assertEquals("fcntl(fd " + pair[1] + "): Bad file descriptor", e.getMessage());
        e = assertThrows(IOException.class, () -> Posix.recv(pair[1], ByteBuffer.allocateDirect(1)));
        assertEquals("recv(fd " + pair[1] + "): Bad file descriptor", e.getMessage());
    }

    @Test
    void misuseIsRefusedAtTheDoor() throws Exception {
        int[] pair = fds.socketPair();
        assertThrows(IllegalArgumentException.class, () -> Posix.send(pair[0], ByteBuffer.allocate(8).asReadOnlyBuffer()));
        assertThrows(IllegalArgumentException.class, () -> Posix.read(pair[0], ByteBuffer.allocate(8)));
        assertThrows(IllegalArgumentException.class, () -> Posix.recv(pair[0], ByteBuffer.allocateDirect(8).position(8)));
        assertThrows(ReadOnlyBufferException.class, () -> Posix.recv(pair[0], ByteBuffer.allocateDirect(8).asReadOnlyBuffer()));
        assertEquals(0, Posix.send(pair[0], ByteBuffer.allocateDirect(8).position(8)));
    }

    @Test
    void closeNeverThrows() {
        Posix.close(-1);
        Posix.close(Integer.MAX_VALUE);
    }

    @Test
    void getpidIsThisJvm() {
        assertEquals(ProcessHandle.current().pid(), Posix.getpid());
    }

    @Test
    void sendAndRecvAllocateNothingOnTheHeap() throws Exception {
        int[] pair = fds.socketPair();
        ByteBuffer out = ByteBuffer.allocateDirect(64), in = ByteBuffer.allocateDirect(64);
        Runnable roundTrips = () -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    Posix.send(pair[0], out.clear());
                    Posix.recv(pair[1], in.clear());
                    Posix.recv(pair[1], in.clear()); // would block: -1
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        roundTrips.run(); // warm up: JIT, jnr stubs
        long allocated = allocatedBytes(roundTrips);
        assertTrue(allocated < 20_000, allocated + " bytes for 60,000 calls");
    }

    /** Bytes this thread allocated while running the task. */
    static long allocatedBytes(Runnable task) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        task.run();
        return threads.getThreadAllocatedBytes(tid) - before;
    }
}
