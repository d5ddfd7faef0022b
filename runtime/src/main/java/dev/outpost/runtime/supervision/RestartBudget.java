package dev.outpost.runtime.supervision;

import java.util.ArrayDeque;

/**
 * The restart intensity of one plugin, as Erlang/OTP supervisors and systemd's StartLimitBurst
 * count it: at most {@code intensity} restarts within a sliding window of {@code periodMillis}.
 * Not thread-safe: its supervisor guards it.
 */
final class RestartBudget {
    private final int intensity;
    private final long periodMillis;
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();

    RestartBudget(int intensity, long periodMillis) {
        this.intensity = intensity;
        this.periodMillis = periodMillis;
    }

    /** Takes one restart at {@code nowMillis} if the window has room; false when spent. */
    boolean take(long nowMillis) {
        forgetBefore(nowMillis - periodMillis);
        if (restarts.size() >= intensity) {
            return false;
        }
        restarts.addLast(nowMillis);
        return true;
    }

    /** Restarts taken within the window ending at {@code nowMillis}. */
    int recent(long nowMillis) {
        forgetBefore(nowMillis - periodMillis);
        return restarts.size();
    }

    private void forgetBefore(long oldest) {
        while (!restarts.isEmpty() && restarts.peekFirst() <= oldest) {
            restarts.removeFirst();
        }
    }
}
