package dev.outpost.runtime;

import dev.outpost.api.ErrorCode;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The calls in flight on one channel, by id. Ids start at 1 and only grow, so an answer to an id
 * that was never issued is told apart from a late answer to one that timed out. Once
 * {@link #close closed}, every pending and every new call fails with the closing reason.
 */
final class PendingCalls {
    private final Map<Long, PendingCall> calls = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final LongConsumer cancelSender;
    private volatile ErrorCode closedCode;
    private volatile String closedReason;

    /** {@code cancelSender} sends a Cancel for the given id; it must not block for long. */
    PendingCalls(LongConsumer cancelSender) {
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

    int size() {
        return calls.size();
    }

    boolean isClosed() {
        return closedReason != null;
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
