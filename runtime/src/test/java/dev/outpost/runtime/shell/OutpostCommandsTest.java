package dev.outpost.runtime.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The formatting the shell commands share; the commands themselves run in itests' ShellCommandsTest. */
class OutpostCommandsTest {
    @Test
    void answerIsShownAsTextWhenItIsTextElseAsHex() {
        assertEquals("héllo\nworld", OutpostCommands.show("héllo\nworld".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", OutpostCommands.show(new byte[0]));
        assertEquals("3 bytes: 00 01 ff", OutpostCommands.show(new byte[] {0, 1, (byte) 0xff}));
        assertEquals("2 bytes: c3 28", OutpostCommands.show(new byte[] {(byte) 0xc3, 0x28}));
        assertEquals(300 + " bytes:" + " 78".repeat(256) + " ...", OutpostCommands.show(("\u0001" + "x".repeat(299))
                .getBytes(StandardCharsets.UTF_8)).replace(" 01", " 78"));
    }

    @Test
    void uptimeIsShort() {
        assertEquals("59s", OutpostCommands.duration(Duration.ofSeconds(59)));
        assertEquals("1m0s", OutpostCommands.duration(Duration.ofSeconds(60)));
        assertEquals("2h5m", OutpostCommands.duration(Duration.ofMinutes(125)));
    }
}
