package dev.outpost.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.outpost.protocol.v1.Frame;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Coverage-guided fuzzing of what a hostile plugin controls: the byte stream (cut into frames,
 * delivered in arbitrary pieces) and the Hello it sends. No input may throw anything but a
 * protocol error, or make the reader hold more than the frame limit.
 */
class FrameFuzzTest {
    private static final int LIMIT = 64 * 1024;

    @FuzzTest(maxDuration = "20s")
    void anyByteStreamIsFramedOrRefusedWithinTheLimit(FuzzedDataProvider data) {
        FrameReader reader = new FrameReader(LIMIT);
        try {
            while (data.remainingBytes() > 0) {
                byte[] piece = data.consumeBytes(data.consumeInt(1, 4096));
                int offset = 0;
                while (offset < piece.length) {
                    ByteBuffer into = reader.buffer();
                    int n = Math.min(into.remaining(), piece.length - offset);
                    into.put(piece, offset, n);
                    offset += n;
                    assertTrue(reader.capacity() <= LIMIT + 5, "reader holds " + reader.capacity() + " bytes");
                    ByteBuffer frame;
                    while ((frame = reader.nextFrame()) != null) {
                        assertTrue(frame.remaining() <= LIMIT);
                        judge(frame);
                    }
                }
            }
        } catch (ProtocolException refused) {
            // a malformed or oversized length: the host drops the plugin, which is the point
        }
    }

    private static void judge(ByteBuffer bytes) {
        Frame frame;
        try {
            frame = Frame.parseFrom(bytes);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        if (frame.hasHello()) {
            Handshake.Outcome outcome = Handshake.judge(frame.getHello(), Map.of("k", "v"), LIMIT, java.util.List.of());
            assertTrue(outcome.accepted() != (outcome.refusal() != null));
        }
    }
}
