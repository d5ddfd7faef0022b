package dev.outpost.runtime.process;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a stream of bytes into lines (UTF-8, without the line end). A line longer than the limit
 * is cut into pieces of at most that many bytes, so a plugin that never writes a newline cannot
 * make the host buffer without bound. Not thread-safe.
 */
final class LineSplitter {
    private final int maxLineBytes;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

    LineSplitter(int maxLineBytes, Consumer<String> sink) {
        this.maxLineBytes = maxLineBytes;
        this.sink = sink;
    }

    /** Consumes {@code bytes} from its position to its limit. */
    void feed(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
                if (line.size() >= maxLineBytes) {
                    emit();
                }
            }
        }
    }

    /** Emits what is left of an unfinished last line, if anything. */
    void finish() {
        if (line.size() > 0) {
            emit();
        }
    }

    private void emit() {
        int size = line.size();
        byte[] bytes = line.toByteArray();
        line.reset();
        if (size > 0 && bytes[size - 1] == '\r') {
            size--;
        }
        sink.accept(new String(bytes, 0, size, StandardCharsets.UTF_8));
    }
}
