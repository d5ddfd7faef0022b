package dev.outpost.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.ServiceDescriptor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static Hello.Builder hello(int min, int max) {
        return Hello.newBuilder().setMinVersion(min).setMaxVersion(max).setPluginName("echo").setPluginVersion("1.0")
                .addServices(ServiceDescriptor.newBuilder().setName("echo").addMethods("echo"));
    }

    @Test
    void commonVersionIsChosenAndConfigAndLimitAreSent() {
        Handshake.Outcome o = Handshake.judge(hello(1, 3).build(), Map.of("level", "9"), 4096, java.util.List.of());
        assertTrue(o.accepted());
        assertEquals(1, o.welcome().getVersion());
        assertEquals(4096, o.welcome().getMaxFrameSize());
        assertEquals("level", o.welcome().getConfig(0).getKey());
        assertEquals("9", o.welcome().getConfig(0).getValue());
        assertEquals("outpost", o.welcome().getHostName());
    }

    @Test
    void theWelcomeSaysMinorVersionOneAndListsTheAvailableImports() {
        Handshake.Outcome o = Handshake.judge(hello(1, 1).build(), Map.of(), 4096, java.util.List.of("kv", "clock"));
        assertEquals(1, o.welcome().getMinorVersion());
        assertEquals(java.util.List.of("kv", "clock"), o.welcome().getImportsList());
    }

    @Test
    void noCommonVersionIsRefusedNamingBothRanges() {
        Handshake.Outcome o = Handshake.judge(hello(99, 99).build(), Map.of(), 4096, java.util.List.of());
        assertFalse(o.accepted());
        assertEquals("no common protocol version: plugin speaks 99..99, host speaks 1..1", o.refusal());
    }

    @Test
    void emptyVersionRangeIsRefused() {
        assertEquals("protocol version range 2..1 is empty", Handshake.judge(hello(2, 1).build(), Map.of(), 4096, java.util.List.of()).refusal());
    }

    @Test
    void missingVersionsAreRefused() {
        assertFalse(Handshake.judge(hello(0, 0).build(), Map.of(), 4096, java.util.List.of()).accepted());
    }

    @Test
    void duplicateServiceIsRefused() {
        Hello h = hello(1, 1).addServices(ServiceDescriptor.newBuilder().setName("echo")).build();
        assertEquals("service 'echo' is declared twice", Handshake.judge(h, Map.of(), 4096, java.util.List.of()).refusal());
    }

    @Test
    void badNamesAreRefused() {
        assertFalse(Handshake.judge(hello(1, 1).setPluginName("").build(), Map.of(), 4096, java.util.List.of()).accepted());
        Hello h = hello(1, 1).addServices(ServiceDescriptor.newBuilder().setName("x").addMethods("has space")).build();
        assertEquals("method name 'has space' of service 'x' is not a valid name", Handshake.judge(h, Map.of(), 4096, java.util.List.of()).refusal());
    }
}
