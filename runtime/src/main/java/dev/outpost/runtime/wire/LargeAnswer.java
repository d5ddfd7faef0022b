package dev.outpost.runtime.wire;

import com.google.protobuf.WireFormat;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Response;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * An answer too large for the reader's buffer, read straight into the array its caller gets.
 * Once the head of the frame is in (a Response of an id and a payload that runs to the end of
 * the frame, as the C SDK writes it), the rest of the payload goes from the socket into that
 * array: no buffer in between, and no copy after. A frame of any other shape is not one of these
 * and takes the general path.
 *
 * <p>Not thread-safe: the channel's read lock owns an instance.
 */
public final class LargeAnswer {
    private static final int RESPONSE_TAG = tag(Frame.RESPONSE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int ID_TAG = tag(Response.ID_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
    private static final int PAYLOAD_TAG = tag(Response.PAYLOAD_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    public final long id;
    private final byte[] payload;
    private final ByteBuffer rest;

    private LargeAnswer(long id, byte[] payload, int received) {
        this.id = id;
        this.payload = payload;
        this.rest = ByteBuffer.wrap(payload, received, payload.length - received);
    }

    /**
     * Starts reading an answer from {@code received}, the first bytes of an incomplete frame of
     * {@code frameLength} bytes (after its length prefix).
     *
     * @return the answer, which has taken every byte of {@code received}; or {@code null} when the
     *     frame is not a successful Response with its payload last, or its head is not all in yet
     */
    public static LargeAnswer begin(ByteBuffer received, int frameLength) {
        if (received.remaining() >= frameLength) {
            throw new IllegalArgumentException("the frame is complete: " + received.remaining() + " of " + frameLength);
        }
        ByteBuffer in = received.duplicate();
        try {
            if (varint(in) != RESPONSE_TAG || !runsToTheEnd(varint(in), in, frameLength)) {
                return null;
            }
            long id = 0; // proto3 leaves out a field at its default
            long tag = varint(in);
            if (tag == ID_TAG) {
                id = varint(in);
                tag = varint(in);
            }
            if (tag != PAYLOAD_TAG || !runsToTheEnd(varint(in), in, frameLength)) {
                return null;
            }
            int length = frameLength - in.position();
            byte[] payload = new byte[length];
            int already = in.remaining();
            in.get(payload, 0, already);
            return new LargeAnswer(id, payload, already);
        } catch (BufferUnderflowException headNotAllIn) {
            return null;
        }
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    /** Whether a field of {@code length} bytes, starting at the position of {@code in}, ends the frame. */
    private static boolean runsToTheEnd(long length, ByteBuffer in, int frameLength) {
        return length >= 0 && in.position() + length == frameLength;
    }

    /** A varint of at most 10 bytes, or -1 when it is longer (a malformed frame). */
    private static long varint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }

    /** Where the next bytes of the payload go (a heap buffer over the payload array). */
    public ByteBuffer rest() {
        return rest;
    }

    public boolean isComplete() {
        return !rest.hasRemaining();
    }

    /** The whole payload, once {@link #isComplete()}: the array itself, handed over. */
    public byte[] payload() {
        if (!isComplete()) {
            throw new IllegalStateException(rest.remaining() + " bytes of the payload are still to come");
        }
        return payload;
    }
}
