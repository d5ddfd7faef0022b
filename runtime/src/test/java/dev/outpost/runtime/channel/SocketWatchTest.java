package dev.outpost.runtime.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.os.Posix;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketWatchTest {
    private Reactor reactor;
    private int[] pair;
    private final Semaphore wakeUps = new Semaphore(0);
    private final AtomicInteger failures = new AtomicInteger();
    private SocketWatch watch;

    @BeforeEach
    void start() throws Exception {
        reactor = new Reactor("watch-test");
        pair = Posix.socketPair();
        Posix.setNonBlocking(pair[0]);
        watch = new SocketWatch(pair[0], reactor, events -> {
            drain();
            wakeUps.release();
        }, failures::incrementAndGet);
    }

    @AfterEach
    void stop() {
        watch.close();
        reactor.close();
        Posix.close(pair[0]);
        Posix.close(pair[1]);
    }

    private void drain() {
        try {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            while (Posix.recv(pair[0], b.clear()) > 0) {
                // what was written is of no interest, only who was woken
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void write() throws Exception {
        assertEquals(1, Posix.send(pair[1], ByteBuffer.allocateDirect(1).put((byte) 1).flip()));
    }

    @Test
    void claimedSocketDoesNotWakeTheReactorUntilItIsGivenBack() throws Exception {
        write();
        assertTrue(wakeUps.tryAcquire(5, TimeUnit.SECONDS), "the reactor watches at first");
        SocketWatch.Claim claim = watch.claim();
        assertNotNull(claim);
        assertTrue(watch.isClaimed());
        assertNull(watch.claim(), "one caller at a time");
        write();
        assertFalse(wakeUps.tryAcquire(100, TimeUnit.MILLISECONDS), "the reactor does not read a claimed socket");
        claim.release();
        claim.release(); // idempotent
        assertFalse(watch.isClaimed());
        assertTrue(wakeUps.tryAcquire(5, TimeUnit.SECONDS), "input left in the socket wakes the reactor once given back");
        assertEquals(0, failures.get());
    }

    @Test
    void reactorThreadCannotClaimAndAStoppedWatchStaysStopped() throws Exception {
        CompletableFuture<SocketWatch.Claim> onReactor = new CompletableFuture<>();
        SocketWatch other = new SocketWatch(pair[1], reactor, events -> onReactor.complete(watch.claim()), () -> { });
        try {
            assertEquals(1, Posix.send(pair[0], ByteBuffer.allocateDirect(1).put((byte) 1).flip()));
            assertNull(onReactor.get(5, TimeUnit.SECONDS), "the reactor's own thread may be reading the socket");
        } finally {
            other.stop();
        }
        SocketWatch.Claim claim = watch.claim();
        watch.stop();
        assertNull(watch.claim(), "nothing to claim once stopped");
        claim.release();
        write();
        assertFalse(wakeUps.tryAcquire(100, TimeUnit.MILLISECONDS), "a claim given back does not restart a stopped watch");
    }

    @Test
    void closeWaitsForTheClaimToBeGivenBack() throws Exception {
        SocketWatch.Claim claim = watch.claim();
        CompletableFuture<Boolean> claimedWhenClosed = CompletableFuture.supplyAsync(() -> {
            watch.close();
            return watch.isClaimed();
        });
        claim.release();
        assertFalse(claimedWhenClosed.get(5, TimeUnit.SECONDS), "close returned only once the claim was given back");
    }
}
