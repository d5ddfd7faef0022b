package dev.outpost.runtime.channel;

import dev.outpost.protocol.v1.Code;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Pong;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import java.util.function.Consumer;

/**
 * What the host answers when a plugin asks: a Pong for each Ping, and for each Request an
 * UNIMPLEMENTED error (this host offers plugins no services yet); a Cancel has nothing to cancel.
 * The answers go out through {@code send}, which must not block. Holds no state.
 */
final class PluginRequests {
    private static final int MAX_NAME_CHARS = 128;

    private final Consumer<Frame> send;

    PluginRequests(Consumer<Frame> send) {
        this.send = send;
    }

    /** Whether the frame was a plugin's request, and has been answered. */
    boolean handle(Frame frame) {
        switch (frame.getKindCase()) {
            case PING -> send.accept(Frame.newBuilder()
                    .setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
            case REQUEST -> send.accept(unimplemented(frame.getRequest()));
            case CANCEL -> {
                // the host serves no calls, so there is nothing to cancel
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The answer names the service asked for, cut short: its length is the plugin's to choose. */
    private static Frame unimplemented(Request request) {
        return Frame.newBuilder().setResponse(Response.newBuilder().setId(request.getId())
                .setError(Error.newBuilder().setCode(Code.UNIMPLEMENTED)
                        .setMessage("the host provides no service " + shortened(request.getService())))).build();
    }

    static String shortened(String s) {
        if (s.length() <= MAX_NAME_CHARS) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(MAX_NAME_CHARS - 1)) ? MAX_NAME_CHARS - 1 : MAX_NAME_CHARS;
        return s.substring(0, end) + "...";
    }
}
