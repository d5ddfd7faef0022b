package dev.outpost.runtime;

import java.io.IOException;

/** The peer broke the wire protocol: the connection cannot be trusted any more. */
final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }

    ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
