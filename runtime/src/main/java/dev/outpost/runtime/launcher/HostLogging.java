package dev.outpost.runtime.launcher;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The launcher's log level, applied to java.util.logging (where {@code System.Logger} goes by default). */
final class HostLogging {
    private HostLogging() {
    }

    static void configure(Level level) {
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        boolean console = false;
        for (Handler h : root.getHandlers()) {
            h.setLevel(level);
            console |= h instanceof ConsoleHandler;
        }
        if (!console) {
            ConsoleHandler h = new ConsoleHandler();
            h.setLevel(level);
            root.addHandler(h);
        }
    }
}
