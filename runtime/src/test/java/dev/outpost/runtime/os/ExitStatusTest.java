package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void describesAnExitAndAKill() {
        assertEquals("exited with 0", new ExitStatus(0, 0).describe());
        assertEquals("exited with 3", new ExitStatus(3, 0).describe());
        assertEquals("killed by signal 9 (SIGKILL)", new ExitStatus(0, 9).describe());
        assertEquals("killed by signal 6 (SIGABRT)", new ExitStatus(0, 6).describe());
        assertTrue(new ExitStatus(0, 15).signaled());
        assertFalse(new ExitStatus(1, 0).signaled());
    }

    @Test
    void refusesImpossibleStatuses() {
        assertThrows(IllegalArgumentException.class, () -> new ExitStatus(1, 9));
        assertThrows(IllegalArgumentException.class, () -> new ExitStatus(256, 0));
        assertThrows(IllegalArgumentException.class, () -> new ExitStatus(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ExitStatus(0, 65));
    }

    @Test
    void namesSignals() {
        assertEquals("SIGKILL", Signals.name(Signals.SIGKILL));
        assertEquals("SIGTERM", Signals.name(Signals.SIGTERM));
        assertEquals("SIGHUP", Signals.name(1));
        assertEquals("SIGSYS", Signals.name(31));
        assertEquals("SIGRTMIN+2", Signals.name(36));
        assertEquals("SIGRTMAX", Signals.name(64));
        assertEquals("SIG99", Signals.name(99));
    }
}
