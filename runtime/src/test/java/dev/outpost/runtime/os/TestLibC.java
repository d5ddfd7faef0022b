package dev.outpost.runtime.os;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/** libc calls only the tests need: the calling thread's signal mask and dispositions. */
final class TestLibC {
    static final int SIG_BLOCK = 0, SIG_SETMASK = 2;
    static final long SIG_IGN = 1;
    static final int SIGWINCH = 28;

    /** Public for jnr-ffi's class loader only. */
    public interface Functions {
        int pthread_sigmask(int how, Pointer set, Pointer oldset);
        int sigemptyset(Pointer set);
        int sigaddset(Pointer set, int signal);
        /** Returns the previous handler. */
        long signal(int signal, long handler);
        /** A copy without close-on-exec, as the JVM opens most files. */
        int dup(int fd);
    }

    static final Functions C = LibraryLoader.create(Functions.class).failImmediately().load("c");

    private TestLibC() {}
}
