package dev.outpost.runtime.channel;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Request;
import dev.outpost.runtime.os.Posix;
import dev.outpost.runtime.wire.FrameWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The writing half of a plugin's socket. Two ways out, one writer at a time (a lock, no hand-off):
 * <ul>
 *   <li>{@link #send}: a caller's frame, written on the caller's thread, which waits at most its
 *       timeout for the plugin to make room. A write that could not even start leaves the
 *       connection whole ({@link WriteStalledException}); one that stopped in the middle breaks it.
 *   <li>{@link #sendLater}: a frame nobody may wait for (a Pong, a Cancel, a Ping, an answer to the
 *       plugin's own request, the host's half of the handshake, a Goodbye), put in this channel's
 *       {@link Outbox} and written without blocking, by whichever thread holds the lock next or,
 *       once the socket is full, by the reactor when it has room again.
 * </ul>
 * Whatever a non-blocking write left unwritten of a frame (its tail) goes out before anything else.
 * A plugin that leaves the outbox full, or leaves frames in it for longer than the write timeout,
 * is not reading its socket: the connection is broken with a {@link Breakage#VIOLATION}, which
 * stops that plugin alone. Nothing here blocks a thread other than a caller's, and then only for
 * the caller's own timeout.
 *
 * <p>Owns neither the descriptor nor the connection's state: the {@link PluginChannel} does, and
 * learns of a broken connection through the breaker it gives. {@link #close()} wakes a writer that
 * waits for room, then closes the descriptor once no write is in flight.
 */
final class FrameSender {
    /** Told once the connection cannot carry frames any more. */
    interface Breaker {
        void broken(Breakage kind, String reason);
    }

    private final String name;
    private final int fd;
    private final FrameWriter writer;           // guarded by writeLock
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BooleanSupplier broken;
    private final Breaker breaker;
    private final Outbox outbox;
    private ByteBuffer tail;                    // guarded by writeLock: the rest of a frame begun without blocking
    private volatile boolean tailPending;       // tail != null, for threads without the lock
    private boolean closed;                     // guarded by writeLock: the descriptor is closed (its number may be reused)

    FrameSender(String name, int fd, int maxFrameSize, BooleanSupplier broken, Breaker breaker, Outbox outbox) {
        this.name = name;
        this.fd = fd;
        this.writer = new FrameWriter(maxFrameSize);
        this.broken = broken;
        this.breaker = breaker;
        this.outbox = outbox;
    }

    /** Writes one frame, waiting at most {@code timeoutMillis} for the plugin to make room. */
    void send(Frame frame, long timeoutMillis) throws IOException {
        write(frame, null, null, timeoutMillis, null);
    }

    /**
     * Writes one frame as {@link #send(Frame, long)}, but runs {@code beforeWaiting} (once, on this
     * thread, possibly under the write lock) before it waits for anything: for another writer, or
     * for the plugin to make room.
     */
    void send(Frame frame, long timeoutMillis, Runnable beforeWaiting) throws IOException {
        write(frame, null, null, timeoutMillis, beforeWaiting);
    }

    /**
     * Writes a Request frame of {@code head} (which has no payload) and {@code payload}, which is
     * sent from the array itself (see {@link FrameWriter#encodeRequestHead}); {@code beforeWaiting}
     * as in {@link #send(Frame, long, Runnable)}.
     */
    void sendRequest(Request head, byte[] payload, long timeoutMillis, Runnable beforeWaiting) throws IOException {
        write(null, head, payload, timeoutMillis, beforeWaiting);
    }

    /** Queues a frame nobody waits for and writes what it can without blocking. Any thread. */
    void sendLater(Frame frame) {
        if (broken.getAsBoolean()) {
            return;
        }
        String overflow = outbox.add(frame);
        if (overflow != null) {
            breaker.broken(Breakage.VIOLATION, overflow);
            return;
        }
        flush();
    }

    /**
     * Writes the tail and the outbox until the socket is full, without blocking; does nothing when
     * another thread writes (it flushes before it lets go). Any thread, the reactor's too.
     */
    void flush() {
        while ((tailPending || !outbox.isEmpty()) && !broken.getAsBoolean()) {
            if (!writeLock.tryLock()) {
                return; // the holder flushes before it lets go, and looks again after
            }
            boolean full;
            try {
                full = !flushLocked();
            } finally {
                writeLock.unlock();
            }
            if (full) {
                outbox.awaitRoom(); // the reactor flushes again once the socket has room
                return;
            }
        }
    }

    /** Writes the tail, then the outbox, without blocking; false when the socket filled up. Under the lock. */
    private boolean flushLocked() {
        if (closed) {
            return true; // nothing may be written to a number that another socket may have by now
        }
        try {
            if (!writeTail()) {
                return false;
            }
            Frame next;
            while ((next = outbox.peek()) != null) {
                ByteBuffer encoded = writer.encode(next);
                outbox.remove();
                if (Posix.send(fd, encoded) < 0 || encoded.hasRemaining()) {
                    tail = ByteBuffer.allocate(encoded.remaining()).put(encoded).flip(); // the writer's buffer is reused
                    tailPending = true;
                    outbox.stalled(true);
                    return false;
                }
            }
            outbox.stalled(false);
            return true;
        } catch (FrameWriter.FrameTooLargeException e) {
            outbox.remove(); // cannot happen to the small frames sent this way; dropped if it does
            return true;
        } catch (IOException e) {
            breaker.broken(Breakage.IO_ERROR, e.getMessage());
            return true;
        }
    }

    /** Writes what is left of a frame begun without blocking; false when the socket is full. Under the lock. */
    private boolean writeTail() throws IOException {
        if (tail == null) {
            return true;
        }
        while (tail.hasRemaining()) {
            if (Posix.send(fd, tail) < 0) {
                outbox.stalled(true);
                return false;
            }
        }
        tail = null;
        tailPending = false;
        return true;
    }

    /** Writes {@code frame}, or else a Request frame of {@code head} and {@code payload}. */
    private void write(Frame frame, Request head, byte[] payload, long timeoutMillis, Runnable beforeWaiting)
            throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            if (!writeLock.tryLock()) {
                beforeWaiting = runOnce(beforeWaiting);
                if (!writeLock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    throw new WriteStalledException("another write to " + name + " has not finished within "
                            + timeoutMillis + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to write to " + name, e);
        }
        try {
            if (closed || broken.getAsBoolean()) {
                throw new NotSentException("the connection to " + name + " is broken");
            }
            beforeWaiting = finishTail(deadline, timeoutMillis, beforeWaiting);
            ByteBuffer buffer = frame != null ? writer.encode(frame) : writer.encodeRequestHead(head, payload.length);
            ByteBuffer rest = payload == null ? null : ByteBuffer.wrap(payload); // sent from the array itself
            long total = buffer.remaining() + (rest == null ? 0 : payload.length);
            while (buffer.hasRemaining() || rest != null && rest.hasRemaining()) {
                ByteBuffer part = buffer.hasRemaining() ? buffer : rest;
                boolean nothingSent = buffer.remaining() + (rest == null ? 0 : rest.remaining()) == total;
                int sent;
                try {
                    sent = Posix.send(fd, part);
                } catch (IOException e) {
                    if (nothingSent) {
                        breaker.broken(Breakage.IO_ERROR, e.getMessage());
                        throw new NotSentException(e.getMessage());
                    }
                    throw e;
                }
                if (sent >= 0) {
                    continue;
                }
                beforeWaiting = runOnce(beforeWaiting);
                if (!awaitRoom(deadline)) {
                    if (nothingSent) {
                        throw new WriteStalledException(name + " has not read its socket for " + timeoutMillis + " ms");
                    }
                    String reason = name + " stopped reading in the middle of a frame (" + timeoutMillis + " ms)";
                    breaker.broken(Breakage.VIOLATION, reason);
                    throw new IOException(reason);
                }
            }
            flushLocked(); // what waits in the outbox goes out behind the caller's frame
        } catch (FrameWriter.FrameTooLargeException | WriteStalledException | NotSentException e) {
            throw e;
        } catch (IOException e) {
            breaker.broken(Breakage.IO_ERROR, e.getMessage());
            throw e;
        } finally {
            writeLock.unlock();
            flush(); // frames queued while this thread held the lock, whether its own frame went out or not
        }
    }

    /** Blocking: writes the tail of a frame begun without blocking before a caller's frame goes out. */
    private Runnable finishTail(long deadline, long timeoutMillis, Runnable beforeWaiting) throws IOException {
        while (!writeTail()) {
            beforeWaiting = runOnce(beforeWaiting);
            if (!awaitRoom(deadline)) {
                throw new WriteStalledException(name + " has not read its socket for " + timeoutMillis + " ms");
            }
        }
        return beforeWaiting;
    }

    /** Waits until the socket has room or the deadline passes; whether it has room. */
    private boolean awaitRoom(long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        return left > 0 && (Posix.poll(fd, Posix.POLLOUT, (int) Math.min(left, Integer.MAX_VALUE))
                & (Posix.POLLOUT | Posix.POLLERR | Posix.POLLHUP)) != 0;
    }

    private static Runnable runOnce(Runnable r) {
        if (r != null) {
            r.run();
        }
        return null;
    }

    /**
     * Shuts the socket down, so that a writer waiting for room (and the plugin) see its end at once,
     * then closes the descriptor with close(2) once the write in flight has ended. Idempotent only
     * through its owner, which calls it once.
     */
    void close() {
        Posix.shutdown(fd);
        writeLock.lock();
        try {
            closed = true;
            tail = null;
            tailPending = false;
            outbox.close();
            Posix.close(fd);
        } finally {
            writeLock.unlock();
        }
    }

    /** Nothing of the frame was written: the connection was already broken. */
    static final class NotSentException extends IOException {
        private static final long serialVersionUID = 1L;

        NotSentException(String message) {
            super(message);
        }
    }

    /** The write could not start because the plugin is not reading; the channel is still whole. */
    static final class WriteStalledException extends IOException {
        private static final long serialVersionUID = 1L;

        WriteStalledException(String message) {
            super(message);
        }
    }
}
