package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    @Test
    void linesAcrossChunksAreJoinedAndCrlfTrimmed() {
        List<String> lines = new ArrayList<>();
        LineSplitter s = new LineSplitter(100, (b, n) -> lines.add(new String(b, 0, n, StandardCharsets.UTF_8)));
        s.feed(ByteBuffer.wrap("hel".getBytes(StandardCharsets.UTF_8)));
        s.feed(ByteBuffer.wrap("lo\r\nwor".getBytes(StandardCharsets.UTF_8)));
        s.feed(ByteBuffer.wrap("ld\n\nlast".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("hello", "world", ""), lines);
        s.finish();
        assertEquals(List.of("hello", "world", "", "last"), lines);
    }

    @Test
    void endlessLineIsCutAtTheLimit() {
        List<String> lines = new ArrayList<>();
        LineSplitter s = new LineSplitter(4, (b, n) -> lines.add(new String(b, 0, n, StandardCharsets.UTF_8)));
        s.feed(ByteBuffer.wrap("abcdefghij\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("abcd", "efgh", "ij"), lines);
    }

    @Test
    void aCutNeverSplitsAUtf8Character() {
        List<String> lines = new ArrayList<>();
        LineSplitter s = new LineSplitter(5, (b, n) -> lines.add(new String(b, 0, n, StandardCharsets.UTF_8)));
        s.feed(ByteBuffer.wrap("abcd\u20ac\u20acz\n".getBytes(StandardCharsets.UTF_8))); // euro: 3 bytes
        assertEquals(List.of("abcd", "\u20ac", "\u20acz"), lines);
    }
}
