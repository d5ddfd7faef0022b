package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcStatusTest {
    @Test
    void residentMemoryOfThisJvmIsSomeMegabytes() {
        long kib = ProcStatus.residentKib(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(kib > 1024, kib + " KiB");
    }

    @Test
    void noPidOrAGoneProcessHasNone() {
        assertEquals(OptionalLong.empty(), ProcStatus.residentKib(0));
        assertEquals(OptionalLong.empty(), ProcStatus.residentKib(Integer.MAX_VALUE));
    }
}
