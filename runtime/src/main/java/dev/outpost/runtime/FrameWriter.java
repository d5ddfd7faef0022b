package dev.outpost.runtime;

import com.google.protobuf.CodedOutputStream;
import dev.outpost.protocol.v1.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Serializes frames for the wire: the varint32 length, then the {@link Frame} (see
 * {@link FrameReader} for the layout), into a direct buffer that can be handed to send(2)
 * without a copy. The buffer is reused between frames and shrinks back after a large one.
 *
 * <p>Not thread-safe: the channel's write lock owns an instance.
 */
final class FrameWriter {
    private final int maxFrameSize;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(FrameReader.INITIAL_CAPACITY);

    FrameWriter(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Encodes {@code frame}; the result (in read mode) is valid until the next call.
     *
     * @throws FrameTooLargeException when the frame is larger than the limit
     */
    ByteBuffer encode(Frame frame) throws FrameTooLargeException {
        int size = frame.getSerializedSize();
        if (size > maxFrameSize) {
            throw new FrameTooLargeException(size, maxFrameSize);
        }
        int total = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        if (buffer.capacity() < total || buffer.capacity() > FrameReader.INITIAL_CAPACITY && total <= FrameReader.INITIAL_CAPACITY) {
            ByteBuffer old = buffer;
            buffer = ByteBuffer.allocateDirect(Math.max(total, FrameReader.INITIAL_CAPACITY));
            DirectBuffers.free(old);
        }
        buffer.clear();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buffer);
            out.writeUInt32NoTag(size);
            frame.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("buffer sized for the frame was too small", e);
        }
        // CodedOutputStream over a ByteBuffer advances the buffer's position on flush
        buffer.flip();
        return buffer;
    }

    /** A frame that cannot be sent because it is larger than the maximum frame size. */
    static final class FrameTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        FrameTooLargeException(int size, int limit) {
            super("frame of " + size + " bytes exceeds the limit of " + limit + " bytes");
        }
    }
}
