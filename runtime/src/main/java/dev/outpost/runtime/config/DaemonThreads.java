package dev.outpost.runtime.config;

import java.util.concurrent.ThreadFactory;

/**
 * How the runtime makes its threads: daemon threads (a JVM that stops embedding Outpost is not kept
 * alive by them) with the given name, so that a thread dump tells which is which.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** A factory whose every thread is a daemon called {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
