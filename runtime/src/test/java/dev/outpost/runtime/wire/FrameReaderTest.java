package dev.outpost.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Ping;
import dev.outpost.protocol.v1.Request;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameReaderTest {

    private static byte[] wire(Frame... frames) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            f.writeDelimitedTo(out);
        }
        return out.toByteArray();
    }

    private static Frame request(long id, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + id);
        }
        return Frame.newBuilder().setRequest(Request.newBuilder().setId(id).setService("s").setMethod("m")
                .setPayload(ByteString.copyFrom(payload))).build();
    }

    /** Feeds {@code bytes} in chunks of the given sizes and collects the frames. */
    private static List<Frame> feed(FrameReader reader, byte[] bytes, int... cuts) throws Exception {
        List<Frame> frames = new ArrayList<>();
        int from = 0;
        List<Integer> bounds = new ArrayList<>();
        for (int c : cuts) {
            bounds.add(c);
        }
        bounds.add(bytes.length);
        for (int to : bounds) {
            int pos = from;
            while (pos < to) {
                ByteBuffer b = reader.buffer();
                int n = Math.min(b.remaining(), to - pos);
                b.put(bytes, pos, n);
                pos += n;
                ByteBuffer frame;
                while ((frame = reader.nextFrame()) != null) {
                    frames.add(Frame.parseFrom(frame));
                }
            }
            from = to;
        }
        return frames;
    }

    @Test
    void frameSplitAtEveryByteOffsetIsReassembled() throws Exception {
        Frame a = request(1, 300);
        Frame b = Frame.newBuilder().setPing(Ping.newBuilder().setNonce(7)).build();
        byte[] bytes = wire(a, b);
        for (int cut = 0; cut <= bytes.length; cut++) {
            List<Frame> frames = feed(new FrameReader(1 << 20), bytes, cut);
            assertEquals(List.of(a, b), frames, "cut at " + cut);
        }
    }

    @Test
    void byteByByteDeliveryYieldsEveryFrame() throws Exception {
        Frame a = request(1, 20);
        Frame b = request(2, 0);
        byte[] bytes = wire(a, b, a);
        int[] cuts = new int[bytes.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertEquals(List.of(a, b, a), feed(new FrameReader(1 << 20), bytes, cuts));
    }

    @Test
    void frameLargerThanInitialBufferGrowsItAndShrinksAfterwards() throws Exception {
        Frame big = request(5, 4 * 1024 * 1024);
        FrameReader reader = new FrameReader(16 * 1024 * 1024);
        List<Frame> frames = feed(reader, wire(big, request(6, 10)));
        assertEquals(2, frames.size());
        assertArrayEquals(big.getRequest().getPayload().toByteArray(), frames.get(0).getRequest().getPayload().toByteArray());
        assertNull(reader.nextFrame());
        assertEquals(FrameReader.INITIAL_CAPACITY, reader.capacity());
    }

    @Test
    void anAnnouncedFrameGetsMemoryOnlyAsItsBytesArrive() throws Exception {
        FrameReader reader = new FrameReader(16 * 1024 * 1024);
        byte[] bytes = wire(request(7, 4 * 1024 * 1024));
        int given = 0;
        while (given < 100_000) { // the first 100 KB of a 4 MiB frame, in small pieces
            ByteBuffer into = reader.buffer();
            int n = Math.min(into.remaining(), Math.min(1000, 100_000 - given));
            into.put(bytes, given, n);
            given += n;
            assertNull(reader.nextFrame());
            assertTrue(reader.capacity() <= Math.max(FrameReader.INITIAL_CAPACITY, 2 * given),
                    "holds " + reader.capacity() + " bytes after " + given + " arrived");
        }
        assertEquals(4 * 1024 * 1024 + 10, reader.partialFrameLength(), 16);
    }

    @Test
    void aPeerThatAnnouncesTheLimitAndSendsNothingCostsTheInitialBuffer() throws Exception {
        FrameReader reader = new FrameReader(16 * 1024 * 1024);
        ByteBuffer into = reader.buffer();
        into.put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}); // 16 MiB
        assertNull(reader.nextFrame());
        assertEquals(16 * 1024 * 1024, reader.partialFrameLength());
        reader.buffer();
        assertEquals(FrameReader.INITIAL_CAPACITY, reader.capacity());
    }

    @Test
    void lengthAboveTheLimitIsRefusedBeforeAllocating() {
        FrameReader reader = new FrameReader(1024);
        reader.buffer().put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
        ProtocolException e = assertThrows(ProtocolException.class, reader::nextFrame);
        assertEquals("frame of 4294967295 bytes exceeds the limit of 1024 bytes", e.getMessage());
        assertTrue(reader.capacity() <= FrameReader.INITIAL_CAPACITY);
    }

    @Test
    void frameExactlyAtTheLimitIsAccepted() throws Exception {
        FrameReader reader = new FrameReader(2000);
        Frame f = request(1, 1000);
        byte[] body = f.toByteArray();
        FrameReader exact = new FrameReader(body.length);
        assertEquals(List.of(f), feed(exact, wire(f)));
        assertEquals(List.of(f), feed(reader, wire(f)));
    }

    @Test
    void varintLongerThanFiveBytesIsAProtocolError() {
        FrameReader reader = new FrameReader(1024);
        reader.buffer().put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        ProtocolException e = assertThrows(ProtocolException.class, reader::nextFrame);
        assertTrue(e.getMessage().contains("longer than 5 bytes"), e.getMessage());
    }

    @Test
    void truncatedVarintWaitsForMoreBytes() throws Exception {
        FrameReader reader = new FrameReader(1 << 20);
        byte[] bytes = wire(request(1, 200)); // 2-byte length prefix
        reader.buffer().put(bytes, 0, 1);
        assertNull(reader.nextFrame());
        assertEquals(1, reader.pending());
        reader.buffer().put(bytes, 1, bytes.length - 1);
        assertEquals(request(1, 200), Frame.parseFrom(reader.nextFrame()));
    }

    @Test
    void emptyFrameIsReturnedAsZeroBytes() throws Exception {
        FrameReader reader = new FrameReader(1024);
        reader.buffer().put((byte) 0);
        ByteBuffer frame = reader.nextFrame();
        assertEquals(0, frame.remaining());
        assertNull(reader.nextFrame());
    }

    @Test
    void writerOutputIsReadBackFrameForFrame() throws Exception {
        FrameWriter writer = new FrameWriter(1 << 24);
        FrameReader reader = new FrameReader(1 << 24);
        List<Frame> sent = List.of(request(1, 3), request(2, 70_000), request(3, 0));
        List<Frame> received = new ArrayList<>();
        for (Frame f : sent) {
            ByteBuffer out = writer.encode(f);
            byte[] copy = new byte[out.remaining()];
            out.get(copy);
            assertArrayEquals(wire(f), copy, "writer produces protobuf's delimited framing");
            received.addAll(feed(reader, copy));
        }
        assertEquals(sent, received);
    }

    @Test
    void requestHeadFollowedByItsPayloadIsTheSameFrame() throws Exception {
        FrameWriter writer = new FrameWriter(1 << 24);
        Frame whole = request(9, 100_000);
        Request request = whole.getRequest();
        ByteBuffer head = writer.encodeRequestHead(request.toBuilder().clearPayload().build(), request.getPayload().size());
        byte[] wire = new byte[head.remaining() + request.getPayload().size()];
        head.get(wire, 0, head.remaining());
        request.getPayload().copyTo(wire, wire.length - request.getPayload().size());
        assertEquals(wire(whole).length, wire.length, "same length prefix and size");
        assertEquals(List.of(whole), feed(new FrameReader(1 << 24), wire));
    }

    @Test
    void requestHeadCountsItsPayloadAgainstTheLimit() {
        FrameWriter writer = new FrameWriter(1024);
        Request head = Request.newBuilder().setId(1).setService("s").setMethod("m").build();
        FrameWriter.FrameTooLargeException e = assertThrows(FrameWriter.FrameTooLargeException.class,
                () -> writer.encodeRequestHead(head, 2000));
        assertTrue(e.getMessage().startsWith("frame of 20"), e.getMessage());
    }

    @Test
    void incompleteFrameIsShownAndCanBeDroppedToBeReadElsewhere() throws Exception {
        Frame big = request(4, 200_000);
        byte[] bytes = wire(big);
        FrameReader reader = new FrameReader(1 << 24);
        assertEquals(-1, reader.partialFrameLength());
        reader.buffer().put(bytes, 0, 1000);
        assertNull(reader.nextFrame());
        int length = big.getSerializedSize();
        int prefix = bytes.length - length;
        assertEquals(length, reader.partialFrameLength());
        ByteBuffer partial = reader.partialFrame();
        assertEquals(1000 - prefix, partial.remaining());
        assertEquals(bytes[prefix], partial.get(0));
        assertEquals(FrameReader.INITIAL_CAPACITY, reader.capacity(), "nothing grown before the buffer is asked for");
        reader.dropPartialFrame();
        assertEquals(0, reader.pending());
        assertEquals(-1, reader.partialFrameLength());
        assertThrows(IllegalStateException.class, reader::dropPartialFrame);
        assertEquals(List.of(request(5, 10)), feed(reader, wire(request(5, 10))), "the next frame reads as usual");
    }

    @Test
    void writerRefusesFrameAboveTheLimit() {
        FrameWriter writer = new FrameWriter(1024);
        FrameWriter.FrameTooLargeException e = assertThrows(FrameWriter.FrameTooLargeException.class,
                () -> writer.encode(request(1, 2000)));
        assertTrue(e.getMessage().startsWith("frame of 20"), e.getMessage());
    }
}
