package dev.outpost.runtime.channel;

import dev.outpost.protocol.v1.Code;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Pong;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import java.util.function.Consumer;

/**
 * What the host answers when a plugin asks: a Pong for each Ping; its Requests and Cancels go to
 * the {@link RequestHandler} that serves it once its handshake is done. Before that, or for a
 * plugin that may call nothing, a Request is answered PERMISSION_DENIED. The answers go out through
 * {@code send}, which must not block.
 */
final class PluginRequests {
    private static final int MAX_NAME_CHARS = 128;

    /** Writes a frame from the calling thread, waiting for room up to the channel's write timeout. */
    interface BlockingSend {
        void send(Frame frame) throws java.io.IOException;
    }

    private final Consumer<Frame> send;
    private final BlockingSend blockingSend;
    private final Consumer<String> stalled;
    private final Consumer<Response> answer = this::answer;
    private volatile RequestHandler handler;
    private volatile boolean closed;

    /** @param stalled told why, when the plugin leaves an answer unread past the write timeout */
    PluginRequests(Consumer<Frame> send, BlockingSend blockingSend, Consumer<String> stalled) {
        this.send = send;
        this.blockingSend = blockingSend;
        this.stalled = stalled;
    }

    /** See {@link RequestHandler#queued}. */
    private void answer(Response r) {
        Frame frame = Frame.newBuilder().setResponse(r).build();
        if (RequestHandler.queued(r)) {
            send.accept(frame);
            return;
        }
        try {
            blockingSend.send(frame);
        } catch (dev.outpost.runtime.wire.FrameWriter.FrameTooLargeException e) {
            send.accept(Frame.newBuilder().setResponse(Response.newBuilder().setId(r.getId())
                    .setError(Error.newBuilder().setCode(Code.RESOURCE_EXHAUSTED)
                            .setMessage("the answer does not fit in a frame: " + e.getMessage()))).build());
        } catch (FrameSender.WriteStalledException e) {
            stalled.accept("it does not read the answers to its calls: " + e.getMessage());
        } catch (java.io.IOException e) {
            // the connection broke meanwhile (it reports that itself), or the runtime is stopping
        }
    }

    /** From now on requests go to {@code h} (null: none are served); a later {@link #close} closes it. */
    void serveWith(RequestHandler h) {
        synchronized (this) {
            if (!closed) {
                handler = h;
                return;
            }
        }
        if (h != null) {
            h.closed(); // the connection went before the handler came
        }
    }

    /** Whether the frame was a plugin's request, and has been handled. */
    boolean handle(Frame frame) throws dev.outpost.runtime.wire.ProtocolException {
        switch (frame.getKindCase()) {
            case PING -> send.accept(Frame.newBuilder()
                    .setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
            case REQUEST -> {
                RequestHandler h = handler;
                if (h == null) {
                    answer.accept(denied(frame.getRequest()));
                } else {
                    h.request(frame.getRequest(), answer);
                }
            }
            case CANCEL -> {
                RequestHandler h = handler;
                if (h != null) {
                    h.cancel(frame.getCancel().getId());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The connection is gone; the handler is told once. */
    void close() {
        RequestHandler h;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            h = handler;
        }
        if (h != null) {
            h.closed();
        }
    }

    /** The answer names the service asked for, cut short: its length is the plugin's to choose. */
    private static Response denied(Request request) {
        return Response.newBuilder().setId(request.getId())
                .setError(Error.newBuilder().setCode(Code.PERMISSION_DENIED)
                        .setMessage("the plugin may not call " + shortened(request.getService())
                                + ": its bundle imports no host services")).build();
    }

    static String shortened(String s) {
        if (s.length() <= MAX_NAME_CHARS) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_NAME_CHARS - 1)) ? MAX_NAME_CHARS - 1 : MAX_NAME_CHARS;
        return s.substring(0, end) + "...";
    }
}
