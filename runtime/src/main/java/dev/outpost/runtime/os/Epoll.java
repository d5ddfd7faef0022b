package dev.outpost.runtime.os;

import static dev.outpost.runtime.os.Native.C;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Pointer;

/**
 * An epoll instance plus an internal eventfd for wakeup(). Level-triggered. One thread calls wait();
 * add/remove/wakeup are thread-safe.
 *
 * <p>Ownership: the Epoll owns its epoll fd and its eventfd and releases both in {@link #close()}
 * (if a wait() is in progress, when that wait returns). It never owns the fds added to it: the
 * caller removes and closes those. {@link #wait} allocates nothing on the Java heap.
 */
public final class Epoll implements AutoCloseable {
    public static final int IN = 0x1 /*EPOLLIN*/, OUT = 0x4, ERR = 0x8, HUP = 0x10, RDHUP = 0x2000;

    /** Most events one wait() reports; more ready fds are reported by the next wait(). */
    static final int CAPACITY = 256;
    private static final Arch ARCH = Arch.current();
    /** struct epoll_event: u32 events, then u64 data (packed on x86-64, aligned on aarch64). */
    private static final int EVENT_SIZE = ARCH.epollEventSize, DATA = ARCH.epollDataOffset;
    private static final long WAKEUP_KEY = Long.MIN_VALUE;

    private static final int OPEN = 0, WAITING = 1, CLOSE_AFTER_WAIT = 2, CLOSED = 3;

    private final int epfd;
    private final int wakeFd;
    private final Pointer ready = Native.allocate(CAPACITY * EVENT_SIZE); // only the waiting thread
    private final Pointer drained = Native.allocate(8);                   // only the waiting thread
    private final Pointer one = Native.allocate(8);                       // constant 1, for wakeup
    private final Pointer ctlEvent = Native.allocate(EVENT_SIZE);         // guarded by this
    private final AtomicInteger state = new AtomicInteger(OPEN);

    private Epoll(int epfd, int wakeFd) {
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        one.putLong(0, 1);
    }

    public static Epoll open() throws IOException {
        int epfd = C.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IOException("epoll_create1(EPOLL_CLOEXEC): " + Native.strerror(Native.errno()));
        }
        int wakeFd = C.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (wakeFd < 0) {
            int errno = Native.errno();
            Posix.close(epfd);
            throw new IOException("eventfd(EFD_CLOEXEC|EFD_NONBLOCK): " + Native.strerror(errno));
        }
        Epoll epoll = new Epoll(epfd, wakeFd);
        try {
            epoll.ctl(LibC.EPOLL_CTL_ADD, wakeFd, IN, WAKEUP_KEY);
        } catch (IOException e) {
            epoll.close();
            throw e;
        }
        return epoll;
    }

    /**
     * key is stored in epoll_data (u64) and returned by wait. Must not be Long.MIN_VALUE (reserved
     * for the wakeup eventfd).
     */
    public void add(int fd, int events, long key) throws IOException {
        if (key == WAKEUP_KEY) {
            throw new IllegalArgumentException("key Long.MIN_VALUE is reserved for wakeup()");
        }
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd);
        }
        ctl(LibC.EPOLL_CTL_ADD, fd, events, key);
    }

    /** Ignores ENOENT/EBADF (and a closed Epoll); other errors are unchecked. */
    public void remove(int fd) {
        try {
            ctl(LibC.EPOLL_CTL_DEL, fd, 0, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Blocks up to timeoutMillis (-1 forever). Fills keys[i]/events[i]; returns count (wakeups are
     * consumed and NOT reported; a wakeup makes wait return, possibly with 0). Reports at most
     * min(keys.length, events.length, 256) events per call.
     *
     * @throws IllegalStateException if another thread is in wait()
     * @throws IOException if closed, or epoll_wait fails
     */
    public int wait(long[] keys, int[] events, int timeoutMillis) throws IOException {
        int max = Math.min(CAPACITY, Math.min(keys.length, events.length));
        if (max == 0 || timeoutMillis < -1) {
            throw new IllegalArgumentException("no room for events, or timeout " + timeoutMillis);
        }
        if (!state.compareAndSet(OPEN, WAITING)) {
            if (state.get() == WAITING) {
                throw new IllegalStateException("another thread is in Epoll.wait");
            }
            throw new IOException("epoll_wait(fd " + epfd + "): closed");
        }
        try {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            int timeout = timeoutMillis;
            int n;
            while ((n = C.epoll_wait(epfd, ready, max, timeout)) < 0) {
                int errno = Native.errno();
                if (errno != LibC.EINTR) {
                    throw Native.error("epoll_wait", epfd, errno);
                }
                timeout = Posix.remainingMillis(timeoutMillis, deadline);
            }
            int count = 0;
            for (int i = 0; i < n; i++) {
                long offset = (long) i * EVENT_SIZE;
                long key = ready.getLong(offset + DATA);
                if (key == WAKEUP_KEY) {
                    C.read(wakeFd, drained, 8); // resets the counter; EAGAIN if already drained
                } else {
                    keys[count] = key;
                    events[count] = ready.getInt(offset);
                    count++;
                }
            }
            return count;
        } finally {
            if (!state.compareAndSet(WAITING, OPEN)) {
                release(); // close() came while we waited
            }
        }
    }

    /** Makes the current or the next wait() return. Does nothing once closed. */
    public synchronized void wakeup() {
        if (state.get() < CLOSED) {
            C.write(wakeFd, one, 8); // EAGAIN only if the counter is full, i.e. already woken
        }
    }

    /** Idempotent. A wait() in progress is woken and releases the fds when it returns. */
    @Override
    public void close() {
        while (true) {
            int s = state.get();
            if (s == OPEN && state.compareAndSet(OPEN, CLOSED)) {
                release();
                return;
            }
            if (s == WAITING && state.compareAndSet(WAITING, CLOSE_AFTER_WAIT)) {
                wakeup(); // the waiter releases the fds on its way out
                return;
            }
            if (s >= CLOSE_AFTER_WAIT) {
                return;
            }
        }
    }

    private synchronized void release() {
        state.set(CLOSED);
        Posix.close(wakeFd);
        Posix.close(epfd);
    }

    private synchronized void ctl(int op, int fd, int events, long key) throws IOException {
        if (state.get() == CLOSED) {
            if (op == LibC.EPOLL_CTL_DEL) {
                return;
            }
            throw new IOException("epoll_ctl(fd " + fd + "): epoll is closed");
        }
        ctlEvent.putInt(0, events);
        ctlEvent.putLong(DATA, key);
        while (C.epoll_ctl(epfd, op, fd, ctlEvent) != 0) {
            int errno = Native.errno();
            if (op == LibC.EPOLL_CTL_DEL && (errno == LibC.ENOENT || errno == LibC.EBADF)) {
                return;
            }
            if (errno != LibC.EINTR) {
                String name = op == LibC.EPOLL_CTL_ADD ? "ADD" : "DEL";
                throw new IOException("epoll_ctl(" + name + ", fd " + fd + "): " + Native.strerror(errno));
            }
        }
    }
}
