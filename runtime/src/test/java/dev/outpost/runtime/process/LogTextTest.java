package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void plainTextIsLeftAsItIs() {
        String text = "an ordinary line, with tabs\tand ünïcödé";
        assertSame(text, LogText.clean(text));
    }

    @Test
    void terminalEscapesAreRemovedWhole() {
        assertEquals("red and bold", LogText.clean("\u001b[31mred\u001b[0m and \u001b[1;4mbold\u001b[m"));
        assertEquals("title gone", LogText.clean("\u001b]0;owned\u0007title gone"));
        assertEquals("osc ended by ST", LogText.clean("\u001b]8;;http://x\u001b\\osc ended by ST"));
        assertEquals("csi8", LogText.clean("\u009b2Jcsi8"));
        assertEquals("x", LogText.clean("x\u001b"), "a lone ESC at the end");
    }

    @Test
    void lineBreaksAndOtherControlsBecomeVisibleSoOneLineStaysOneLine() {
        assertEquals("a\\nINFO: forged host line\\r", LogText.clean("a\nINFO: forged host line\r"));
        assertEquals("bell\\u0007 nul\\u0000 del\\u007f", LogText.clean("bell\u0007 nul\u0000 del\u007f"));
        assertEquals("sep\\u2028", LogText.clean("sep\u2028"));
    }

    @Test
    void longTextIsCutAndTheRestCounted() {
        String cut = LogText.clean("x".repeat(10_000), 100);
        assertEquals("x".repeat(100) + "... (9900 more characters)", cut);
        assertTrue(LogText.clean("y".repeat(LogText.MAX_CHARS + 1)).endsWith("... (1 more characters)"));
    }
}
