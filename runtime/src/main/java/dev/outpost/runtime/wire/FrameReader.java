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
 * Bytes are read into {@link #buffer()} (in write mode), then {@link #nextFrame()} returns each
 * complete frame as a read-only view until it returns {@code null}. A view is valid only until the
 * next call of {@code buffer()} or {@code nextFrame()}.
 *
 * <p>Memory follows bytes, never announcements: a length above the limit is refused before
 * anything is allocated, and a frame larger than the initial buffer makes the buffer grow only as
 * its bytes arrive, to at most twice what has arrived (and never beyond the frame). A peer that
 * announces 16 MiB and sends nothing costs the initial buffer. The initial buffer is direct and
 * kept; a grown one is a heap buffer that the reader drops once its frame is consumed, so no
 * memory is ever freed by hand and nothing is shared with another reader.
 *
 * <p>Not thread-safe: whoever holds the channel's read lock uses an instance; each reader owns its
 * buffers.
 */
public final class FrameReader {
    public static final int INITIAL_CAPACITY = 16 * 1024;
    private static final int MAX_VARINT32_BYTES = 5;

    private final int maxFrameSize;
    /** The buffer of initial size, kept while a grown one is in use. */
    private final ByteBuffer home;
    private ByteBuffer buffer;
    /** Start of the first unconsumed byte in {@link #buffer} (which stays in write mode). */
    private int readPosition;
    /** The announced length of the incomplete frame at {@link #readPosition}, or -1. */
    private int partialLength = -1;
    /** The bytes of that frame's length prefix. */
    private int partialPrefix;

    public FrameReader(int maxFrameSize) {
        if (maxFrameSize <= 0) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
        this.home = ByteBuffer.allocateDirect(Math.min(INITIAL_CAPACITY, maxFrameSize + MAX_VARINT32_BYTES));
        this.buffer = home;
    }

    /**
     * The buffer to read more bytes into, with room for at least one byte. Room beyond that grows
     * with the bytes of the frame in progress (see the class comment).
     */
    public ByteBuffer buffer() {
        if (!buffer.hasRemaining()) {
            makeRoom();
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
    public int pending() {
        return buffer.position() - readPosition;
    }

    /** The bytes the reader holds now, for tests and limits. */
    public int capacity() {
        return buffer.capacity();
    }

    /** Drops the consumed bytes, going back to the initial buffer after a large frame. */
    private void reset() {
        readPosition = 0;
        buffer = home;
        buffer.clear();
    }

    /**
     * The buffer is full: moves the unconsumed bytes to the start, and if they fill it already,
     * grows it to twice what is pending, within the frame in progress (or the limit).
     */
    private void makeRoom() {
        int pending = pending();
        if (readPosition > 0 && pending < buffer.capacity()) {
            buffer.flip().position(readPosition);
            buffer.compact();
            readPosition = 0;
            return;
        }
        long cap = (long) maxFrameSize + MAX_VARINT32_BYTES;
        if (partialLength >= 0) {
            cap = Math.min(cap, (long) partialPrefix + partialLength);
        }
        int capacity = (int) Math.min(cap, Math.max((long) pending * 2, pending + 1L));
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, pending + 1));
        ByteBuffer old = buffer;
        old.flip().position(readPosition);
        bigger.put(old);
        buffer = bigger;
        readPosition = 0;
    }
}
