package dev.outpost.runtime.supervision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    @Test
    void atMostIntensityRestartsFitInASlidingWindow() {
        RestartBudget b = new RestartBudget(2, 1000);
        assertTrue(b.take(0));
        assertTrue(b.take(500));
        assertFalse(b.take(999), "a third within 1000 ms");
        assertEquals(2, b.recent(999));
        assertTrue(b.take(1001), "the first has left the window");
        assertEquals(2, b.recent(1001));
        assertEquals(0, b.recent(10_000));
    }

    @Test
    void aRefusedRestartIsNotCounted() {
        RestartBudget b = new RestartBudget(1, 1000);
        assertTrue(b.take(0));
        assertFalse(b.take(10));
        assertFalse(b.take(20));
        assertTrue(b.take(1000), "refusals did not extend the window");
    }

    @Test
    void aZeroIntensityAllowsNoRestart() {
        assertFalse(new RestartBudget(0, 1000).take(0));
    }
}
