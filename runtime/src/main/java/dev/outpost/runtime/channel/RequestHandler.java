package dev.outpost.runtime.channel;

import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import java.util.function.Consumer;

/**
 * What serves the calls one plugin process makes to the host. The channel calls it on the thread
 * that read the frame (the reactor's, or a caller's reading its own answer), so none of its
 * methods may block or wait for anything. Answers go out through the {@code answer} given with each
 * request. An answer of at most {@link #QUEUED_ANSWER_BYTES} is queued in the channel's bounded
 * outbox and never blocks; a larger one is written from the calling thread, which waits for room
 * up to the channel's write timeout: give large answers only from a thread that may wait. One too
 * large for a frame goes out as a RESOURCE_EXHAUSTED error instead.
 */
public interface RequestHandler {
    /** Answers up to this size never block the thread that gives them. */
    int QUEUED_ANSWER_BYTES = 64 * 1024;

    /** Serves {@code request}; its answer, exactly one, goes to {@code answer}, now or later, from any thread. */
    void request(Request request, Consumer<Response> answer);

    /** The plugin cancelled its request {@code id}: answer it CANCELLED, if it is still open. */
    void cancel(long id);

    /** The connection is gone: abandon what is open; nothing can be answered any more. Called once. */
    void closed();
}
