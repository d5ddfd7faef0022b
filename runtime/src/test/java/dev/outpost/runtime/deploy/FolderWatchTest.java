package dev.outpost.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FolderWatchTest {
    @Test
    void runsEveryScanRepeatedlyAndGoesOnAfterOneThrows() throws Exception {
        CountDownLatch third = new CountDownLatch(3);
        List<String> reports = new CopyOnWriteArrayList<>();
        FolderWatch watch = new FolderWatch(Duration.ofMillis(5), reports::add, List.of(
                () -> {
                    throw new IllegalStateException("boom");
                },
                third::countDown));
        try {
            assertTrue(third.await(20, TimeUnit.SECONDS), "the second scan ran three times");
        } finally {
            watch.close();
        }
        assertTrue(reports.get(0).startsWith("scanning failed: java.lang.IllegalStateException: boom"), reports.toString());
        watch.close(); // a second close is harmless
    }

    @Test
    void anErrorInAScanDoesNotEndTheWatching() throws Exception {
        CountDownLatch again = new CountDownLatch(3);
        List<String> reports = new CopyOnWriteArrayList<>();
        FolderWatch watch = new FolderWatch(Duration.ofMillis(5), reports::add, List.of(() -> {
            again.countDown();
            throw new NoClassDefFoundError("a bundle's class went away");
        }));
        try {
            assertTrue(again.await(20, TimeUnit.SECONDS), "scanned again after the error");
        } finally {
            watch.close();
        }
        assertTrue(reports.get(0).contains("NoClassDefFoundError: a bundle's class went away"), reports.toString());
    }
}
