package dev.outpost.api;

/**
 * Why a call failed. The codes are those of the wire protocol ({@code outpost.v1.Code}); the
 * runtime adds none of its own.
 */
public enum ErrorCode {
    /** The plugin has no such service or method: callers may fall back to another implementation. */
    UNIMPLEMENTED,
    /** The plugin did not accept the payload. */
    INVALID_ARGUMENT,
    /** The call's deadline passed before the answer came. */
    DEADLINE_EXCEEDED,
    /** The call was cancelled. */
    CANCELLED,
    /** The plugin failed while handling the call. */
    INTERNAL,
    /** The plugin is stopping, stopped, or its process died. */
    UNAVAILABLE,
    /** A limit was hit, for example the maximum frame size. */
    RESOURCE_EXHAUSTED,
    /** A side broke the wire protocol. */
    PROTOCOL_ERROR,
    /** The caller may not call this service: a plugin whose bundle does not import it (protocol 1.1). */
    PERMISSION_DENIED
}
