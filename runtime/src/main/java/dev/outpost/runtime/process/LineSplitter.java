package dev.outpost.runtime.process;

import java.nio.ByteBuffer;

/**
 * Turns a stream of bytes into lines (UTF-8 bytes, without the line end). A line longer than the
 * limit is cut into pieces of at most that many bytes, never inside a UTF-8 character, so a plugin
 * that never writes a newline cannot make the host buffer without bound. Allocates nothing per
 * line: each line is handed to the sink as a view of one reused array, valid during the call.
 * Not thread-safe.
 */
final class LineSplitter {
    /** Receives each line: {@code length} bytes of {@code bytes}, valid only during the call. */
    interface Sink {
        void line(byte[] bytes, int length);
    }

    private final Sink sink;
    private final byte[] line;
    private int size;

    LineSplitter(int maxLineBytes, Sink sink) {
        this.line = new byte[maxLineBytes];
        this.sink = sink;
    }

    /** Consumes {@code bytes} from its position to its limit. */
    void feed(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (b == '\n') {
                emit(size);
            } else {
                line[size++] = b;
                if (size == line.length) {
                    emit(characterBoundary());
                }
            }
        }
    }

    /** Emits what is left of an unfinished last line, if anything. */
    void finish() {
        if (size > 0) {
            emit(size);
        }
    }

    /** Where a full line can be cut without splitting a UTF-8 character: before its last one if that is incomplete. */
    private int characterBoundary() {
        int lead = size - 1;
        while (lead > 0 && lead > size - 4 && (line[lead] & 0xc0) == 0x80) {
            lead--; // continuation bytes
        }
        int b = line[lead] & 0xff;
        int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        return lead + needed > size && lead > 0 ? lead : size;
    }

    /** Emits the first {@code end} bytes as a line and keeps the rest for the next. */
    private void emit(int end) {
        int length = end > 0 && line[end - 1] == '\r' ? end - 1 : end;
        sink.line(line, length);
        System.arraycopy(line, end, line, 0, size - end);
        size -= end;
    }
}
