package dev.outpost.runtime.process;

import dev.outpost.api.PluginState;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of one plugin process, from spawn to reap.
 *
 * <pre>
 * NEW ──► STARTING ──► RUNNING ──► STOPPING ──► STOPPED
 *  │         │            │
 *  │         └────────────┴──────► ENDING ────► FAILED
 *  │                                  └───────► EXITED
 *  └──────────────────────────────────────────► STOPPED
 * </pre>
 *
 * STARTING covers the spawn (on the spawn thread) and the handshake. Leaving STARTING or RUNNING
 * is the one decision of how the process ends: the stop that moves it to STOPPING, or the failure
 * (death, broken protocol, no handshake) that moves it to ENDING, wins, and the other waits for
 * the terminal state. EXITED is the end of a process that left by itself, cleanly (exit 0, or
 * SIGTERM, SIGINT or SIGHUP from somebody other than the host): not a failure. STOPPED, EXITED and
 * FAILED are terminal and mean the process has been reaped (or was never spawned) and its
 * descriptors are closed. A start that fails before anything was spawned goes straight from
 * STARTING to FAILED.
 */
public enum ProcessState {
    NEW, STARTING, RUNNING, STOPPING, ENDING, STOPPED, EXITED, FAILED;

    static final Map<ProcessState, Set<ProcessState>> MOVES = Map.ofEntries(
            Map.entry(NEW, EnumSet.of(STARTING, STOPPED)),
            Map.entry(STARTING, EnumSet.of(RUNNING, STOPPING, ENDING, FAILED)),
            Map.entry(RUNNING, EnumSet.of(STOPPING, ENDING)),
            Map.entry(STOPPING, EnumSet.of(STOPPED)),
            Map.entry(ENDING, EnumSet.of(FAILED, EXITED)),
            Map.entry(STOPPED, EnumSet.noneOf(ProcessState.class)),
            Map.entry(EXITED, EnumSet.noneOf(ProcessState.class)),
            Map.entry(FAILED, EnumSet.noneOf(ProcessState.class)));

    /** The state machine of a new process. */
    static StateMachine<ProcessState> machine() {
        return new StateMachine<>(NEW, MOVES);
    }

    public boolean isTerminal() {
        return this == STOPPED || this == EXITED || this == FAILED;
    }

    /** As the outside sees a plugin whose process is in this state. */
    public PluginState asPluginState() {
        return switch (this) {
            case NEW -> PluginState.NEW;
            case STARTING -> PluginState.STARTING;
            case RUNNING -> PluginState.RUNNING;
            case STOPPING, ENDING -> PluginState.STOPPING;
            case STOPPED, EXITED -> PluginState.STOPPED;
            case FAILED -> PluginState.FAILED;
        };
    }
}
