package dev.outpost.runtime.process;

import static dev.outpost.api.PluginState.FAILED;
import static dev.outpost.api.PluginState.NEW;
import static dev.outpost.api.PluginState.RESTARTING;
import static dev.outpost.api.PluginState.RUNNING;
import static dev.outpost.api.PluginState.STARTING;
import static dev.outpost.api.PluginState.STOPPED;
import static dev.outpost.api.PluginState.STOPPING;

import dev.outpost.api.PluginState;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The graph of {@link PluginState}s a plugin moves through, across its processes. */
public final class PluginStates {
    static final Map<PluginState, Set<PluginState>> MOVES = Map.of(
            NEW, EnumSet.of(STARTING, FAILED, STOPPED),
            STARTING, EnumSet.of(RUNNING, STOPPING, FAILED, RESTARTING),
            RUNNING, EnumSet.of(STOPPING, FAILED, RESTARTING),
            RESTARTING, EnumSet.of(STARTING, STOPPING, FAILED),
            STOPPING, EnumSet.of(STOPPED),
            STOPPED, EnumSet.noneOf(PluginState.class),
            FAILED, EnumSet.noneOf(PluginState.class));

    private PluginStates() {
    }

    /** The state machine of a new plugin, in NEW. */
    public static StateMachine<PluginState> machine() {
        return new StateMachine<>(NEW, MOVES);
    }
}
