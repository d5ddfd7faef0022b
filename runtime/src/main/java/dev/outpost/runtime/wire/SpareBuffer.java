package dev.outpost.runtime.wire;

import java.nio.ByteBuffer;

/**
 * One large direct buffer kept between large frames, so that a plugin answering 1 MiB calls one
 * after another does not make its reader allocate (and the kernel zero and fault in) a new
 * megabyte per call. All the {@link FrameReader}s of one {@link Reactor} share one spare: the
 * memory kept is bounded by the largest frame, not by the number of plugins. Keeps the larger of
 * what it holds and what it is given, and frees the other.
 *
 * <p>Not thread-safe: the thread that reads the frames (the reactor) owns it.
 */
public final class SpareBuffer {
    private ByteBuffer spare;

    /** A cleared buffer of at least {@code capacity} bytes: the spare if it is large enough, else a new one. */
    ByteBuffer take(int capacity) {
        ByteBuffer b = spare;
        if (b != null && b.capacity() >= capacity) {
            spare = null;
            b.clear();
            return b;
        }
        return ByteBuffer.allocateDirect(capacity);
    }

    /** Gives back a buffer nothing uses any more (nor any view of it). */
    void give(ByteBuffer buffer) {
        ByteBuffer b = spare;
        if (b == null || buffer.capacity() > b.capacity()) {
            spare = buffer;
            if (b != null) {
                DirectBuffers.free(b);
            }
        } else {
            DirectBuffers.free(buffer);
        }
    }

    int capacity() {
        return spare == null ? 0 : spare.capacity();
    }
}
