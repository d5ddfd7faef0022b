package dev.outpost.runtime.wire;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees large direct buffers at once instead of when the garbage collector gets to them, so a
 * burst of 16 MiB frames does not pile up native memory. Falls back to doing nothing where the
 * JDK's {@code Unsafe.invokeCleaner} is not reachable.
 */
final class DirectBuffers {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method invokeCleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            invokeCleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invokeCleaner;
    }

    private DirectBuffers() {
    }

    /** Releases {@code buffer}'s memory; the buffer must not be used afterwards, nor any view of it. */
    static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || !buffer.isDirect() || buffer.capacity() <= FrameReader.INITIAL_CAPACITY) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a view or a duplicate cannot be cleaned; the collector will free it
        }
    }
}
