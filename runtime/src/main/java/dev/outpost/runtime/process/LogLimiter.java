package dev.outpost.runtime.process;

import java.util.function.LongSupplier;

/**
 * Bounds how many lines one plugin can put into the host's log (a token bucket: a burst, then a
 * steady rate). A plugin that floods is not stopped, its excess lines are counted and reported
 * as one line when logging resumes. Thread-safe.
 */
final class LogLimiter {
    static final int BURST = 500;
    static final int PER_SECOND = 200;

    private final LongSupplier nanoClock;
    private double tokens = BURST;
    private long last;
    private long suppressed;

    LogLimiter() {
        this(System::nanoTime);
    }

    LogLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.last = nanoClock.getAsLong();
    }

    /**
     * Whether a line may be logged now. When it may, and lines were dropped before it,
     * {@code onSuppressed} hears how many first.
     */
    synchronized boolean admit(java.util.function.LongConsumer onSuppressed) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(BURST, tokens + (now - last) * PER_SECOND / 1e9);
        last = now;
        if (tokens < 1) {
            suppressed++;
            return false;
        }
        tokens -= 1;
        if (suppressed > 0) {
            onSuppressed.accept(suppressed);
            suppressed = 0;
        }
        return true;
    }
}
