package dev.outpost.runtime.process;

import dev.outpost.runtime.channel.Reactor;
import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards one output pipe of a plugin (stdout or stderr) line by line into the host's log,
 * tagged with the plugin's name and pid, and keeps the last lines for error reports. Lines are
 * cleaned ({@link LogText}) and rate-limited ({@link LogLimiter}).
 *
 * <p>Bounded: one wake-up reads at most {@value #READS_PER_WAKEUP} × {@value #READ_BYTES} bytes
 * (the reactor comes back for the rest, after the other plugins' descriptors), a line is at most
 * {@value #MAX_LINE_BYTES} bytes, and {@link #close()} reads what is there once and closes,
 * without waiting for an end of file that a descendant holding the pipe may never give.
 *
 * <p>Owns the pipe's read end from construction until {@link #close()}; reads on the
 * {@link Reactor} thread (or on the thread that closes it, under this object's lock).
 */
final class OutputForwarder implements AutoCloseable {
    static final int TAIL_LINES = 50;
    static final int READS_PER_WAKEUP = 16;
    private static final int MAX_LINE_BYTES = LogText.MAX_CHARS, READ_BYTES = 4096;

    private final int fd;
    private final String stream;
    private final System.Logger log;
    private final String tag;
    private final Level level;
    private final LineSplitter splitter;
    /** The last lines, as bytes in reused arrays: a flood of lines allocates nothing per line. */
    private final byte[][] tail = new byte[TAIL_LINES][];
    private final int[] tailLengths = new int[TAIL_LINES];
    private int tailNext;   // guarded by this: the slot the next line goes to
    private int tailCount;  // guarded by this
    /** Made on the first read (most plugins write nothing until they exit): a start does not pay for it. Guarded by this. */
    private ByteBuffer buffer;
    private Reactor reactor;
    private long key;
    private boolean closed;
    private final LogLimiter limiter;

    OutputForwarder(int fd, String stream, String pluginName, int pid, Level level, LogLimiter limiter) {
        this.limiter = limiter;
        this.fd = fd;
        this.stream = stream;
        this.level = level;
        this.log = System.getLogger("outpost.plugin." + pluginName);
        this.tag = "[" + pluginName + " " + pid + " " + stream + "] ";
        this.splitter = new LineSplitter(MAX_LINE_BYTES, this::line);
    }

    void attach(Reactor reactor) throws IOException {
        Posix.setNonBlocking(fd);
        synchronized (this) {
            this.reactor = reactor;
            this.key = reactor.register(fd, events -> drain());
        }
    }

    /** The last lines, oldest first, cleaned. */
    synchronized List<String> tail() {
        List<String> lines = new ArrayList<>(tailCount);
        for (int i = 0; i < tailCount; i++) {
            int slot = (tailNext - tailCount + i + TAIL_LINES) % TAIL_LINES;
            lines.add(LogText.clean(new String(tail[slot], 0, tailLengths[slot], StandardCharsets.UTF_8)));
        }
        return lines;
    }

    /**
     * Reads what the pipe holds now, at most {@value #READS_PER_WAKEUP} reads; at end of file stops
     * watching it.
     */
    synchronized void drain() {
        if (closed) {
            return;
        }
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(READ_BYTES);
        }
        try {
            for (int i = 0; i < READS_PER_WAKEUP; i++) {
                buffer.clear();
                int n = Posix.read(fd, buffer);
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    splitter.finish();
                    detach();
                    return;
                }
                buffer.flip();
                splitter.feed(buffer);
            }
        } catch (IOException e) {
            log.log(Level.WARNING, tag + "reading " + stream + " failed: " + e.getMessage());
            detach();
        }
    }

    /** A line: kept in the tail, and logged if the limiter admits it; only a logged line becomes a String. */
    private void line(byte[] bytes, int length) {
        byte[] slot = tail[tailNext];
        if (slot == null || slot.length < length) {
            slot = tail[tailNext] = new byte[Math.max(length, 128)];
        }
        System.arraycopy(bytes, 0, slot, 0, length);
        tailLengths[tailNext] = length;
        tailNext = (tailNext + 1) % TAIL_LINES;
        tailCount = Math.min(TAIL_LINES, tailCount + 1);
        if (limiter.admit(n -> log.log(Level.WARNING, tag + n + " lines not logged: the plugin writes too fast"))) {
            log.log(level, tag + LogText.clean(new String(bytes, 0, length, StandardCharsets.UTF_8)));
        }
    }

    private void detach() {
        if (reactor != null) {
            reactor.unregister(key);
            reactor = null;
        }
    }

    /** Forwards what the pipe holds now (one bounded read, no waiting), then closes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        drain();
        splitter.finish();
        detach();
        closed = true;
        Posix.close(fd);
    }
}
