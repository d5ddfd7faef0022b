package dev.outpost.runtime.channel;

import dev.outpost.api.ErrorCode;

/** Why a connection to a plugin ended, which decides how its calls in flight fail. */
public enum Breakage {
    /** The plugin closed its end: it is exiting or has exited; how is told by its exit status. */
    END_OF_FILE(ErrorCode.UNAVAILABLE),
    /** Reading or writing failed. */
    IO_ERROR(ErrorCode.UNAVAILABLE),
    /** The plugin broke the protocol (docs/protocol.md): calls in flight fail with PROTOCOL_ERROR. */
    VIOLATION(ErrorCode.PROTOCOL_ERROR);

    /** The code calls in flight fail with. */
    public final ErrorCode callsFailWith;

    Breakage(ErrorCode callsFailWith) {
        this.callsFailWith = callsFailWith;
    }
}
