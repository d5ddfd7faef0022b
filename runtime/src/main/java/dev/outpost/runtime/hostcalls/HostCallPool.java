package dev.outpost.runtime.hostcalls;

import dev.outpost.runtime.config.DaemonThreads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The threads that run plugins' calls to host services ({@code outpost-hostcall}), shared by every
 * plugin of a runtime and shared fairly: each plugin queues its calls in its own {@link Lane}, the
 * threads take from the lanes in turn, and no lane has more than {@link HostCallLimits#running}
 * calls running at once. A plugin whose calls block, or that floods the host with them, holds a
 * few threads and waits in its own queue; the other plugins' calls keep being served.
 *
 * <p>Owns its threads, started as work comes (up to {@link HostCallLimits#threads}) and stopped by
 * {@link #close()}. Thread-safe. A task's interrupt status does not outlive it.
 */
public final class HostCallPool implements AutoCloseable {
    private final int maxThreads;
    private final int maxRunning;
    private final int maxQueued;
    private final ArrayDeque<Lane> ready = new ArrayDeque<>(); // guarded by this: lanes with work and room
    private final List<Thread> threads = new ArrayList<>();     // guarded by this
    private int idle;                                           // guarded by this: threads waiting for work
    private int woken;                                          // guarded by this: of those, told to look again
    private boolean closed;                                     // guarded by this

    public HostCallPool(HostCallLimits limits) {
        this.maxThreads = limits.threads();
        this.maxRunning = limits.running();
        this.maxQueued = 2 * limits.inFlight(); // the calls, and as many large answers to write
    }

    /** A new queue for one plugin's calls. */
    public Lane lane() {
        return new Lane();
    }

    /** The queue of one plugin's calls; its tasks run in order of submission, a few at a time. */
    public final class Lane {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(); // guarded by the pool
        private int running;                                           // guarded by the pool
        private boolean queued;                                        // guarded by the pool: in ready

        private Lane() {
        }

        /**
         * Queues {@code task}; returns false (and runs nothing) once the pool is closed, or when the
         * lane holds twice as many tasks as its plugin may have calls open (calls that ended before
         * they ran leave a task that does nothing, so a plugin cannot grow the queue by cancelling).
         */
        public boolean submit(Runnable task) {
            synchronized (HostCallPool.this) {
                if (closed || tasks.size() >= maxQueued) {
                    return false;
                }
                tasks.add(task);
                offer(this);
                if (idle > woken) { // a thread waits and has not been told yet
                    woken++;
                    HostCallPool.this.notify();
                } else if (threads.size() < maxThreads) {
                    Thread t = DaemonThreads.named("outpost-hostcall").newThread(HostCallPool.this::work);
                    threads.add(t);
                    t.start();
                } // else every thread is busy: the next to finish takes it
                return true;
            }
        }

        /** Tasks queued, not yet running (for tests and the shell). */
        public int waiting() {
            synchronized (HostCallPool.this) {
                return tasks.size();
            }
        }
    }

    /** Puts a lane with work and room at the end of the line. Caller holds the lock. */
    private void offer(Lane lane) {
        if (!lane.queued && !lane.tasks.isEmpty() && lane.running < maxRunning) {
            lane.queued = true;
            ready.add(lane);
        }
    }

    private void work() {
        while (true) {
            Lane lane;
            Runnable task;
            synchronized (this) {
                while (ready.isEmpty() && !closed) {
                    idle++;
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // interrupts are for the task that ran; closing is told by the flag
                    } finally {
                        idle--;
                        if (woken > 0) {
                            woken--;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                lane = ready.poll();
                lane.queued = false;
                task = lane.tasks.poll();
                lane.running++;
                offer(lane); // behind the others, if it has more and room
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                System.getLogger(HostCallPool.class.getName()).log(System.Logger.Level.WARNING,
                        "a host call failed outside its answer: " + e, e);
            } finally {
                Thread.interrupted(); // a cancel that came as the task ended is not the next task's
                synchronized (this) {
                    lane.running--;
                    offer(lane); // this thread looks at the line again before it waits
                }
            }
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Threads started so far. */
    public synchronized int threads() {
        return threads.size();
    }

    /** Stops taking work, drops what waits, and interrupts what runs; returns without waiting for it. Idempotent. */
    @Override
    public void close() {
        List<Thread> running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ready.clear();
            running = List.copyOf(threads);
            notifyAll();
        }
        running.forEach(Thread::interrupt);
    }
}
