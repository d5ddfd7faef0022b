package dev.outpost.runtime.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.protocol.v1.Code;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.wire.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CallTableTest {
    @Test
    void answeredCallIsRemovedAndLateAnswerIsRecognised() throws Exception {
        CallTable calls = new CallTable(id -> { });
        PendingCall c = calls.open("s", "a", "fx");
        assertEquals(1, c.id);
        assertSame(c, calls.take(1));
        c.complete(new byte[] {1});
        assertNull(calls.take(1));
        assertTrue(calls.wasIssued(1), "a late answer to an issued id is not a protocol error");
        assertFalse(calls.wasIssued(2), "an id never issued is");
        assertFalse(calls.wasIssued(0));
    }

    @Test
    void closingFailsPendingAndLaterCallsWithTheReason() {
        CallTable calls = new CallTable(id -> { });
        PendingCall pending = calls.open("s", "a", "fx");
        calls.close(ErrorCode.UNAVAILABLE, "echo is stopping");
        ExecutionException e = assertThrows(ExecutionException.class, pending::get);
        assertEquals(ErrorCode.UNAVAILABLE, ((PluginException) e.getCause()).code());
        assertEquals("UNAVAILABLE: echo is stopping", e.getCause().getMessage());
        PendingCall later = calls.open("s", "b", "fx");
        assertTrue(later.isCompletedExceptionally());
        assertEquals(0, calls.size());
    }

    @Test
    void cancellingACallSendsCancelAndForgetsIt() {
        List<Long> cancels = new ArrayList<>();
        CallTable calls = new CallTable(cancels::add);
        calls.open("s", "a", "fx");
        PendingCall b = calls.open("s", "b", "fx");
        b.cancel(true);
        assertEquals(List.of(2L), cancels);
        assertEquals(1, calls.size());
    }

    @Test
    void anAnswerCompletesItsCallAndAnErrorAnswerFailsItWithTheWireCode() throws Exception {
        CallTable calls = new CallTable(id -> { });
        PendingCall ok = calls.open("s", "a", "fx (pid 1)");
        PendingCall bad = calls.open("s", "b", "fx (pid 1)");
        calls.answer(Response.newBuilder().setId(ok.id).setPayload(ByteString.copyFromUtf8("yes")).build());
        calls.answer(Response.newBuilder().setId(bad.id).setError(dev.outpost.protocol.v1.Error.newBuilder()
                .setCode(Code.INVALID_ARGUMENT).setMessage("no such level")).build());
        assertArrayEquals("yes".getBytes(StandardCharsets.UTF_8), ok.get());
        ExecutionException e = assertThrows(ExecutionException.class, bad::get);
        assertEquals(ErrorCode.INVALID_ARGUMENT, ((PluginException) e.getCause()).code());
        assertEquals("INVALID_ARGUMENT: s/b of fx (pid 1): no such level", e.getCause().getMessage());
        assertEquals(0, calls.size());
    }

    @Test
    void aLateAnswerIsDroppedAndAnAnswerToAnIdNeverSentIsAProtocolError() throws Exception {
        CallTable calls = new CallTable(id -> { });
        PendingCall c = calls.open("s", "a", "fx");
        c.fail(ErrorCode.DEADLINE_EXCEEDED, "too slow");
        calls.answer(Response.newBuilder().setId(c.id).build()); // late: dropped, no error
        calls.answer(c.id, new byte[] {1});
        ProtocolException never = assertThrows(ProtocolException.class,
                () -> calls.answer(Response.newBuilder().setId(7).build()));
        assertEquals("response to call 7, which was never sent", never.getMessage());
        assertThrows(ProtocolException.class, () -> calls.answer(0, new byte[0]));
    }

    @Test
    void aPayloadReadStraightIntoItsArrayIsHandedOverAsIs() throws Exception {
        CallTable calls = new CallTable(id -> { });
        PendingCall c = calls.open("s", "a", "fx");
        assertTrue(calls.isPending(c.id));
        byte[] payload = new byte[] {1, 2, 3};
        calls.answer(c.id, payload);
        assertSame(payload, c.get());
        assertFalse(calls.isPending(c.id));
    }
}
