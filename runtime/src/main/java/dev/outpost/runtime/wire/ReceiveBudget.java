package dev.outpost.runtime.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory every channel of one runtime may set aside, together, for answers whose bytes have
 * not arrived yet (see {@link LargeAnswer}). A plugin that announces a large answer and sends
 * nothing holds its part of the budget until its call ends; once the budget is spent, answers are
 * received into memory that grows with their bytes instead. Thread-safe.
 */
public final class ReceiveBudget {
    private final long max;
    private final AtomicLong reserved = new AtomicLong();

    public ReceiveBudget(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("budget " + maxBytes);
        }
        this.max = maxBytes;
    }

    /** Sets {@code bytes} aside if the budget has room; whether it did. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > max) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back what {@link #tryReserve} set aside. */
    public void release(long bytes) {
        if (bytes > 0) {
            reserved.addAndGet(-bytes);
        }
    }

    /** Bytes set aside now. */
    public long reserved() {
        return reserved.get();
    }
}
