package dev.outpost.runtime.wire;

import java.lang.System.Logger.Level;

/** Maps the wire's log levels to the host logger's. */
public final class Levels {
    private Levels() {
    }

    public static Level of(dev.outpost.protocol.v1.Level level) {
        return switch (level) {
            case TRACE -> Level.TRACE;
            case DEBUG -> Level.DEBUG;
            case WARN -> Level.WARNING;
            case ERROR -> Level.ERROR;
            case INFO, LEVEL_UNSPECIFIED, UNRECOGNIZED -> Level.INFO;
        };
    }
}
