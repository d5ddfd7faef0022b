package dev.outpost.runtime.channel;

import java.io.IOException;

/**
 * Who watches a plugin's socket for input: the {@link Reactor}, or for a while one caller that
 * waits for its own answer and reads it on its own thread ({@link #claim}). Only the watching is
 * handed over; the reading itself is serialized by the channel's read lock, whoever reads.
 *
 * <p>Its lock is never held while calling out or while taking another lock, so that a claim can
 * be given back from anywhere, even by a thread that holds the channel's write lock. Does not own
 * the descriptor; owns its registration with the reactor.
 */
final class SocketWatch {
    /** How long {@link #close()} waits at most for a caller to give its claim back. */
    private static final long CLOSE_WAIT_MILLIS = 200;

    /** Taken from the reactor by one caller until {@link #release()} (idempotent). */
    final class Claim {
        private boolean released; // guarded by SocketWatch.this

        void release() {
            boolean failed = false;
            synchronized (SocketWatch.this) {
                if (released) {
                    return;
                }
                released = true;
                claimed = false;
                SocketWatch.this.notifyAll();
                if (!stopped) {
                    try {
                        key = reactor.register(fd, handler);
                    } catch (IOException e) {
                        stopped = true;
                        failure = e;
                        failed = true;
                    }
                }
            }
            if (failed) {
                onFailure.run();
            }
        }

        boolean isReleased() {
            synchronized (SocketWatch.this) {
                return released;
            }
        }
    }

    private final int fd;
    private final Reactor reactor;
    private final Reactor.Handler handler;
    private final Runnable onFailure;
    private long key;                  // guarded by this
    private boolean claimed;           // guarded by this
    private boolean stopped;           // guarded by this: see stop()
    private volatile IOException failure;

    /**
     * Starts watching {@code fd} on {@code reactor}. {@code onFailure} runs (without a lock held)
     * if the reactor cannot take the socket back after a claim; {@link #failure()} says why.
     */
    SocketWatch(int fd, Reactor reactor, Reactor.Handler handler, Runnable onFailure) throws IOException {
        this.fd = fd;
        this.reactor = reactor;
        this.handler = handler;
        this.onFailure = onFailure;
        this.key = reactor.register(fd, handler);
    }

    /**
     * Takes the socket from the reactor for the calling thread; {@code null} when another caller
     * has it, watching has stopped, or the caller is the reactor's own thread (which may be in
     * the middle of reading this socket, in a callback).
     */
    synchronized Claim claim() {
        if (claimed || stopped || reactor.onReactorThread()) {
            return null;
        }
        claimed = true;
        reactor.unregister(key);
        return new Claim();
    }

    /** Whether a caller has the socket now. */
    synchronized boolean isClaimed() {
        return claimed;
    }

    /** Stops watching for good; a claim given back later does not start it again. Idempotent. */
    synchronized void stop() {
        stopped = true;
        reactor.unregister(key);
    }

    /**
     * Stops watching and waits (briefly: a claim holder polls for a few milliseconds at most)
     * until no caller has the socket, so that it can be closed.
     */
    synchronized void close() {
        stop();
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000L;
        while (claimed) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    IOException failure() {
        return failure;
    }
}
