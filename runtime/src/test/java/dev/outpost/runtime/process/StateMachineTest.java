package dev.outpost.runtime.process;

import static dev.outpost.runtime.process.ProcessState.ENDING;
import static dev.outpost.runtime.process.ProcessState.FAILED;
import static dev.outpost.runtime.process.ProcessState.NEW;
import static dev.outpost.runtime.process.ProcessState.RUNNING;
import static dev.outpost.runtime.process.ProcessState.STARTING;
import static dev.outpost.runtime.process.ProcessState.STOPPED;
import static dev.outpost.runtime.process.ProcessState.STOPPING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.api.PluginState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StateMachineTest {

    /** Records every move a machine makes, as Guava's AbstractServiceTest does. */
    static final class History<S extends Enum<S>> implements StateMachine.Listener<S> {
        final List<String> moves = Collections.synchronizedList(new ArrayList<>());

        History(StateMachine<S> machine) {
            machine.addListener(this);
        }

        @Override
        public void moved(S from, S to) {
            moves.add(from + "->" + to);
        }
    }

    @Test
    void aNormalLifeIsToldMoveByMoveWithTheStateItCameFrom() {
        StateMachine<ProcessState> m = ProcessState.machine();
        History<ProcessState> h = new History<>(m);
        m.move(STARTING);
        m.move(RUNNING);
        m.move(STOPPING);
        m.move(STOPPED);
        assertEquals(List.of("NEW->STARTING", "STARTING->RUNNING", "RUNNING->STOPPING", "STOPPING->STOPPED"), h.moves);
    }

    @Test
    void aFailureGoesThroughEndingToFailed() {
        StateMachine<ProcessState> m = ProcessState.machine();
        History<ProcessState> h = new History<>(m);
        m.move(STARTING);
        m.move(RUNNING);
        m.move(ENDING);
        m.move(FAILED);
        assertEquals(List.of("NEW->STARTING", "STARTING->RUNNING", "RUNNING->ENDING", "ENDING->FAILED"), h.moves);
    }

    @Test
    void terminalStatesAreTerminalInBothGraphs() {
        StateMachine<ProcessState> process = ProcessState.machine();
        for (ProcessState terminal : EnumSet.of(STOPPED, FAILED)) {
            assertTrue(process.isTerminal(terminal));
            assertTrue(terminal.isTerminal());
            for (ProcessState to : ProcessState.values()) {
                assertFalse(process.allows(terminal, to), terminal + "->" + to);
            }
        }
        StateMachine<PluginState> plugin = PluginStates.machine();
        for (PluginState s : PluginState.values()) {
            assertEquals(s.isTerminal(), plugin.isTerminal(s), s.toString());
        }
    }

    @Test
    void aMoveTheGraphDoesNotAllowIsRefusedAndLeavesNoTrace() {
        StateMachine<ProcessState> m = ProcessState.machine();
        History<ProcessState> h = new History<>(m);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.move(RUNNING));
        assertEquals("no transition from NEW to RUNNING", e.getMessage());
        assertThrows(IllegalStateException.class, () -> m.move(STOPPING));
        assertEquals(NEW, m.state());
        assertEquals(List.of(), h.moves);
    }

    @Test
    void ofAStopAndAFailureRacingOutOfRunningExactlyOneWins() throws Exception {
        for (int round = 0; round < 200; round++) {
            StateMachine<ProcessState> m = ProcessState.machine();
            m.move(STARTING);
            m.move(RUNNING);
            AtomicInteger winners = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> racers = new ArrayList<>();
            for (ProcessState to : List.of(STOPPING, ENDING)) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (m.moveFrom(EnumSet.of(STARTING, RUNNING), to) != null) {
                        winners.incrementAndGet();
                    }
                });
                t.start();
                racers.add(t);
            }
            go.countDown();
            for (Thread t : racers) {
                t.join(10_000);
            }
            assertEquals(1, winners.get(), "round " + round + " ended " + m.state());
        }
    }

    @Test
    void aConditionalMoveIsMadeOnlyFromTheGivenStates() {
        StateMachine<ProcessState> m = ProcessState.machine();
        m.move(STARTING);
        assertNull(m.moveFrom(EnumSet.of(RUNNING), STOPPING));
        assertEquals(STARTING, m.moveFrom(EnumSet.of(STARTING, RUNNING), STOPPING));
        assertNull(m.moveFrom(EnumSet.of(STARTING), RUNNING), "a stop that won the race is not undone");
        assertEquals(STOPPING, m.state());
    }

    @Test
    void listenersHearMovesInOrderEvenWhenAnotherThreadMovesMeanwhile() throws Exception {
        StateMachine<ProcessState> m = ProcessState.machine();
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        m.addListener((from, to) -> {
            heard.add(from + "->" + to);
            if (to == STARTING) {
                inListener.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Thread first = new Thread(() -> m.move(STARTING));
        first.start();
        assertTrue(inListener.await(10, TimeUnit.SECONDS));
        m.move(RUNNING); // while the first mover is still telling: returns without telling
        assertEquals(RUNNING, m.state());
        assertEquals(List.of("NEW->STARTING"), heard);
        release.countDown();
        first.join(10_000);
        assertEquals(List.of("NEW->STARTING", "STARTING->RUNNING"), heard);
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() {
        StateMachine<ProcessState> m = ProcessState.machine();
        m.addListener((from, to) -> {
            throw new IllegalStateException("listener bug");
        });
        History<ProcessState> h = new History<>(m);
        m.move(STARTING);
        m.move(RUNNING);
        assertEquals(List.of("NEW->STARTING", "STARTING->RUNNING"), h.moves);
    }

    @Test
    void awaitTerminalReturnsOnceTerminal() throws Exception {
        StateMachine<ProcessState> m = ProcessState.machine();
        m.move(STARTING);
        Thread t = new Thread(() -> m.move(FAILED));
        t.start();
        assertEquals(FAILED, m.awaitTerminal(10_000));
        t.join();
        assertEquals(STARTING, new StateMachine<>(STARTING, ProcessState.MOVES).awaitTerminal(1));
    }
}
