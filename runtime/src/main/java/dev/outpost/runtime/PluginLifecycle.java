package dev.outpost.runtime;

import dev.outpost.api.PluginState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The explicit state graph of a plugin or of one of its processes (see {@link PluginState}; a
 * process never passes through RESTARTING), its history, and the
 * listeners told of every transition with the state it came from. Terminal states are terminal.
 * Thread-safe; listeners run on the thread that made the transition, outside the lock.
 */
final class PluginLifecycle {
    /** Told of each transition. */
    interface Listener {
        void transitioned(PluginState from, PluginState to);
    }

    private static final Map<PluginState, Set<PluginState>> ALLOWED = new EnumMap<>(PluginState.class);

    static {
        ALLOWED.put(PluginState.NEW, EnumSet.of(PluginState.STARTING, PluginState.FAILED, PluginState.STOPPED));
        ALLOWED.put(PluginState.STARTING, EnumSet.of(PluginState.RUNNING, PluginState.STOPPING, PluginState.FAILED,
                PluginState.RESTARTING));
        ALLOWED.put(PluginState.RUNNING, EnumSet.of(PluginState.STOPPING, PluginState.FAILED, PluginState.RESTARTING));
        ALLOWED.put(PluginState.RESTARTING, EnumSet.of(PluginState.STARTING, PluginState.STOPPING, PluginState.FAILED));
        ALLOWED.put(PluginState.STOPPING, EnumSet.of(PluginState.STOPPED));
        ALLOWED.put(PluginState.STOPPED, EnumSet.noneOf(PluginState.class));
        ALLOWED.put(PluginState.FAILED, EnumSet.noneOf(PluginState.class));
    }

    private final List<PluginState> history = new ArrayList<>(List.of(PluginState.NEW));
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private PluginState state = PluginState.NEW;

    static boolean allowed(PluginState from, PluginState to) {
        return ALLOWED.get(from).contains(to);
    }

    synchronized PluginState state() {
        return state;
    }

    synchronized List<PluginState> history() {
        return Collections.unmodifiableList(new ArrayList<>(history));
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Moves to {@code to} if the current state is one of {@code from} and the graph allows it.
     *
     * @return the state it came from, or {@code null} when the move was not made
     */
    PluginState moveFrom(Set<PluginState> from, PluginState to) {
        PluginState previous;
        synchronized (this) {
            if (!from.contains(state) || !allowed(state, to)) {
                return null;
            }
            previous = state;
            state = to;
            history.add(to);
            notifyAll();
        }
        for (Listener l : listeners) {
            l.transitioned(previous, to);
        }
        return previous;
    }

    /** Moves to {@code to}; refuses a move the graph does not allow. */
    PluginState move(PluginState to) {
        PluginState previous = moveFrom(EnumSet.allOf(PluginState.class), to);
        if (previous == null) {
            throw new IllegalStateException("no transition from " + state() + " to " + to);
        }
        return previous;
    }

    /** Waits until the state is terminal, at most {@code timeoutMillis}; returns the state then. */
    synchronized PluginState awaitTerminal(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!state.isTerminal()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return state;
    }
}
