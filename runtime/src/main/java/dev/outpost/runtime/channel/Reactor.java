package dev.outpost.runtime.channel;

import dev.outpost.runtime.os.Epoll;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that waits for every plugin's descriptors: sockets, output pipes and pidfds.
 * Host threads do not grow with the number of plugins; readiness is dispatched to the
 * {@link Handler} registered for the descriptor, on this thread, so handlers must not block.
 *
 * <p>Owns the epoll instance and its thread; does not own the registered descriptors (their
 * owners close them after {@link #unregister}).
 */
public final class Reactor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Reactor.class.getName());
    private static final int BATCH = 256;

    /** What to do when a descriptor is ready. Runs on the reactor thread; must not block. */
    public interface Handler {
        /** {@code events} are {@link Epoll} event bits. */
        void ready(int events);
    }

    private final Epoll epoll;
    private final Map<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong(1);
    private final Thread thread;
    private volatile boolean closed;

    private record Registration(int fd, Handler handler) {
    }

    public Reactor(String threadName) throws IOException {
        this.epoll = Epoll.open();
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts watching {@code fd} for input (and hang-up); returns the key to unregister with.
     */
    public long register(int fd, Handler handler) throws IOException {
        long key = nextKey.getAndIncrement();
        registrations.put(key, new Registration(fd, handler));
        try {
            epoll.add(fd, Epoll.IN | Epoll.RDHUP, key);
        } catch (IOException e) {
            registrations.remove(key);
            throw e;
        }
        return key;
    }

    /** Starts watching {@code fd} for room to write (and errors); returns the key to unregister with. */
    public long registerWritable(int fd, Handler handler) throws IOException {
        long key = nextKey.getAndIncrement();
        registrations.put(key, new Registration(fd, handler));
        try {
            epoll.add(fd, Epoll.OUT, key);
        } catch (IOException e) {
            registrations.remove(key);
            throw e;
        }
        return key;
    }

    /** Stops watching; after this returns, the handler is not called again for new events. */
    public void unregister(long key) {
        Registration r = registrations.remove(key);
        if (r != null) {
            epoll.remove(r.fd);
        }
    }

    boolean onReactorThread() {
        return Thread.currentThread() == thread;
    }


    private void loop() {
        long[] keys = new long[BATCH];
        int[] events = new int[BATCH];
        while (!closed) {
            int n;
            try {
                n = epoll.wait(keys, events, -1);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "epoll_wait failed; plugin I/O stops", e);
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                Registration r = registrations.get(keys[i]);
                if (r == null) {
                    continue; // unregistered while the event was in flight
                }
                try {
                    r.handler.ready(events[i]);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, "handler for fd " + r.fd + " failed", e);
                }
            }
        }
    }

    /** Stops the thread and closes the epoll instance; waits for the thread to finish. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        epoll.wakeup();
        if (!onReactorThread()) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        epoll.close();
    }
}
