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
import java.util.function.Consumer;

/**
 * The writing half of a plugin's socket: frames go out on the calling thread, one writer at a
 * time (a lock, no hand-off), each written whole or the connection is declared broken. A writer
 * waits at most its timeout for the plugin to make room; a write that could not even start leaves
 * the connection whole ({@link WriteStalledException}).
 *
 * <p>Owns neither the descriptor nor the connection's state: the {@link PluginChannel} does, and
 * learns of a broken connection through the breaker it gives. {@link #closeAfterWriter()} closes
 * the descriptor once a write in flight has ended.
 */
final class FrameSender {
    private final String name;
    private final int fd;
    private final FrameWriter writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BooleanSupplier broken;
    private final Consumer<String> breaker;

    FrameSender(String name, int fd, int maxFrameSize, BooleanSupplier broken, Consumer<String> breaker) {
        this.name = name;
        this.fd = fd;
        this.writer = new FrameWriter(maxFrameSize);
        this.broken = broken;
        this.breaker = breaker;
    }

    /** Writes one frame, waiting at most {@code timeoutMillis} for the plugin to make room. */
    void send(Frame frame, long timeoutMillis) throws IOException {
        write(frame, null, null, timeoutMillis, null);
    }

    /**
     * Writes one frame as {@link #send}, but runs {@code beforeWaiting} (once, on this thread,
     * possibly under the write lock) before it waits for anything: for another writer, or for the
     * plugin to make room.
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
            if (broken.getAsBoolean()) {
                throw new NotSentException("the connection to " + name + " is broken");
            }
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
                        breaker.accept(e.getMessage());
                        throw new NotSentException(e.getMessage());
                    }
                    throw e;
                }
                if (sent >= 0) {
                    continue;
                }
                beforeWaiting = runOnce(beforeWaiting);
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || Posix.poll(fd, Posix.POLLOUT, (int) Math.min(left, Integer.MAX_VALUE)) == 0) {
                    if (nothingSent) {
                        throw new WriteStalledException(name + " has not read its socket for " + timeoutMillis + " ms");
                    }
                    String reason = name + " stopped reading in the middle of a frame (" + timeoutMillis + " ms)";
                    breaker.accept(reason);
                    throw new IOException(reason);
                }
            }
        } catch (FrameWriter.FrameTooLargeException | WriteStalledException | NotSentException e) {
            throw e;
        } catch (IOException e) {
            breaker.accept(e.getMessage());
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    private static Runnable runOnce(Runnable r) {
        if (r != null) {
            r.run();
        }
        return null;
    }

    /** Closes the descriptor with close(2) once a write in flight has ended. */
    void closeAfterWriter() {
        // the peer is gone or going, so the writer's poll ends at once
        writeLock.lock();
        try {
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
