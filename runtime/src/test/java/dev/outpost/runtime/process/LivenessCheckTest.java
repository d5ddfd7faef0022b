package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.protocol.v1.Frame;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LivenessCheckTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final java.util.concurrent.atomic.AtomicInteger ticks = new java.util.concurrent.atomic.AtomicInteger();

    {
        timer.setRemoveOnCancelPolicy(true);
    }
    private final List<Long> pings = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;
    private final LivenessCheck check = new LivenessCheck();
    private final LivenessCheck.Pings channel = new LivenessCheck.Pings() {
        @Override
        public void send(Frame ping) {
            pings.add(ping.getPing().getNonce());
        }

        @Override
        public boolean isOpen() {
            ticks.incrementAndGet();
            return open;
        }
    };

    @AfterEach
    void stop() {
        check.cancel();
        timer.shutdownNow();
    }

    @Test
    void aPluginThatNeverAnswersIsDeclaredUnresponsiveOnceAfterItsMisses() throws Exception {
        CompletableFuture<String> unresponsive = new CompletableFuture<>();
        List<String> told = new CopyOnWriteArrayList<>();
        check.start(timer, 5, 3, channel, "fx", reason -> {
            told.add(reason);
            unresponsive.complete(reason);
        });
        String reason = unresponsive.get(10, TimeUnit.SECONDS);
        assertEquals("fx is unresponsive: 3 pings in a row went unanswered (5 ms apart)", reason);
        assertEquals(List.of(1L, 2L, 3L), pings);
        assertTrue(timer.getQueue().isEmpty(), "the check stopped itself: no more ticks, no second report");
        assertEquals(1, told.size());
    }

    @Test
    void everyPongStartsTheCountAfresh() throws Exception {
        CompletableFuture<String> unresponsive = new CompletableFuture<>();
        check.start(timer, 2, 2, new LivenessCheck.Pings() {
            @Override
            public void send(Frame ping) {
                pings.add(ping.getPing().getNonce());
                if (pings.size() < 20) {
                    check.answered(); // the plugin answers the first 19 pings at once
                }
            }

            @Override
            public boolean isOpen() {
                return true;
            }
        }, "fx", unresponsive::complete);
        unresponsive.get(10, TimeUnit.SECONDS);
        assertTrue(pings.size() >= 21, "answered pings never count: " + pings);
        assertEquals(List.of(1L, 1L, 1L), pings.subList(0, 3));
    }

    @Test
    void nothingIsSentOverABrokenConnectionAndAZeroIntervalNeverPings() throws Exception {
        LivenessCheck never = new LivenessCheck();
        never.start(timer, 0, 1, channel, "fx", r -> pings.add(-2L));
        assertTrue(timer.getQueue().isEmpty(), "a zero interval schedules nothing");
        open = false;
        check.start(timer, 2, 1, channel, "fx", r -> pings.add(-1L));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ticks.get() < 10 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(ticks.get() >= 10, "ticks: " + ticks);
        assertEquals(List.of(), pings);
    }
}
