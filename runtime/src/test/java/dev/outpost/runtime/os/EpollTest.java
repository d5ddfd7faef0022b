package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EpollTest {
    private final Children fds = new Children();
    private final ExecutorService waiter = Executors.newSingleThreadExecutor();
    private final long[] keys = new long[8];
    private final int[] events = new int[8];
    private Epoll epoll;
    private int[] pair;

    @BeforeEach
    void open() throws Exception {
        epoll = Epoll.open();
        pair = fds.socketPair();
    }

    @AfterEach
    void closeAll() throws Exception {
        waiter.shutdownNow();
        assertTrue(waiter.awaitTermination(5, TimeUnit.SECONDS), "waiter thread stopped");
        epoll.close();
        fds.close();
    }

    @Test
    void reportsTheKeyAndEventsOfAReadyFd() throws Exception {
        epoll.add(pair[0], Epoll.IN | Epoll.RDHUP, 7L);
        assertEquals(0, epoll.wait(keys, events, 0));
        send(pair[1], 3);
        assertEquals(1, epoll.wait(keys, events, 1_000));
        assertEquals(7L, keys[0]);
        assertEquals(Epoll.IN, events[0]);
    }

    @Test
    void isLevelTriggered() throws Exception {
        epoll.add(pair[0], Epoll.IN, 1L);
        send(pair[1], 1);
        assertEquals(1, epoll.wait(keys, events, 1_000));
        assertEquals(1, epoll.wait(keys, events, 0), "still readable, still reported");
        Posix.recv(pair[0], ByteBuffer.allocateDirect(8));
        assertEquals(0, epoll.wait(keys, events, 0));
    }

    @Test
    void keysMayBeAnyLongButMinValue() throws Exception {
        epoll.add(pair[0], Epoll.OUT, -1L);
        epoll.add(pair[1], Epoll.OUT, Long.MAX_VALUE);
        assertEquals(2, epoll.wait(keys, events, 1_000));
        assertEquals(Long.MAX_VALUE + -1L, keys[0] + keys[1]);
        assertThrows(IllegalArgumentException.class, () -> epoll.add(pair[0], Epoll.IN, Long.MIN_VALUE));
    }

    @Test
    void removedFdIsNoLongerReportedAndRemovingTwiceIsHarmless() throws Exception {
        epoll.add(pair[0], Epoll.IN, 1L);
        send(pair[1], 1);
        epoll.remove(pair[0]);
        epoll.remove(pair[0]);
        epoll.remove(Integer.MAX_VALUE);
        assertEquals(0, epoll.wait(keys, events, 0));
    }

    @Test
    void addingAnFdTwiceFailsNamingTheCall() throws Exception {
        epoll.add(pair[0], Epoll.IN, 1L);
        IOException e = assertThrows(IOException.class, () -> epoll.add(pair[0], Epoll.IN, 2L));
        assertEquals("epoll_ctl(ADD, fd " + pair[0] + "): File exists", e.getMessage());
    }

    @Test
    void peerCloseIsReportedAsRdhup() throws Exception {
        epoll.add(pair[0], Epoll.IN | Epoll.RDHUP, 5L);
        fds.closeNow(pair[1]);
        assertEquals(1, epoll.wait(keys, events, 1_000));
        assertTrue((events[0] & Epoll.RDHUP) != 0, "events " + Integer.toHexString(events[0]));
        assertTrue((events[0] & Epoll.HUP) != 0, "events " + Integer.toHexString(events[0]));
    }

    @Test
    void wakeupFromAnotherThreadEndsAnEndlessWaitWithoutReportingItself() throws Exception {
        epoll.add(pair[0], Epoll.IN, 1L);
        Future<Integer> waiting = waiter.submit(() -> epoll.wait(keys, events, -1));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> waiting.get(50, TimeUnit.MILLISECONDS));
        epoll.wakeup();
        assertEquals(0, waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void wakeupBeforeWaitMakesTheNextWaitReturnAndIsConsumed() throws Exception {
        epoll.wakeup();
        epoll.wakeup();
        assertEquals(0, epoll.wait(keys, events, 5_000));
        long start = System.nanoTime();
        assertEquals(0, epoll.wait(keys, events, 30));
        assertTrue(System.nanoTime() - start >= 25_000_000L, "the second wait timed out: wakeups were consumed");
    }

    @Test
    void closeDuringAWaitWakesItAndLaterWaitsFail() throws Exception {
        Future<Integer> waiting = waiter.submit(() -> epoll.wait(keys, events, -1));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> waiting.get(20, TimeUnit.MILLISECONDS));
        epoll.close();
        assertEquals(0, waiting.get(5, TimeUnit.SECONDS));
        epoll.close();
        assertThrows(IOException.class, () -> epoll.wait(keys, events, 0));
        assertThrows(IOException.class, () -> epoll.add(pair[0], Epoll.IN, 1L));
        epoll.remove(pair[0]);
        epoll.wakeup();
    }

    @Test
    void reportsNoMoreEventsThanTheArraysHold() throws Exception {
        epoll.add(pair[0], Epoll.OUT, 1L);
        epoll.add(pair[1], Epoll.OUT, 2L);
        assertEquals(1, epoll.wait(new long[1], new int[8], 0));
        assertThrows(IllegalArgumentException.class, () -> epoll.wait(new long[0], new int[0], 0));
    }

    @Test
    void waitAllocatesNothingOnTheHeap() throws Exception {
        epoll.add(pair[0], Epoll.IN, 1L);
        send(pair[1], 1);
        Runnable waits = () -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    epoll.wait(keys, events, 0);
                    if (i % 100 == 0) {
                        epoll.wakeup();
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        waits.run();
        long allocated = PosixTest.allocatedBytes(waits);
        assertTrue(allocated < 20_000, allocated + " bytes for 20,000 waits");
    }

    private static void send(int fd, int bytes) throws IOException {
        assertEquals(bytes, Posix.send(fd, ByteBuffer.allocateDirect(bytes)));
    }
}
