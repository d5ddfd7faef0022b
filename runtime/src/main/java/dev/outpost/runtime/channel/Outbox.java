package dev.outpost.runtime.channel;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One channel's frames that must go out without anybody waiting for them (see
 * {@link FrameSender#sendLater}), bounded in frames and in bytes, and the watch for room in the
 * socket once it is full. A plugin that leaves the outbox full, or leaves it stalled (the socket
 * full, frames waiting) for longer than the deadline, does not read its socket; that is a protocol
 * violation reported through the breaker, for this channel alone.
 *
 * <p>Thread-safe (its own lock, never held while calling out). Owns a duplicate of the socket's
 * descriptor, registered with the reactor for writability only while the socket is full, and
 * closed by {@link #close()}.
 */
final class Outbox {
    static final int MAX_FRAMES = 1024;
    static final int MAX_BYTES = 1024 * 1024;

    private final String name;
    private final int fd;
    private final long deadlineMillis;
    private final ScheduledExecutorService timer;
    private final FrameSender.Breaker breaker;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>(); // guarded by this
    private int bytes;                                           // guarded by this
    private long stalledGeneration;                              // guarded by this; odd: stalled
    private Reactor reactor;                                     // guarded by this; set by attach()
    private Reactor.Handler onRoom;                              // guarded by this
    private int watchFd = -1;                                    // guarded by this; the duplicate
    private long watchKey;                                       // guarded by this; 0: not watched
    private boolean closed;                                      // guarded by this

    Outbox(String name, int fd, long deadlineMillis, ScheduledExecutorService timer, FrameSender.Breaker breaker) {
        this.name = name;
        this.fd = fd;
        this.deadlineMillis = deadlineMillis;
        this.timer = timer;
        this.breaker = breaker;
    }

    /** Where to watch for room, and who writes when there is some (on the reactor thread). */
    synchronized void attach(Reactor reactor, Runnable onRoom) {
        this.reactor = reactor;
        this.onRoom = events -> {
            unwatch();
            onRoom.run();
        };
    }

    /** Queues a frame; the reason the plugin is at fault when the outbox is full (nothing queued then). */
    synchronized String add(Frame frame) {
        if (closed) {
            return null; // dropped: the channel is closing
        }
        int size = frame.getSerializedSize();
        if (frames.size() >= MAX_FRAMES || bytes + size > MAX_BYTES) {
            return name + " does not read its socket: " + frames.size() + " frames (" + bytes
                    + " bytes) wait to be sent to it";
        }
        frames.addLast(frame);
        bytes += size;
        return null;
    }

    synchronized Frame peek() {
        return frames.peekFirst();
    }

    synchronized void remove() {
        Frame f = frames.pollFirst();
        if (f != null) {
            bytes -= f.getSerializedSize();
        }
    }

    synchronized boolean isEmpty() {
        return frames.isEmpty();
    }

    synchronized int size() {
        return frames.size();
    }

    /**
     * The socket is full with work waiting ({@code true}), or everything went out ({@code false}).
     * A stall that lasts the deadline breaks the connection.
     */
    void stalled(boolean stalled) {
        long generation;
        synchronized (this) {
            boolean was = (stalledGeneration & 1) == 1;
            if (stalled == was || closed) {
                return;
            }
            generation = ++stalledGeneration;
        }
        if (stalled) {
            timer.schedule(() -> expire(generation), deadlineMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void expire(long generation) {
        int waiting;
        synchronized (this) {
            if (stalledGeneration != generation || closed) {
                return; // it drained, or the channel closed
            }
            waiting = frames.size();
        }
        breaker.broken(Breakage.VIOLATION, name + " has not read its socket for " + deadlineMillis + " ms ("
                + waiting + " more frames wait to be sent to it)");
    }

    /** The socket is full: the reactor calls back once it has room. */
    void awaitRoom() {
        Reactor r;
        Reactor.Handler h;
        int watch;
        synchronized (this) {
            if (closed || reactor == null || watchKey != 0) {
                return;
            }
            if (watchFd < 0) {
                try {
                    watchFd = Posix.duplicate(fd); // epoll watches the duplicate for writability alone
                } catch (IOException e) {
                    breaker.broken(Breakage.IO_ERROR, "cannot watch " + name + " for room: " + e.getMessage());
                    return;
                }
            }
            r = reactor;
            h = onRoom;
            watch = watchFd;
            watchKey = -1; // being registered
        }
        long key;
        try {
            key = r.registerWritable(watch, h);
        } catch (IOException e) {
            synchronized (this) {
                watchKey = 0;
            }
            breaker.broken(Breakage.IO_ERROR, "cannot watch " + name + " for room: " + e.getMessage());
            return;
        }
        boolean unregister;
        synchronized (this) {
            unregister = closed || watchKey != -1; // closed, or it fired and unwatched meanwhile
            if (!unregister) {
                watchKey = key;
            }
        }
        if (unregister) {
            r.unregister(key);
        }
    }

    private void unwatch() {
        long key;
        Reactor r;
        synchronized (this) {
            key = watchKey;
            r = reactor;
            watchKey = 0;
        }
        if (key > 0) {
            r.unregister(key);
        }
    }

    /** Drops what is queued and the watch; closes the duplicate descriptor. Idempotent. */
    void close() {
        int dup;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            frames.clear();
            bytes = 0;
            dup = watchFd;
            watchFd = -1;
        }
        unwatch();
        if (dup >= 0) {
            Posix.close(dup);
        }
    }
}
