package dev.outpost.runtime.process;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An explicit state graph: the current state, the moves the graph allows, and listeners told of
 * every move with the state it came from. Terminal states (those with no way out) are terminal.
 * Used for a plugin ({@link dev.outpost.api.PluginState}) and for one of its processes
 * ({@link ProcessState}).
 *
 * <p>Moves are atomic: of two threads racing to move out of a state, exactly one wins
 * ({@link #moveFrom}), which is how a stop and a failure decide who ends a process. Listeners run
 * outside the lock, in the order the moves were made, one at a time: a thread that makes a move
 * while another is telling the listeners leaves its move to that thread, so listeners never see
 * two moves out of order, and never run under this object's lock. Thread-safe.
 *
 * @param <S> the states
 */
public final class StateMachine<S extends Enum<S>> {
    /** Told of each move. */
    public interface Listener<S> {
        void moved(S from, S to);
    }

    private record Move<S>(S from, S to) {
    }

    private final Map<S, Set<S>> allowed;
    private final List<Listener<S>> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Move<S>> untold = new ArrayDeque<>(); // guarded by this
    private boolean telling;                                        // guarded by this
    private S state;                                                // guarded by this

    /** {@code allowed} maps every state to the states it may move to (none: terminal). */
    public StateMachine(S initial, Map<S, Set<S>> allowed) {
        for (S s : initial.getDeclaringClass().getEnumConstants()) {
            if (!allowed.containsKey(s)) {
                throw new IllegalArgumentException("no moves given for " + s);
            }
        }
        this.allowed = Map.copyOf(allowed);
        this.state = initial;
    }

    public synchronized S state() {
        return state;
    }

    /** Whether the graph allows a move from {@code from} to {@code to}. */
    public boolean allows(S from, S to) {
        return allowed.get(from).contains(to);
    }

    public boolean isTerminal(S s) {
        return allowed.get(s).isEmpty();
    }

    /** Told of every move made after this returns. */
    public void addListener(Listener<S> listener) {
        listeners.add(listener);
    }

    /**
     * Moves to {@code to} if the current state is one of {@code from} and the graph allows it.
     *
     * @return the state it came from, or {@code null} when the move was not made
     */
    public S moveFrom(Set<S> from, S to) {
        S previous;
        synchronized (this) {
            if (!from.contains(state) || !allows(state, to)) {
                return null;
            }
            previous = state;
            state = to;
            notifyAll();
            untold.addLast(new Move<>(previous, to));
            if (telling) {
                return previous; // the thread telling the listeners tells them this move too
            }
            telling = true;
        }
        tellListeners();
        return previous;
    }

    /** Moves to {@code to}; refuses a move the graph does not allow. */
    public S move(S to) {
        S previous = moveFrom(EnumSet.allOf(to.getDeclaringClass()), to);
        if (previous == null) {
            throw new IllegalStateException("no transition from " + state() + " to " + to);
        }
        return previous;
    }

    private void tellListeners() {
        while (true) {
            Move<S> m;
            synchronized (this) {
                m = untold.pollFirst();
                if (m == null) {
                    telling = false;
                    return;
                }
            }
            for (Listener<S> l : listeners) {
                try {
                    l.moved(m.from(), m.to());
                } catch (RuntimeException | Error e) {
                    // one listener's failure must not keep the others (or the mover) from going on
                    System.getLogger(StateMachine.class.getName()).log(System.Logger.Level.ERROR,
                            "listener " + l + " failed on " + m.from() + " -> " + m.to(), e);
                }
            }
        }
    }

    /** Waits until the state is terminal, at most {@code timeoutMillis}; returns the state then. */
    public synchronized S awaitTerminal(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!isTerminal(state)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return state;
    }

    @Override
    public synchronized String toString() {
        return "StateMachine[" + state + "]";
    }
}
