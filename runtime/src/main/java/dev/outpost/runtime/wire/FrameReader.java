package dev.outpost.runtime.wire;

import java.nio.ByteBuffer;

/**
 * Cuts a byte stream into frames: a varint32 length, then that many bytes (protobuf's
 * length-delimited framing).
 *
 * <pre>
 * +--------------+---------------------------+
 * | length       | frame                     |
 * | varint, 1-5 B| length bytes (a Frame)    |
 * +--------------+---------------------------+
 * </pre>
 *
 * Bytes are read into {@link #buffer()} (a direct buffer, in write mode), then
 * {@link #nextFrame()} returns each complete frame as a read-only view until it returns
 * {@code null}. A view is valid only until the next call of {@code buffer()} or {@code nextFrame()}.
 * The buffer grows only when a frame announced within the limit needs it, and goes back to its
 * initial size after a large frame, the large one going to the {@link SpareBuffer} for the next;
 * a length above the limit is refused before anything is allocated.
 *
 * <p>Not thread-safe: one reader thread owns an instance.
 */
public final class FrameReader {
    public static final int INITIAL_CAPACITY = 16 * 1024;
    private static final int MAX_VARINT32_BYTES = 5;

    private final int maxFrameSize;
    private final SpareBuffer spare;
    /** The buffer of initial size, kept while a large one is in use. */
    private final ByteBuffer home;
    private ByteBuffer buffer;
    /** Start of the first unconsumed byte in {@link #buffer} (which stays in write mode). */
    private int readPosition;
    /** The announced length of the incomplete frame at {@link #readPosition}, or -1. */
    private int partialLength = -1;
    /** The bytes of that frame's length prefix. */
    private int partialPrefix;

    FrameReader(int maxFrameSize) {
        this(maxFrameSize, new SpareBuffer());
    }

    /** A reader that takes its large buffers from, and gives them back to, {@code spare}. */
    public FrameReader(int maxFrameSize, SpareBuffer spare) {
        if (maxFrameSize <= 0) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
        this.spare = spare;
        this.home = ByteBuffer.allocateDirect(Math.min(INITIAL_CAPACITY, maxFrameSize + MAX_VARINT32_BYTES));
        this.buffer = home;
    }

    /**
     * The buffer to read more bytes into, with room for at least one byte, and for the whole of
     * an incomplete frame whose length is known.
     */
    public ByteBuffer buffer() {
        if (partialLength >= 0 && readPosition + partialPrefix + partialLength > buffer.capacity()) {
            makeRoom(partialPrefix + partialLength);
        } else if (!buffer.hasRemaining()) {
            makeRoom(1);
        }
        return buffer;
    }

    /**
     * The next complete frame, or {@code null} when more bytes are needed.
     *
     * @throws ProtocolException when the length prefix is malformed or above the limit
     */
    public ByteBuffer nextFrame() throws ProtocolException {
        partialLength = -1;
        int available = buffer.position() - readPosition;
        if (available == 0) {
            reset();
            return null;
        }
        long length = 0;
        int prefix = 0;
        while (true) {
            if (prefix == available) {
                return null; // the length prefix itself is incomplete
            }
            if (prefix == MAX_VARINT32_BYTES) {
                throw new ProtocolException("malformed frame length: varint longer than 5 bytes");
            }
            int b = buffer.get(readPosition + prefix) & 0xff;
            length |= (long) (b & 0x7f) << (7 * prefix);
            prefix++;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length > maxFrameSize) {
            throw new ProtocolException("frame of " + length + " bytes exceeds the limit of "
                    + maxFrameSize + " bytes");
        }
        int frameLength = (int) length;
        if (available - prefix < frameLength) {
            partialPrefix = prefix;
            partialLength = frameLength;
            return null;
        }
        int start = readPosition + prefix;
        ByteBuffer frame = buffer.duplicate();
        frame.limit(start + frameLength).position(start);
        readPosition = start + frameLength;
        return frame.slice().asReadOnlyBuffer();
    }

    /**
     * After {@link #nextFrame()} returned {@code null} because a frame is incomplete: its
     * announced length; otherwise -1.
     */
    public int partialFrameLength() {
        return partialLength;
    }

    /**
     * The bytes received so far of the incomplete frame (after its length prefix), as a read-only
     * view valid until the next call; an empty view when there is none.
     */
    public ByteBuffer partialFrame() {
        ByteBuffer frame = buffer.duplicate();
        int start = partialLength < 0 ? buffer.position() : readPosition + partialPrefix;
        frame.limit(buffer.position()).position(start);
        return frame.slice().asReadOnlyBuffer();
    }

    /** Drops the incomplete frame, whose remaining bytes the caller reads elsewhere. */
    public void dropPartialFrame() {
        if (partialLength < 0) {
            throw new IllegalStateException("no incomplete frame");
        }
        partialLength = -1;
        reset(); // the incomplete frame is the last thing in the buffer
    }

    /** Bytes received but not yet returned as frames. */
    int pending() {
        return buffer.position() - readPosition;
    }

    int capacity() {
        return buffer.capacity();
    }

    /** Drops the consumed bytes, going back to the initial buffer after a large frame. */
    private void reset() {
        readPosition = 0;
        if (buffer != home) {
            spare.give(buffer);
            buffer = home;
        }
        buffer.clear();
    }

    /** Ensures the unconsumed bytes plus {@code needed} more fit, moving them to the start. */
    private void makeRoom(int needed) {
        int pending = pending();
        int required = Math.max(needed, pending + 1);
        if (required > buffer.capacity()) {
            int capacity = (int) Math.min((long) maxFrameSize + MAX_VARINT32_BYTES,
                    Math.max(required, (long) buffer.capacity() * 2));
            ByteBuffer bigger = spare.take(Math.max(capacity, required));
            ByteBuffer old = buffer;
            old.flip().position(readPosition);
            bigger.put(old);
            buffer = bigger;
            if (old != home) {
                spare.give(old);
            }
        } else if (readPosition > 0) {
            buffer.flip().position(readPosition);
            buffer.compact();
        }
        readPosition = 0;
    }
}
