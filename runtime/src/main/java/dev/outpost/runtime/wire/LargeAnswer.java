package dev.outpost.runtime.wire;

import com.google.protobuf.WireFormat;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Response;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * An answer too large for the reader's buffer, read straight into the array its caller gets.
 * Once the head of the frame is in (a Response of an id and a payload that runs to the end of
 * the frame, as the C SDK writes it), the rest of the payload goes from the socket into that
 * array: no buffer in between, and no copy after. A frame of any other shape, or one that answers
 * no call that is waiting, is not one of these and takes the general path.
 *
 * <p>Memory: the whole array is allocated at once only when the {@link ReceiveBudget} grants it
 * (so announcements cannot make the host allocate without bound: the budget is shared by every
 * channel of a runtime); otherwise the array grows as the bytes arrive, to at most twice what has
 * arrived, and is trimmed at the end with one copy. The reservation is released when the answer
 * completes or is {@link #abandon() abandoned}.
 *
 * <p>Not thread-safe: the channel's read lock owns an instance.
 */
public final class LargeAnswer {
    private static final int RESPONSE_TAG = tag(Frame.RESPONSE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int ID_TAG = tag(Response.ID_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
    private static final int PAYLOAD_TAG = tag(Response.PAYLOAD_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int FIRST_GROWN = 64 * 1024;

    public final long id;
    private final int length;
    private final ReceiveBudget budget;
    private final long reserved;
    private byte[] payload;
    private ByteBuffer rest;
    private boolean released;

    private LargeAnswer(long id, int length, byte[] first, int received, ReceiveBudget budget, long reserved) {
        this.id = id;
        this.length = length;
        this.budget = budget;
        this.reserved = reserved;
        this.payload = first;
        this.rest = ByteBuffer.wrap(first, received, first.length - received);
    }

    /**
     * Starts reading an answer from {@code received}, the first bytes of an incomplete frame of
     * {@code frameLength} bytes (after its length prefix).
     *
     * @param pending whether a call with a given id waits for its answer
     * @return the answer, which has taken every byte of {@code received}; or {@code null} when the
     *     frame is not a successful Response with its payload last, answers no waiting call, or its
     *     head is not all in yet
     */
    public static LargeAnswer begin(ByteBuffer received, int frameLength, LongPredicate pending, ReceiveBudget budget) {
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
            if (tag != PAYLOAD_TAG || !runsToTheEnd(varint(in), in, frameLength) || !pending.test(id)) {
                return null;
            }
            int length = frameLength - in.position();
            int already = in.remaining();
            long reserved = budget.tryReserve(length) ? length : 0;
            byte[] first = new byte[reserved > 0 ? length : Math.min(length, Math.max(FIRST_GROWN, 2 * already))];
            in.get(first, 0, already);
            return new LargeAnswer(id, length, first, already, budget, reserved);
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

    /** Where the next bytes of the payload go (a heap buffer over the payload array), with room for at least one. */
    public ByteBuffer rest() {
        if (!rest.hasRemaining() && rest.position() < length) {
            int at = rest.position();
            payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * at));
            rest = ByteBuffer.wrap(payload, at, payload.length - at);
        }
        return rest;
    }

    /** The payload bytes received so far. */
    public int received() {
        return rest.position();
    }

    public boolean isComplete() {
        return rest.position() == length;
    }

    /** The whole payload, once {@link #isComplete()}: the array itself, handed over. */
    public byte[] payload() {
        if (!isComplete()) {
            throw new IllegalStateException((length - rest.position()) + " bytes of the payload are still to come");
        }
        release();
        return payload.length == length ? payload : Arrays.copyOf(payload, length);
    }

    /** The answer will not complete (the channel closed): gives its reservation back. Idempotent. */
    public void abandon() {
        release();
    }

    private void release() {
        if (!released) {
            released = true;
            budget.release(reserved);
        }
    }
}
