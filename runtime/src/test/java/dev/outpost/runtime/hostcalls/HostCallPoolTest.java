package dev.outpost.runtime.hostcalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostCallPoolTest {
    private HostCallPool pool;

    private HostCallPool pool(int threads, int running) {
        pool = new HostCallPool(new HostCallLimits(threads, running, 64, 1 << 20, 30_000, 1 << 20));
        return pool;
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void aLaneRunsAtMostItsShareOfThreadsAtOnce() throws Exception {
        HostCallPool.Lane lane = pool(8, 2).lane();
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            assertTrue(lane.submit(() -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                now.decrementAndGet();
                done.countDown();
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (now.get() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(2, now.get(), "two run");
        assertEquals(18, lane.waiting(), "the others wait, although six threads are free");
        release.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(2, most.get());
        assertTrue(pool.threads() <= 8, "threads: " + pool.threads());
    }

    @Test
    void aLaneWhoseCallsBlockDoesNotKeepAnotherLanesCallsWaiting() throws Exception {
        HostCallPool p = pool(3, 2);
        HostCallPool.Lane flood = p.lane();
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 100; i++) {
            flood.submit(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        CountDownLatch served = new CountDownLatch(5);
        HostCallPool.Lane healthy = p.lane();
        for (int i = 0; i < 5; i++) {
            healthy.submit(served::countDown);
        }
        assertTrue(served.await(10, TimeUnit.SECONDS), "the healthy lane was served while the other blocks");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (flood.waiting() > 98 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(98, flood.waiting(), "the blocking lane holds two threads, the rest of it waits");
        release.countDown();
    }

    @Test
    void anInterruptMeantForOneTaskDoesNotReachTheNext() throws Exception {
        HostCallPool.Lane lane = pool(1, 1).lane();
        AtomicBoolean nextSawInterrupt = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(1);
        lane.submit(() -> Thread.currentThread().interrupt());
        lane.submit(() -> {
            nextSawInterrupt.set(Thread.currentThread().isInterrupted());
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertFalse(nextSawInterrupt.get());
    }

    @Test
    void closingInterruptsWhatRunsAndRefusesNewTasks() throws Exception {
        HostCallPool p = pool(2, 2);
        HostCallPool.Lane lane = p.lane();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        lane.submit(() -> {
            started.countDown();
            try {
                TimeUnit.SECONDS.sleep(30);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        p.close();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
        assertFalse(lane.submit(() -> { }));
        p.close(); // idempotent
    }
}
