package dev.outpost.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PendingCallsTest {
    @Test
    void answeredCallIsRemovedAndLateAnswerIsRecognised() throws Exception {
        PendingCalls calls = new PendingCalls(id -> { });
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
        PendingCalls calls = new PendingCalls(id -> { });
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
        PendingCalls calls = new PendingCalls(cancels::add);
        calls.open("s", "a", "fx");
        PendingCall b = calls.open("s", "b", "fx");
        b.cancel(true);
        assertEquals(List.of(2L), cancels);
        assertEquals(1, calls.size());
    }
}
