package dev.outpost.runtime.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Request;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Serializes frames for the wire: the varint32 length, then the {@link Frame} (see
 * {@link FrameReader} for the layout), into a direct buffer that can be handed to send(2)
 * without a copy; the buffer is reused between frames, and a frame larger than it goes into a heap
 * buffer of its own. A
 * large request is encoded without its payload ({@link #encodeRequestHead}): the payload is then
 * sent from the caller's array, so its bytes are copied only by the kernel.
 *
 * <p>Not thread-safe: the channel's write lock owns an instance.
 */
public final class FrameWriter {
    private final int maxFrameSize;
    private final ByteBuffer home = ByteBuffer.allocateDirect(FrameReader.INITIAL_CAPACITY);
    private ByteBuffer buffer = home;

    public FrameWriter(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Encodes {@code frame}; the result (in read mode) is valid until the next call.
     *
     * @throws FrameTooLargeException when the frame is larger than the limit
     */
    public ByteBuffer encode(Frame frame) throws FrameTooLargeException {
        int size = frame.getSerializedSize();
        if (size > maxFrameSize) {
            throw new FrameTooLargeException(size, maxFrameSize);
        }
        CodedOutputStream out = start(CodedOutputStream.computeUInt32SizeNoTag(size) + size);
        try {
            out.writeUInt32NoTag(size);
            frame.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("buffer sized for the frame was too small", e);
        }
        return finish(out);
    }

    /**
     * Encodes a Request frame up to its payload: {@code request} (which has no payload) and then
     * the payload's tag and length, so that the frame is whole once {@code payloadLength} bytes
     * follow. The payload field comes last on the wire, which protobuf allows; the result (in read
     * mode) is valid until the next call.
     *
     * @throws FrameTooLargeException when the frame with its payload is larger than the limit
     */
    public ByteBuffer encodeRequestHead(Request request, int payloadLength) throws FrameTooLargeException {
        int payloadTail = CodedOutputStream.computeTagSize(Request.PAYLOAD_FIELD_NUMBER)
                + CodedOutputStream.computeUInt32SizeNoTag(payloadLength);
        long requestSize = (long) request.getSerializedSize() + payloadTail + payloadLength;
        long size = CodedOutputStream.computeTagSize(Frame.REQUEST_FIELD_NUMBER)
                + CodedOutputStream.computeUInt64SizeNoTag(requestSize) + requestSize;
        if (size > maxFrameSize) {
            throw new FrameTooLargeException(size, maxFrameSize);
        }
        int head = (int) (size - payloadLength);
        CodedOutputStream out = start(CodedOutputStream.computeUInt32SizeNoTag((int) size) + head);
        try {
            out.writeUInt32NoTag((int) size);
            out.writeTag(Frame.REQUEST_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag((int) requestSize);
            request.writeTo(out);
            out.writeTag(Request.PAYLOAD_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(payloadLength);
        } catch (IOException e) {
            throw new IllegalStateException("buffer sized for the frame was too small", e);
        }
        return finish(out);
    }

    /**
     * A cleared buffer for {@code total} bytes: the kept direct one, or for a larger frame a heap
     * buffer used once and left to the collector (nothing is freed by hand).
     */
    private CodedOutputStream start(int total) {
        buffer = total <= home.capacity() ? home : ByteBuffer.allocate(total);
        buffer.clear();
        return CodedOutputStream.newInstance(buffer);
    }

    private ByteBuffer finish(CodedOutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("buffer sized for the frame was too small", e);
        }
        // CodedOutputStream over a ByteBuffer advances the buffer's position on flush
        buffer.flip();
        return buffer;
    }

    /** A frame that cannot be sent because it is larger than the maximum frame size. */
    public static final class FrameTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        FrameTooLargeException(long size, int limit) {
            super("frame of " + size + " bytes exceeds the limit of " + limit + " bytes");
        }
    }
}
