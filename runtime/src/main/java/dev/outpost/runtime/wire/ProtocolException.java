package dev.outpost.runtime.wire;

import java.io.IOException;

/** The peer broke the wire protocol: the connection cannot be trusted any more. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
