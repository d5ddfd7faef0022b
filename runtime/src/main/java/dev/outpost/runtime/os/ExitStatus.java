package dev.outpost.runtime.os;

/**
 * How a reaped child ended: {@code code} is its exit code (0 to 255) when it exited, {@code signal}
 * the signal that killed it (then code is 0). Exactly one of the two kinds applies. A plain value:
 * it owns no pid or fd.
 */
public record ExitStatus(int code, int signal) {
    public ExitStatus {
        if (code < 0 || code > 255 || signal < 0 || signal > 64 || (code != 0 && signal != 0)) {
            throw new IllegalArgumentException("exit code " + code + " with signal " + signal);
        }
    }

    /** signal != 0 */
    public boolean signaled() {
        return signal != 0;
    }

    /** "exited with 0" or "killed by signal 9 (SIGKILL)" */
    public String describe() {
        return signaled()
                ? "killed by signal " + signal + " (" + Signals.name(signal) + ")"
                : "exited with " + code;
    }
}
