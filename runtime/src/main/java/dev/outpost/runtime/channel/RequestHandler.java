package dev.outpost.runtime.channel;

import com.google.protobuf.CodedOutputStream;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.wire.ProtocolException;
import java.util.function.Consumer;

/**
 * What serves the calls one plugin process makes to the host. The channel calls it on the thread
 * that read the frame (the reactor's, or a caller's reading its own answer), so none of its
 * methods may block or wait for anything. Answers go out through the {@code answer} given with each
 * request. One that {@link #queued} says fits is queued in the channel's bounded outbox and never
 * blocks; a larger one is written from the calling thread, which waits for room up to the
 * channel's write timeout: give large answers only from a thread that may wait (a plugin that does
 * not read them within that time breaks the protocol). One too large for a frame goes out as a
 * RESOURCE_EXHAUSTED error instead.
 */
public interface RequestHandler {
    /**
     * Answers up to this size (the whole frame) never block the thread that gives them. Small
     * enough that a plugin's open calls all answered at once (64 by default) fit in the outbox.
     */
    int QUEUED_ANSWER_BYTES = 8 * 1024;

    /** Whether the answer goes out queued, without blocking the thread that gives it. */
    static boolean queued(Response r) {
        return CodedOutputStream.computeMessageSize(Frame.RESPONSE_FIELD_NUMBER, r) <= QUEUED_ANSWER_BYTES;
    }

    /**
     * Serves {@code request}; its answer, exactly one, goes to {@code answer}, now or later, from any thread.
     *
     * @throws ProtocolException when the request breaks the protocol (the connection is then broken)
     */
    void request(Request request, Consumer<Response> answer) throws ProtocolException;

    /** The plugin cancelled its request {@code id}: answer it CANCELLED, if it is still open. */
    void cancel(long id);

    /** The connection is gone: abandon what is open; nothing can be answered any more. Called once. */
    void closed();
}
