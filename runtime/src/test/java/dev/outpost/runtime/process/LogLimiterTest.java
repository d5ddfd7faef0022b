package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LogLimiter limiter = new LogLimiter(now::get);
    private final List<Long> reported = new ArrayList<>();

    private boolean admit() {
        return limiter.admit(reported::add);
    }

    @Test
    void aBurstIsAdmittedThenLinesAreDroppedAndCounted() {
        for (int i = 0; i < LogLimiter.BURST; i++) {
            assertTrue(admit(), "line " + i);
        }
        for (int i = 0; i < 7; i++) {
            assertFalse(admit());
        }
        assertEquals(List.of(), reported, "nothing is reported while lines are dropped");
    }

    @Test
    void whenLoggingResumesTheDroppedLinesAreReportedOnceWithTheirCount() {
        for (int i = 0; i < LogLimiter.BURST + 7; i++) {
            admit();
        }
        now.addAndGet(1_000_000_000L / LogLimiter.PER_SECOND); // one token's worth of time
        assertTrue(admit());
        assertEquals(List.of(7L), reported);
        assertFalse(admit());
        assertEquals(List.of(7L), reported);
    }

    @Test
    void theSteadyRateRefillsButNeverBeyondTheBurst() {
        for (int i = 0; i < LogLimiter.BURST; i++) {
            admit();
        }
        now.addAndGet(3_600_000_000_000L); // an hour later
        int admitted = 0;
        while (admit()) {
            admitted++;
        }
        assertEquals(LogLimiter.BURST, admitted);
    }

    @Test
    void underAFloodTheNoticeComesAtMostOncePerIntervalWithTheCount() {
        for (int second = 0; second < 30; second++) { // 30 s of 10,000 lines a second
            for (int i = 0; i < 10_000; i++) {
                now.addAndGet(100_000L);
                admit();
            }
        }
        assertTrue(reported.size() <= 30 / LogLimiter.NOTICE_SECONDS + 1, "notices: " + reported.size());
        long logged = 30L * 10_000 - reported.stream().mapToLong(Long::longValue).sum();
        assertTrue(logged > 0 && logged < 30L * 10_000, "some logged, the rest counted: " + reported);
    }

    @Test
    void whatWasDroppedLastIsReportedWhenTheProcessEnds() {
        for (int i = 0; i < LogLimiter.BURST + 3; i++) {
            admit();
        }
        limiter.flush(reported::add);
        assertEquals(List.of(3L), reported);
        limiter.flush(reported::add);
        assertEquals(List.of(3L), reported, "nothing more to report");
    }
}
