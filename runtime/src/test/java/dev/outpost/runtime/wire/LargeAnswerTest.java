package dev.outpost.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.outpost.protocol.v1.Code;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LargeAnswerTest {

    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 13 + 5);
        }
        return b;
    }

    private static byte[] answer(long id, byte[] payload) {
        return Frame.newBuilder().setResponse(Response.newBuilder().setId(id)
                .setPayload(ByteString.copyFrom(payload))).build().toByteArray();
    }

    private static ByteBuffer first(byte[] frame, int n) {
        return ByteBuffer.wrap(Arrays.copyOf(frame, n)).asReadOnlyBuffer();
    }

    private static final java.util.function.LongPredicate ANY = id -> true;

    @Test
    void answerWithItsPayloadLastIsReadIntoAnArrayOfItsOwn() {
        byte[] payload = payload(100_000);
        byte[] frame = answer(7, payload);
        LargeAnswer answer = LargeAnswer.begin(first(frame, 1000), frame.length, ANY, new ReceiveBudget(Long.MAX_VALUE));
        assertNotNull(answer);
        assertEquals(7, answer.id);
        assertFalse(answer.isComplete());
        ByteBuffer rest = answer.rest();
        assertEquals(frame.length - 1000, rest.remaining(), "the bytes received so far were taken");
        assertThrows(IllegalStateException.class, answer::payload);
        rest.put(frame, 1000, frame.length - 1000);
        assertTrue(answer.isComplete());
        assertArrayEquals(payload, answer.payload());
    }

    @Test
    void answerToCallZeroHasNoIdFieldAndIsStillRecognised() {
        byte[] payload = payload(50_000);
        byte[] frame = answer(0, payload);
        LargeAnswer answer = LargeAnswer.begin(first(frame, 20), frame.length, ANY, new ReceiveBudget(Long.MAX_VALUE));
        assertNotNull(answer);
        assertEquals(0, answer.id);
        answer.rest().put(frame, 20, frame.length - 20);
        assertArrayEquals(payload, answer.payload());
    }

    @Test
    void framesOfAnyOtherShapeAreLeftToTheGeneralPath() throws Exception {
        byte[] request = Frame.newBuilder().setRequest(Request.newBuilder().setId(1).setService("s").setMethod("m")
                .setPayload(ByteString.copyFrom(payload(40_000)))).build().toByteArray();
        assertNull(LargeAnswer.begin(first(request, 100), request.length, ANY, new ReceiveBudget(Long.MAX_VALUE)), "a request");

        byte[] error = Frame.newBuilder().setResponse(Response.newBuilder().setId(2).setError(Error.newBuilder()
                .setCode(Code.INTERNAL).setMessage("x".repeat(40_000)))).build().toByteArray();
        assertNull(LargeAnswer.begin(first(error, 100), error.length, ANY, new ReceiveBudget(Long.MAX_VALUE)), "an error answer");

        // the payload followed by another field (an unknown one): the payload does not end the frame
        byte[] body = Response.newBuilder().setId(3).setPayload(ByteString.copyFrom(payload(40_000))).build().toByteArray();
        byte[] extended = Arrays.copyOf(body, body.length + 2);
        extended[body.length] = (byte) (15 << 3); // field 15, varint 1
        extended[body.length + 1] = 1;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(Frame.RESPONSE_FIELD_NUMBER, extended);
        out.flush();
        byte[] shaped = bytes.toByteArray();
        assertNull(LargeAnswer.begin(first(shaped, 100), shaped.length, ANY, new ReceiveBudget(Long.MAX_VALUE)), "a field after the payload");
    }

    @Test
    void headNotAllInYetIsAskedForAgainLater() {
        byte[] frame = answer(300, payload(70_000)); // head: 1 + 3 (response) + 1 + 2 (id) + 1 + 3 (payload) bytes
        assertNull(LargeAnswer.begin(first(frame, 10), frame.length, ANY, new ReceiveBudget(Long.MAX_VALUE)), "the payload length is not all in");
        LargeAnswer answer = LargeAnswer.begin(first(frame, 11), frame.length, ANY, new ReceiveBudget(Long.MAX_VALUE));
        assertNotNull(answer);
        assertEquals(70_000, answer.rest().remaining());
    }

    @Test
    void completeFrameIsNotALargeAnswer() {
        byte[] frame = answer(1, payload(20_000));
        assertThrows(IllegalArgumentException.class, () -> LargeAnswer.begin(first(frame, frame.length), frame.length,
                ANY, new ReceiveBudget(Long.MAX_VALUE)));
    }

    @Test
    void anAnswerToNoWaitingCallTakesTheGeneralPath() {
        byte[] frame = answer(7, payload(100_000));
        assertNull(LargeAnswer.begin(first(frame, 1000), frame.length, id -> id != 7, new ReceiveBudget(Long.MAX_VALUE)));
    }

    @Test
    void withinTheBudgetTheWholeArrayIsMadeAtOnceAndTheReservationIsGivenBack() {
        byte[] payload = payload(100_000);
        byte[] frame = answer(7, payload);
        ReceiveBudget budget = new ReceiveBudget(1_000_000);
        LargeAnswer answer = LargeAnswer.begin(first(frame, 1000), frame.length, ANY, budget);
        assertEquals(100_000, budget.reserved());
        assertEquals(frame.length - 1000, answer.rest().remaining(), "room for all of it at once");
        answer.rest().put(frame, 1000, frame.length - 1000);
        assertArrayEquals(payload, answer.payload());
        assertEquals(0, budget.reserved());
    }

    @Test
    void beyondTheBudgetMemoryGrowsOnlyWithTheBytesThatArrive() {
        byte[] payload = payload(1_000_000);
        byte[] frame = answer(7, payload);
        ReceiveBudget budget = new ReceiveBudget(10_000);
        LargeAnswer answer = LargeAnswer.begin(first(frame, 1000), frame.length, ANY, budget);
        assertEquals(0, budget.reserved());
        assertTrue(answer.rest().capacity() <= 64 * 1024, "no more than a first chunk before bytes come: "
                + answer.rest().capacity());
        int at = 1000;
        while (!answer.isComplete()) {
            ByteBuffer rest = answer.rest();
            assertTrue(rest.capacity() <= Math.max(64 * 1024, 2L * answer.received()) + 16,
                    "at most twice what arrived: " + rest.capacity() + " for " + answer.received());
            int n = Math.min(rest.remaining(), Math.min(7_000, frame.length - at));
            rest.put(frame, at, n);
            at += n;
        }
        assertArrayEquals(payload, answer.payload());
    }

    @Test
    void anAbandonedAnswerGivesItsReservationBack() {
        byte[] frame = answer(7, payload(100_000));
        ReceiveBudget budget = new ReceiveBudget(1_000_000);
        LargeAnswer answer = LargeAnswer.begin(first(frame, 1000), frame.length, ANY, budget);
        answer.abandon();
        answer.abandon();
        assertEquals(0, budget.reserved());
    }
}
