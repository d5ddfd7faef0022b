package dev.outpost.runtime.process;

import java.lang.System.Logger.Level;
import java.util.concurrent.Callable;

/**
 * The services one process published, and whether it may still publish: once
 * {@link #withdraw withdrawn} (the process is ending), a late handshake publishes nothing.
 * Thread-safe; the withdrawal runs outside the lock.
 */
final class ServiceSlot {
    private Runnable unpublish; // guarded by this
    private boolean closed;     // guarded by this

    /** Publishes through {@code publish} (which returns the withdrawal) unless already withdrawn. */
    synchronized void publish(Callable<Runnable> publish) throws Exception {
        if (!closed) {
            unpublish = publish.call();
        }
    }

    /** Withdraws what was published, once; nothing is published after this. */
    void withdraw(System.Logger log, String name) {
        Runnable u;
        synchronized (this) {
            closed = true;
            u = unpublish;
            unpublish = null;
        }
        if (u != null) {
            try {
                u.run();
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "withdrawing the services of " + name + " failed", e);
            }
        }
    }
}
