package dev.outpost.api;

/**
 * The life of a plugin, as the runtime sees it.
 *
 * <pre>
 * NEW ──► STARTING ──► RUNNING ──► STOPPING ──► STOPPED
 *            │  ▲          │
 *            │  └─ RESTARTING ◄┤   (a restart policy brings the plugin back)
 *            └─────────────┴──────► FAILED
 * </pre>
 *
 * STOPPED and FAILED are terminal. Each process goes NEW, STARTING, RUNNING and ends STOPPED or
 * FAILED; the plugin as a whole passes through RESTARTING between one process and the next.
 */
public enum PluginState {
    /** Created, nothing spawned yet. */
    NEW,
    /** A process is spawned and its handshake is under way. */
    STARTING,
    /**
     * Handshake done, calls served. Its services are registered right after it enters RUNNING (on
     * a thread of their own, so that a consumer that calls the plugin from its activation is served).
     */
    RUNNING,
    /** The process died or was restarted; a new one starts after a backoff, or at the next call. */
    RESTARTING,
    /** Asked to leave: services withdrawn, the process is being stopped and reaped. */
    STOPPING,
    /** Stopped on request; the process has been reaped. */
    STOPPED,
    /** The start failed, or the process died and no restart is allowed; it has been reaped. */
    FAILED;

    /** Whether the state is final. */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
