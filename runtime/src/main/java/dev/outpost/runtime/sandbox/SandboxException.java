package dev.outpost.runtime.sandbox;

/** A plugin cannot be given the sandbox it needs; the message says why, and the start fails with it. */
public final class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;

    SandboxException(String message) {
        super(message);
    }
}
