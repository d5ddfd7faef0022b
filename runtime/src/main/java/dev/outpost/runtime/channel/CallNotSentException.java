package dev.outpost.runtime.channel;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;

/**
 * A call that failed before any byte of it reached the plugin (its process was already gone), so
 * it is safe to send again to a new process. Callers see an ordinary UNAVAILABLE.
 */
public final class CallNotSentException extends PluginException {
    private static final long serialVersionUID = 1L;

    public CallNotSentException(String message) {
        super(ErrorCode.UNAVAILABLE, message);
    }
}
