package dev.outpost.runtime.wire;

import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Code;

/** Maps the wire's error codes to the API's. */
public final class Codes {
    private Codes() {
    }

    public static ErrorCode toApi(Code code) {
        return switch (code) {
            case UNIMPLEMENTED -> ErrorCode.UNIMPLEMENTED;
            case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
            case DEADLINE_EXCEEDED -> ErrorCode.DEADLINE_EXCEEDED;
            case CANCELLED -> ErrorCode.CANCELLED;
            case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
            case RESOURCE_EXHAUSTED -> ErrorCode.RESOURCE_EXHAUSTED;
            case PROTOCOL_ERROR -> ErrorCode.PROTOCOL_ERROR;
            case PERMISSION_DENIED -> ErrorCode.PERMISSION_DENIED;
            case INTERNAL, CODE_UNSPECIFIED, UNRECOGNIZED -> ErrorCode.INTERNAL;
        };
    }

    /** The wire's code for an API code (the names are the same). */
    public static Code toWire(ErrorCode code) {
        return Code.valueOf(code.name());
    }
}
