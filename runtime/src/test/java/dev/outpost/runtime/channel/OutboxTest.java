package dev.outpost.runtime.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Pong;
import dev.outpost.runtime.os.Posix;
import dev.outpost.runtime.wire.FrameReader;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The frames nobody waits for, through a real socketpair whose other end plays a plugin that reads
 * or does not: they go out without blocking the sender, in order; a peer that leaves the outbox
 * full, or stalled past the deadline, is found to break the protocol.
 */
class OutboxTest {
    private Reactor reactor;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private int[] pair;
    private final List<String> breaks = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> broken = new CompletableFuture<>();
    private Outbox outbox;
    private FrameSender sender;

    @BeforeEach
    void start() throws Exception {
        reactor = new Reactor("outbox-test");
        pair = Posix.socketPair();
        Posix.setNonBlocking(pair[0]);
        Posix.setNonBlocking(pair[1]);
        FrameSender.Breaker breaker = (kind, reason) -> {
            breaks.add(kind + ": " + reason);
            broken.complete(kind + ": " + reason);
        };
        outbox = new Outbox("fx", pair[0], 300, timer, breaker);
        sender = new FrameSender("fx", pair[0], 1 << 20, () -> broken.isDone(), breaker, outbox);
        outbox.attach(reactor, sender::flush);
    }

    @AfterEach
    void stop() {
        sender.close();
        Posix.close(pair[1]);
        reactor.close();
        timer.shutdownNow();
    }

    private static Frame pong(long nonce) {
        return Frame.newBuilder().setPong(Pong.newBuilder().setNonce(nonce)).build();
    }

    /** Reads what the peer has been sent, as frames. */
    private List<Long> peerReads(FrameReader reader) throws Exception {
        List<Long> nonces = new java.util.ArrayList<>();
        while (true) {
            ByteBuffer into = reader.buffer();
            int n = Posix.recv(pair[1], into);
            ByteBuffer f;
            while ((f = reader.nextFrame()) != null) {
                nonces.add(Frame.parseFrom(f).getPong().getNonce());
            }
            if (n <= 0) {
                return nonces;
            }
        }
    }

    @Test
    void framesGoOutAtOnceInOrderWhenThePeerReads() throws Exception {
        for (long i = 1; i <= 100; i++) {
            sender.sendLater(pong(i));
        }
        List<Long> got = peerReads(new FrameReader(1 << 20));
        assertEquals(100, got.size());
        assertEquals(1L, got.get(0));
        assertEquals(100L, got.get(99));
        assertTrue(outbox.isEmpty());
        assertEquals(List.of(), breaks);
    }

    @Test
    void aPeerThatNeverReadsFillsTheSocketThenTheOutboxAndIsFoundToBreakTheProtocol() throws Exception {
        long sent = 0;
        while (breaks.isEmpty() && sent < 10_000_000) { // a Ping flood's Pongs; the sender never blocks
            sender.sendLater(pong(++sent));
        }
        String reason = broken.get(10, TimeUnit.SECONDS);
        assertTrue(reason.startsWith("VIOLATION: fx does not read its socket"), reason);
        assertTrue(outbox.size() <= Outbox.MAX_FRAMES, "bounded: " + outbox.size());
        assertEquals(1, breaks.size(), "reported once: " + breaks);
    }

    @Test
    void framesStalledLongerThanTheDeadlineBreakTheConnection() throws Exception {
        long sent = 0;
        while (outbox.isEmpty() && sent < 1_000_000) { // until the socket is full and one waits
            sender.sendLater(pong(++sent));
        }
        assertTrue(!outbox.isEmpty(), "the socket filled up");
        String reason = broken.get(10, TimeUnit.SECONDS);
        assertTrue(reason.startsWith("VIOLATION: fx has not read its socket for 300 ms"), reason);
    }

    @Test
    void framesWaitingForRoomGoOutOnceThePeerReadsAgainAndNothingBreaks() throws Exception {
        long sent = 0;
        while (outbox.isEmpty() && sent < 1_000_000) {
            sender.sendLater(pong(++sent));
        }
        for (int i = 0; i < 10; i++) {
            sender.sendLater(pong(++sent)); // these wait in the outbox
        }
        FrameReader reader = new FrameReader(1 << 20);
        List<Long> got = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < sent && System.nanoTime() < deadline) { // the reactor writes the rest as room comes
            got.addAll(peerReads(reader));
        }
        assertEquals(sent, got.size());
        assertEquals(sent, (long) got.get(got.size() - 1), "in order, to the last");
        assertNull(broken.getNow(null));
    }
}
