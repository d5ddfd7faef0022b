package dev.outpost.runtime.channel;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.runtime.os.Posix;
import dev.outpost.runtime.wire.FrameDecoder;
import dev.outpost.runtime.wire.FrameReader;
import dev.outpost.runtime.wire.LargeAnswer;
import dev.outpost.runtime.wire.ProtocolException;
import dev.outpost.runtime.wire.ReceiveBudget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * The reading half of a plugin's socket: reads what the socket holds, cuts it into frames
 * ({@link FrameReader}), decodes them and hands each to its {@link Sink}. An answer too large for
 * the read buffer goes straight into the array its caller gets ({@link LargeAnswer}).
 *
 * <p>Whoever reads (the {@link Reactor}, or a caller waiting for its own answer, see
 * {@link #readFor}) reads under one lock, so frames are handled one at a time and in order. Owns
 * its {@link FrameReader}; does not own the descriptor.
 */
final class ChannelReader {
    /** Where the frames go. Called under the read lock, on the thread that read them: must not block. */
    interface Sink {
        void frame(Frame frame) throws ProtocolException;

        /** A successful answer whose payload was read straight into {@code payload}. */
        void answer(long id, byte[] payload) throws ProtocolException;

        /** The connection ended (end of file), cannot be read any more, or the plugin broke the protocol. */
        void broken(Breakage kind, String reason);
    }

    private static final int READS_PER_WAKEUP = 16;
    /** How long a blocking caller reads its own answer before it leaves the reading to the reactor. */
    static final int DIRECT_READ_MILLIS = 10;

    private final String name;
    private final int fd;
    private final Sink sink;
    private final long spinNanos;
    private final LongPredicate pending;
    private final ReceiveBudget budget;
    private final Object lock = new Object();
    private final FrameReader reader;  // guarded by lock
    private LargeAnswer largeAnswer;   // guarded by lock: an answer being read into its own array
    private boolean closed;            // guarded by lock
    private volatile boolean broken;

    /**
     * @param pending whether a call with a given id waits for its answer
     * @param budget what the answers too large for the read buffer may set aside before their bytes arrive
     */
    ChannelReader(String name, int fd, int maxFrameSize, long spinNanos, LongPredicate pending, ReceiveBudget budget,
                  Sink sink) {
        this.name = name;
        this.fd = fd;
        this.sink = sink;
        this.spinNanos = spinNanos;
        this.pending = pending;
        this.budget = budget;
        this.reader = new FrameReader(maxFrameSize);
    }

    /** Reads what is there; the reactor's callback. */
    void readable(SocketWatch watch) {
        synchronized (lock) {
            if (watch == null || !watch.isClaimed()) {
                readAvailable(null);
            }
        }
    }

    /**
     * Reads, now, what the socket still holds, whoever watches it: once the process is dead, what it
     * wrote before it died (an answer, a Goodbye) still counts, and the reactor may not have read it
     * yet when the exit is seen. Never waits; readers take turns on the lock.
     */
    void readRemaining() {
        synchronized (lock) {
            readAvailable(null);
        }
    }

    /**
     * Reads on the calling thread, which has claimed the socket from the reactor, for at most
     * {@value #DIRECT_READ_MILLIS} ms, until {@code call} is answered: first polling without
     * sleeping for the spin time (a plugin that answers at once does so before an idle CPU could
     * even be woken), then waiting in poll(2). Every frame read is handled as the reactor would.
     */
    void readFor(PendingCall call, long deadlineNanos) {
        long begin = System.nanoTime();
        long end = Math.min(deadlineNanos, begin + TimeUnit.MILLISECONDS.toNanos(DIRECT_READ_MILLIS));
        long spinEnd = begin + spinNanos;
        // the answer may be in already: on one CPU the plugin often runs as soon as the request is written
        boolean first = true;
        while (!call.isDone() && !broken) {
            if (!first) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    return;
                }
                if (now - spinEnd < 0) {
                    Thread.onSpinWait();
                } else {
                    try {
                        Posix.poll(fd, Posix.POLLIN, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - now)));
                    } catch (IOException e) {
                        return; // the reactor's read will report what is wrong
                    }
                }
            }
            first = false;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                readAvailable(call);
            }
        }
    }

    /**
     * Reads what the socket has and handles its frames, or stops once {@code until} (if any) is
     * answered: what is left in the socket wakes the reactor. Caller holds the lock.
     */
    private void readAvailable(PendingCall until) {
        if (closed || broken) {
            return;
        }
        try {
            for (int i = 0; i < READS_PER_WAKEUP; i++) {
                LargeAnswer large = largeAnswer;
                int n = Posix.recv(fd, large != null ? large.rest() : reader.buffer());
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    if (large == null) {
                        drainFrames();
                    }
                    broken(Breakage.END_OF_FILE, name + " closed its connection");
                    return;
                }
                if (large == null) {
                    drainFrames();
                } else if (large.isComplete()) {
                    largeAnswer = null;
                    sink.answer(large.id, large.payload());
                }
                if (until != null && until.isDone()) {
                    return;
                }
            }
        } catch (ProtocolException e) {
            broken(Breakage.VIOLATION, "protocol error from " + name + ": " + e.getMessage());
        } catch (IOException e) {
            broken(Breakage.IO_ERROR, "reading from " + name + " failed: " + e.getMessage());
        }
    }

    private void drainFrames() throws ProtocolException {
        ByteBuffer bytes;
        while (!broken && (bytes = reader.nextFrame()) != null) {
            sink.frame(FrameDecoder.decode(bytes));
        }
        // an answer larger than the reader's buffer goes straight into the array its caller gets
        if (!broken && reader.partialFrameLength() >= FrameReader.INITIAL_CAPACITY
                && (largeAnswer = LargeAnswer.begin(reader.partialFrame(), reader.partialFrameLength(), pending,
                        budget)) != null) {
            reader.dropPartialFrame();
        }
    }

    private void broken(Breakage kind, String reason) {
        broken = true;
        sink.broken(kind, reason);
    }

    /** The channel broke elsewhere (a write failed): nothing more is read. */
    void stop() {
        broken = true;
    }

    /** Reads nothing more; a reader in the middle of a read finishes it first. Idempotent. */
    void close() {
        synchronized (lock) {
            closed = true;
            broken = true;
            if (largeAnswer != null) {
                largeAnswer.abandon();
                largeAnswer = null;
            }
        }
    }
}
