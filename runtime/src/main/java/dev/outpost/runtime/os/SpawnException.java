package dev.outpost.runtime.os;

import java.io.IOException;

/**
 * A child could not be started. The message names the executable and the real errno text, e.g.
 * "posix_spawn of echo failed: No such file or directory". Nothing is left behind: no process, no fd.
 */
public class SpawnException extends IOException {
    public SpawnException(String message) {
        super(message);
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
    }
}
