package dev.outpost.runtime;

import static dev.outpost.api.PluginState.FAILED;
import static dev.outpost.api.PluginState.NEW;
import static dev.outpost.api.PluginState.RUNNING;
import static dev.outpost.api.PluginState.STARTING;
import static dev.outpost.api.PluginState.STOPPED;
import static dev.outpost.api.PluginState.STOPPING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginLifecycleTest {

    @Test
    void normalLifeIsRecordedWithPreviousStatesTold() {
        PluginLifecycle l = new PluginLifecycle();
        List<String> told = new ArrayList<>();
        l.addListener((from, to) -> told.add(from + "->" + to));
        l.move(STARTING);
        l.move(RUNNING);
        l.move(STOPPING);
        l.move(STOPPED);
        assertEquals(List.of(NEW, STARTING, RUNNING, STOPPING, STOPPED), l.history());
        assertEquals(List.of("NEW->STARTING", "STARTING->RUNNING", "RUNNING->STOPPING", "STOPPING->STOPPED"), told);
    }

    @Test
    void crashAfterRunningEndsFailed() {
        PluginLifecycle l = new PluginLifecycle();
        l.move(STARTING);
        l.move(RUNNING);
        l.move(FAILED);
        assertEquals(List.of(NEW, STARTING, RUNNING, FAILED), l.history());
    }

    @Test
    void terminalStatesAreTerminal() {
        for (PluginState terminal : EnumSet.of(STOPPED, FAILED)) {
            for (PluginState to : PluginState.values()) {
                assertFalse(PluginLifecycle.allowed(terminal, to), terminal + "->" + to);
            }
        }
    }

    @Test
    void disallowedMoveIsRefusedAndLeavesNoTrace() {
        PluginLifecycle l = new PluginLifecycle();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> l.move(RUNNING));
        assertEquals("no transition from NEW to RUNNING", e.getMessage());
        assertEquals(List.of(NEW), l.history());
        assertThrows(IllegalStateException.class, () -> l.move(STOPPING));
    }

    @Test
    void conditionalMoveOnlyFromTheGivenStates() {
        PluginLifecycle l = new PluginLifecycle();
        l.move(STARTING);
        assertNull(l.moveFrom(EnumSet.of(RUNNING), STOPPING));
        assertEquals(STARTING, l.moveFrom(EnumSet.of(STARTING, RUNNING), STOPPING));
        assertNull(l.moveFrom(EnumSet.of(STARTING), RUNNING), "a stop that won the race is not undone");
        assertEquals(List.of(NEW, STARTING, STOPPING), l.history());
    }

    @Test
    void awaitTerminalReturnsOnceTerminal() throws Exception {
        PluginLifecycle l = new PluginLifecycle();
        l.move(STARTING);
        Thread t = new Thread(() -> l.move(FAILED));
        t.start();
        assertEquals(FAILED, l.awaitTerminal(10_000));
        t.join();
        assertTrue(l.state().isTerminal());
    }
}
