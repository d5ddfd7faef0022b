package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outpost.runtime.os.ExitStatus;
import dev.outpost.runtime.os.Signals;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stop and failure sequences, step by step, against a child that is only a script. */
class ExitEscalationTest {
    private static final System.Logger LOG = System.getLogger(ExitEscalationTest.class.getName());

    /** A child that records what it is asked, and dies on the signals it does not ignore. */
    static final class ScriptedChild implements ExitEscalation.Child {
        final List<String> history = new ArrayList<>();
        private final List<Integer> ignored;
        private ExitStatus exit;
        private boolean waitFails;

        ScriptedChild(Integer... ignoredSignals) {
            this.ignored = List.of(ignoredSignals);
        }

        /** It exits by itself, with {@code code}, before anybody waits. */
        ScriptedChild exitsWith(int code) {
            exit = new ExitStatus(code, 0);
            return this;
        }

        ScriptedChild failingWaits() {
            waitFails = true;
            return this;
        }

        @Override
        public int pid() {
            return 4711;
        }

        @Override
        public Optional<ExitStatus> awaitExit(long millis) throws IOException {
            history.add("wait " + millis);
            if (waitFails) {
                throw new IOException("poll failed");
            }
            return Optional.ofNullable(exit);
        }

        @Override
        public void signal(int signal) {
            history.add(Signals.name(signal));
            if (!ignored.contains(signal) && exit == null) {
                exit = new ExitStatus(0, signal);
            }
        }
    }

    private final StopSequence sequence = new StopSequence("fx", 2000, 1000, LOG);

    @Test
    void aChildThatLeavesAfterGoodbyeGetsNoSignal() {
        ScriptedChild child = new ScriptedChild().exitsWith(0);
        ExitStatus s = ExitEscalation.run(child, "fx", LOG, sequence.stopSteps());
        assertEquals(0, s.code());
        assertEquals(List.of("wait 2000"), child.history);
    }

    @Test
    void aChildThatStaysAfterTheGraceGetsSigtermAndDiesOfIt() {
        ScriptedChild child = new ScriptedChild();
        ExitStatus s = ExitEscalation.run(child, "fx", LOG, sequence.stopSteps());
        assertEquals(Signals.SIGTERM, s.signal());
        assertEquals(List.of("wait 2000", "SIGTERM", "wait 1000"), child.history);
    }

    @Test
    void aChildThatIgnoresSigtermIsKilledAndReaped() {
        ScriptedChild child = new ScriptedChild(Signals.SIGTERM);
        ExitStatus s = ExitEscalation.run(child, "fx", LOG, sequence.stopSteps());
        assertEquals(Signals.SIGKILL, s.signal());
        assertEquals(List.of("wait 2000", "SIGTERM", "wait 1000", "SIGKILL", "wait " + StopSequence.KILL_WAIT_MILLIS),
                child.history);
    }

    @Test
    void aChildThatOutlivesSigkillIsGivenUpOnAfterTheLastWait() {
        ScriptedChild child = new ScriptedChild(Signals.SIGTERM, Signals.SIGKILL);
        assertNull(ExitEscalation.run(child, "fx", LOG, sequence.stopSteps()));
        assertEquals(List.of("wait 2000", "SIGTERM", "wait 1000", "SIGKILL", "wait " + StopSequence.KILL_WAIT_MILLIS),
                child.history);
    }

    @Test
    void afterAFailureTheChildIsKilledWithoutSigterm() {
        ScriptedChild child = new ScriptedChild(Signals.SIGTERM);
        ExitStatus s = sequence.kill(child, 200);
        assertEquals(Signals.SIGKILL, s.signal());
        assertEquals(List.of("wait 200", "SIGKILL", "wait " + StopSequence.KILL_WAIT_MILLIS), child.history);
    }

    @Test
    void aFailingWaitDoesNotStopTheEscalation() {
        ScriptedChild child = new ScriptedChild().failingWaits();
        assertNull(ExitEscalation.run(child, "fx", LOG, StopSequence.killSteps(0)));
        assertEquals(List.of("wait 0", "SIGKILL", "wait " + StopSequence.KILL_WAIT_MILLIS), child.history);
    }

    @Test
    void theBoundsAreTheSumsOfTheWaits() {
        assertEquals(2000 + 1000 + StopSequence.KILL_WAIT_MILLIS, sequence.stopBoundMillis());
        assertEquals(200 + StopSequence.KILL_WAIT_MILLIS, StopSequence.killBoundMillis(200));
    }
}
