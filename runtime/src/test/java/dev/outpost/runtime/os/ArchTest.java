package dev.outpost.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArchTest {
    @Test
    void x86_64PacksTheEpollEventAndAarch64AlignsIt() {
        assertEquals(Arch.X86_64, Arch.of("Linux", "amd64"));
        assertEquals(12, Arch.of("Linux", "x86_64").epollEventSize);
        assertEquals(4, Arch.X86_64.epollDataOffset);
        assertEquals(Arch.AARCH64, Arch.of("Linux", "aarch64"));
        assertEquals(16, Arch.AARCH64.epollEventSize);
        assertEquals(8, Arch.AARCH64.epollDataOffset);
    }

    @Test
    void anyOtherSystemIsRefusedNamingIt() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Arch.of("Linux", "riscv64"));
        assertEquals("Outpost runs plugins on Linux on x86-64 or aarch64; this JVM runs on Linux riscv64", e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> Arch.of("Mac OS X", "aarch64"));
        assertThrows(UnsupportedOperationException.class, () -> Arch.of("Linux", "x86"));
    }

    @Test
    void thisMachineIsOneOfThem() {
        Arch.current();
    }
}
