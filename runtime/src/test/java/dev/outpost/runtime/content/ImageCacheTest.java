package dev.outpost.runtime.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.os.ExecutableImage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Images kept per bundle revision, shared between revisions with the same executable. */
class ImageCacheTest {
    private static final byte[] ONE = "#!/bin/sh\necho one\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TWO = "#!/bin/sh\necho two\n".getBytes(StandardCharsets.UTF_8);

    private final ImageCache cache = new ImageCache();
    private final AtomicInteger reads = new AtomicInteger();

    @AfterEach
    void close() {
        cache.close();
    }

    private ImageCache.Bytes counted(byte[] bytes) {
        return () -> {
            reads.incrementAndGet();
            return bytes.clone();
        };
    }

    @Test
    void aRevisionReadsItsExecutableOnce() throws Exception {
        ExecutableImage first = cache.get(1, 100, "bin/x", "x", counted(ONE));
        assertSame(first, cache.get(1, 100, "bin/x", "x", counted(ONE)));
        assertEquals(1, reads.get());
    }

    @Test
    void revisionsWithTheSameExecutableAndNameShareOneImage() throws Exception {
        ExecutableImage a = cache.get(1, 100, "bin/x", "x", counted(ONE));
        ExecutableImage b = cache.get(2, 200, "bin/other/path", "x", counted(ONE));
        assertSame(a, b);
        assertEquals(1, cache.size());
        assertNotSame(a, cache.get(3, 300, "bin/x", "x", counted(TWO)), "other bytes, other image");
        assertNotSame(a, cache.get(4, 400, "bin/x", "y", counted(ONE)), "another name is another process name");
        assertEquals(3, cache.size());
    }

    @Test
    void aSharedImageIsClosedWithTheLastRevisionThatUsesItOnceNobodyHoldsIt() throws Exception {
        ExecutableImage shared = cache.get(1, 100, "bin/x", "x", counted(ONE));
        cache.get(2, 200, "bin/x", "x", counted(ONE));
        cache.release(shared);
        cache.release(shared);
        cache.evict(1);
        shared.execPath(); // still open: bundle 2 uses it
        assertEquals(1, cache.size());
        cache.evict(2);
        assertThrows(IllegalStateException.class, shared::execPath);
        assertEquals(0, cache.size());
    }

    @Test
    void evictingABundlesRevisionsNeverClosesAnImageAPluginHolds() throws Exception {
        // the new revision's plugin took its image before the (asynchronous) UPDATED event evicted
        // every revision of the bundle: it must still be able to restart from it
        ExecutableImage running = cache.get(1, 200, "bin/x", "x", counted(ONE));
        cache.evict(1);
        running.execPath();
        assertEquals(1, cache.size());
        cache.release(running);
        assertThrows(IllegalStateException.class, running::execPath, "closed once its last holder let go");
        assertEquals(0, cache.size());
    }

    @Test
    void anEvictedRevisionIsReadAgainWhenItComesBack() throws Exception {
        cache.get(1, 100, "bin/x", "x", counted(ONE));
        cache.evict(1);
        cache.get(1, 100, "bin/x", "x", counted(ONE));
        assertEquals(2, reads.get());
    }

    @Test
    void executablesWithTheSameSizeAndChecksumButOtherBytesDoNotShare() throws Exception {
        byte[][] collision = crc32Collision();
        ExecutableImage a = cache.get(1, 100, "bin/x", "x", counted(collision[0]));
        ExecutableImage b = cache.get(2, 200, "bin/x", "x", counted(collision[1]));
        assertNotSame(a, b, "same size and CRC-32, other bytes: another image");
        assertTrue(a.hasContent(collision[0]) && b.hasContent(collision[1]));
        assertEquals(2, cache.size());
        cache.release(a);
        cache.evict(1);
        assertThrows(IllegalStateException.class, a::execPath);
        assertSame(b, cache.get(3, 300, "bin/x", "x", counted(collision[1])), "the other one is still shared");
    }

    /** Two different 16-byte strings with the same CRC-32: a birthday search, about 2^16 tries. */
    private static byte[][] crc32Collision() {
        Random random = new Random(42);
        Map<Long, byte[]> seen = new HashMap<>();
        while (true) {
            byte[] candidate = new byte[16];
            random.nextBytes(candidate);
            CRC32 crc = new CRC32();
            crc.update(candidate);
            byte[] earlier = seen.putIfAbsent(crc.getValue(), candidate);
            if (earlier != null && !Arrays.equals(earlier, candidate)) {
                return new byte[][] {earlier, candidate};
            }
        }
    }
}
