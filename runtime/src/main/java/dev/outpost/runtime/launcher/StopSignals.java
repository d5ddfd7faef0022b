package dev.outpost.runtime.launcher;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a request to stop, instead of the JVM's default of starting its
 * shutdown at once. The launcher then stops the framework (every plugin stopped and reaped) while
 * the JVM, its logging and stdout are still fully alive, and exits with a status of its choosing.
 * The only class that uses {@code sun.misc.Signal} (module jdk.unsupported).
 */
final class StopSignals {
    private StopSignals() {
    }

    /** Runs {@code onStop} on a signal thread for every SIGTERM or SIGINT. */
    static void install(Runnable onStop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> onStop.run());
        }
    }
}
