package dev.outpost.runtime.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.outpost.protocol.v1.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns the bytes of one frame (as {@link FrameReader} cuts them) into a {@link Frame}. A Response
 * is parsed with its payload left in the read buffer: its bytes are then copied once, straight
 * into the caller's array, before the buffer is read into again; any other frame is parsed into
 * copies, so that nothing of it points into the buffer. Stateless.
 */
public final class FrameDecoder {
    private FrameDecoder() {
    }

    /**
     * The frame; a Response's payload aliases {@code bytes}, valid until they are overwritten.
     *
     * @throws ProtocolException when the bytes are not a Frame
     */
    public static Frame decode(ByteBuffer bytes) throws ProtocolException {
        try {
            Frame frame = parseAliased(bytes.duplicate());
            if (frame.getKindCase() != Frame.KindCase.RESPONSE) {
                frame = Frame.parseFrom(bytes); // nothing of it may point into the read buffer
            }
            return frame;
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("undecodable frame: " + e.getMessage(), e);
        }
    }

    private static Frame parseAliased(ByteBuffer bytes) throws InvalidProtocolBufferException {
        // through a ByteString, protobuf knows the bytes do not change while it parses and may
        // alias them (CodedInputStream.newInstance(ByteBuffer) would copy every bytes field)
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        in.enableAliasing(true);
        try {
            return Frame.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) { // a buffer is read, not a stream: only the decoding can fail
            throw new InvalidProtocolBufferException(e);
        }
    }
}
