package dev.outpost.api;

/**
 * The life of one plugin process, as the runtime sees it.
 *
 * <pre>
 * NEW ──► STARTING ──► RUNNING ──► STOPPING ──► STOPPED
 *            │            │
 *            └────────────┴──────► FAILED
 * </pre>
 *
 * STOPPED and FAILED are terminal: a restart is a new process with a new life.
 */
public enum PluginState {
    /** Created, nothing spawned yet. */
    NEW,
    /** The process is spawned and the handshake is under way. */
    STARTING,
    /** Handshake done, services registered, calls served. */
    RUNNING,
    /** Asked to leave: services unregistered, the process is being stopped and reaped. */
    STOPPING,
    /** The process was stopped on request and reaped. */
    STOPPED,
    /** The start failed or the process died on its own; it has been reaped. */
    FAILED;

    /** Whether the state is final. */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
