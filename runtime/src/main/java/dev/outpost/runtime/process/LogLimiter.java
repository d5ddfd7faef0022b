package dev.outpost.runtime.process;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Bounds how many lines one plugin can put into the host's log (a token bucket: a burst of
 * {@value #BURST}, then {@value #PER_SECOND} a second). A plugin that floods is not stopped: its
 * excess lines are counted, and the count is reported in one line at most every
 * {@value #NOTICE_SECONDS} seconds (so that the notices are not a flood of their own), and once
 * more when the plugin's process ends ({@link #flush}). Thread-safe.
 */
final class LogLimiter {
    static final int BURST = 500;
    static final int PER_SECOND = 200;
    static final int NOTICE_SECONDS = 10;

    private final LongSupplier nanoClock;
    private double tokens = BURST;
    private long last;
    private long suppressed;
    private long lastNotice;

    LogLimiter() {
        this(System::nanoTime);
    }

    LogLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.last = nanoClock.getAsLong();
        this.lastNotice = last - NOTICE_SECONDS * 1_000_000_000L;
    }

    /**
     * Whether a line may be logged now. When it may, and lines were dropped since the last notice,
     * and the last notice is at least {@value #NOTICE_SECONDS} s old, {@code onSuppressed} hears how
     * many first.
     */
    synchronized boolean admit(LongConsumer onSuppressed) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(BURST, tokens + (now - last) * PER_SECOND / 1e9);
        last = now;
        if (tokens < 1) {
            suppressed++;
            return false;
        }
        tokens -= 1;
        if (suppressed > 0 && now - lastNotice >= NOTICE_SECONDS * 1_000_000_000L) {
            notice(onSuppressed, now);
        }
        return true;
    }

    /** Reports the lines dropped since the last notice, if any (the process ended). */
    synchronized void flush(LongConsumer onSuppressed) {
        if (suppressed > 0) {
            notice(onSuppressed, nanoClock.getAsLong());
        }
    }

    private void notice(LongConsumer onSuppressed, long now) {
        onSuppressed.accept(suppressed);
        suppressed = 0;
        lastNotice = now;
    }
}
