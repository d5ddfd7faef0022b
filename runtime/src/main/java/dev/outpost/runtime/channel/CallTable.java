package dev.outpost.runtime.channel;

import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.wire.Codes;
import dev.outpost.runtime.wire.ProtocolException;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The calls in flight on one channel, by id, and the matching of answers to them. Ids start at 1
 * and only grow, so an answer to an id that was never issued (a protocol error) is told apart from
 * a late answer to one that timed out (dropped). Once {@link #close closed}, every pending and
 * every new call fails with the closing reason. Thread-safe.
 */
final class CallTable {
    private final Map<Long, PendingCall> calls = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final LongConsumer cancelSender;
    private volatile ErrorCode closedCode;
    private volatile String closedReason;

    /** {@code cancelSender} sends a Cancel for the given id; it must not block. */
    CallTable(LongConsumer cancelSender) {
        this.cancelSender = cancelSender;
    }

    /** Registers a new call; if the calls are closed, the returned call has already failed. */
    PendingCall open(String service, String method, String callee) {
        PendingCall call = new PendingCall(lastId.incrementAndGet(), service, method, callee, this);
        calls.put(call.id, call);
        if (closedReason != null) {
            call.fail(closedCode, closedReason);
        }
        return call;
    }

    /** The call with this id, removed; {@code null} if it was already finished or never issued. */
    PendingCall take(long id) {
        return calls.remove(id);
    }

    /** Whether {@code id} was handed out by {@link #open}. */
    boolean wasIssued(long id) {
        return id > 0 && id <= lastId.get();
    }

    /** Whether a call with this id waits for its answer now. */
    boolean isPending(long id) {
        return calls.containsKey(id);
    }

    /**
     * Completes the call a response answers; a late answer (the call timed out or was cancelled)
     * is dropped.
     *
     * @throws ProtocolException for a response to an id that was never issued
     */
    void answer(Response response) throws ProtocolException {
        PendingCall call = answered(response.getId());
        if (call == null) {
            return;
        }
        if (response.getResultCase() == Response.ResultCase.ERROR) {
            Error error = response.getError();
            call.fail(Codes.toApi(error.getCode()), call.description() + ": " + error.getMessage());
        } else {
            call.complete(response.getPayload().toByteArray());
        }
    }

    /** Completes call {@code id} with a payload read straight into {@code payload}, which its caller gets. */
    void answer(long id, byte[] payload) throws ProtocolException {
        PendingCall call = answered(id);
        if (call != null) {
            call.complete(payload);
        }
    }

    private PendingCall answered(long id) throws ProtocolException {
        PendingCall call = take(id);
        if (call == null && !wasIssued(id)) {
            throw new ProtocolException("response to call " + id + ", which was never sent");
        }
        return call;
    }

    int size() {
        return calls.size();
    }

    /** Fails every pending call, and every later one, with {@code code} and {@code reason}. Idempotent. */
    void close(ErrorCode code, String reason) {
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedCode = code;
            closedReason = reason;
        }
        for (PendingCall call : new ArrayList<>(calls.values())) {
            call.fail(code, reason);
        }
    }

    void remove(PendingCall call) {
        calls.remove(call.id, call);
    }

    void cancelled(PendingCall call) {
        if (closedReason == null) {
            cancelSender.accept(call.id);
        }
    }
}
