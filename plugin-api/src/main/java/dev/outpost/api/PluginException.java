package dev.outpost.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A failed plugin call, with the {@link ErrorCode} that says why. */
public class PluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public PluginException(ErrorCode code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public PluginException(ErrorCode code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** The {@code PluginException} inside a future's failure, or an INTERNAL one wrapping it. */
    static PluginException unwrap(Exception e) {
        Throwable cause = (e instanceof ExecutionException || e instanceof CompletionException)
                && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof PluginException) {
            PluginException p = (PluginException) cause;
            // a fresh exception so the stack trace shows the caller, the original as cause
            return new PluginException(p.code, stripCode(p), p);
        }
        return new PluginException(ErrorCode.INTERNAL, String.valueOf(cause), cause);
    }

    private static String stripCode(PluginException p) {
        String prefix = p.code + ": ";
        String m = p.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
