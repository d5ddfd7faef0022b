package dev.outpost.runtime.os;

import java.io.IOException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Holds the one loaded {@link LibC} and the helpers every class of this package needs around it. */
final class Native {
    static final LibC.Functions C = LibraryLoader.create(LibC.Functions.class).failImmediately().load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(C);

    private Native() {}

    /** errno saved by the last jnr call on this thread. */
    static int errno() {
        return RUNTIME.getLastError();
    }

    static String strerror(int errno) {
        String text = C.strerrordesc_np(errno);
        return text != null ? text : "Unknown error " + errno;
    }

    /** "call(fd N): strerror" */
    static IOException error(String call, int fd, int errno) {
        return new IOException(call + "(fd " + fd + "): " + strerror(errno));
    }

    /** Zeroed native memory, freed when the returned pointer is garbage. */
    static Pointer allocate(int size) {
        return Memory.allocateDirect(RUNTIME, size, true);
    }
}
