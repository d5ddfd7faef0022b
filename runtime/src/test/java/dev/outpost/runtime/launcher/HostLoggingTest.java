package dev.outpost.runtime.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class HostLoggingTest {
    @Test
    void levelAppliesToTheRootLoggerAndItsConsoleHandler() {
        Logger root = Logger.getLogger("");
        Level before = root.getLevel();
        try {
            HostLogging.configure(Level.FINE);
            assertEquals(Level.FINE, root.getLevel());
            boolean console = false;
            for (Handler h : root.getHandlers()) {
                assertEquals(Level.FINE, h.getLevel());
                console |= h instanceof ConsoleHandler;
            }
            assertTrue(console);
        } finally {
            HostLogging.configure(before);
        }
    }
}
