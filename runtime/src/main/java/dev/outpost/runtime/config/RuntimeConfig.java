package dev.outpost.runtime.config;

import java.time.Duration;
import java.util.function.Function;

/**
 * The runtime's settings, read from framework (or system) properties. Every setting has a
 * default; a value that does not parse is an error naming the property.
 *
 * @param maxFrameSize largest frame accepted or sent, in bytes ({@value #MAX_FRAME_SIZE})
 * @param handshakeTimeout how long a new process has to send its Hello ({@value #HANDSHAKE_TIMEOUT})
 * @param stopGrace how long a plugin has to leave after Goodbye before SIGTERM ({@value #STOP_GRACE})
 * @param termTimeout how long after SIGTERM before SIGKILL ({@value #TERM_TIMEOUT})
 * @param writeTimeout how long a write waits for a plugin that does not read ({@value #WRITE_TIMEOUT})
 * @param livenessInterval how often a running plugin is pinged; zero: never ({@value #LIVENESS_INTERVAL})
 * @param livenessMisses unanswered pings in a row after which the plugin is declared unresponsive
 *     and killed ({@value #LIVENESS_MISSES})
 * @param reloadDrain how long a hot reload lets calls in flight on the old process finish
 *     ({@value #RELOAD_DRAIN})
 * @param spin how long a caller waiting for its answer, and a plugin that has just answered, poll
 *     their socket before they sleep ({@value #SPIN}); zero: never. Where this JVM may run on one
 *     CPU only, neither polls, whatever the setting: the peer would need that CPU to answer.
 */
public record RuntimeConfig(int maxFrameSize, Duration handshakeTimeout, Duration stopGrace,
                     Duration termTimeout, Duration writeTimeout, Duration livenessInterval, int livenessMisses,
                     Duration reloadDrain, Duration spin) {
    static final String MAX_FRAME_SIZE = "outpost.frame.max.bytes";
    static final String HANDSHAKE_TIMEOUT = "outpost.handshake.timeout.ms";
    static final String STOP_GRACE = "outpost.stop.grace.ms";
    static final String TERM_TIMEOUT = "outpost.stop.term.timeout.ms";
    static final String WRITE_TIMEOUT = "outpost.write.timeout.ms";
    static final String LIVENESS_INTERVAL = "outpost.liveness.interval.ms";
    static final String LIVENESS_MISSES = "outpost.liveness.misses";
    static final String RELOAD_DRAIN = "outpost.reload.drain.ms";
    static final String SPIN = "outpost.spin.us";
    /** Longer than a call to a plugin that answers at once (10-20 µs), shorter than waking an idle vCPU. */
    static final long DEFAULT_SPIN_MICROS = 50, MAX_SPIN_MICROS = 10_000;

    static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

    public RuntimeConfig {
        if (maxFrameSize < 1024) {
            throw new IllegalArgumentException(MAX_FRAME_SIZE + " must be at least 1024, not " + maxFrameSize);
        }
    }

    public static RuntimeConfig defaults() {
        return from(key -> null);
    }

    /** Reads the settings through {@code properties} (for example {@code BundleContext::getProperty}). */
    public static RuntimeConfig from(Function<String, String> properties) {
        return new RuntimeConfig(
                (int) number(properties, MAX_FRAME_SIZE, DEFAULT_MAX_FRAME_SIZE, Integer.MAX_VALUE - 16),
                Duration.ofMillis(number(properties, HANDSHAKE_TIMEOUT, 5000, Long.MAX_VALUE)),
                Duration.ofMillis(number(properties, STOP_GRACE, 2000, Long.MAX_VALUE)),
                Duration.ofMillis(number(properties, TERM_TIMEOUT, 2000, Long.MAX_VALUE)),
                Duration.ofMillis(number(properties, WRITE_TIMEOUT, 30000, Long.MAX_VALUE)),
                Duration.ofMillis(number(properties, LIVENESS_INTERVAL, 5000, Long.MAX_VALUE)),
                (int) Math.max(1, number(properties, LIVENESS_MISSES, 3, 1000)),
                Duration.ofMillis(number(properties, RELOAD_DRAIN, 10000, Long.MAX_VALUE)),
                Duration.ofNanos(Runtime.getRuntime().availableProcessors() < 2 ? 0
                        : 1000 * number(properties, SPIN, DEFAULT_SPIN_MICROS, MAX_SPIN_MICROS)));
    }

    RuntimeConfig withMaxFrameSize(int bytes) {
        return new RuntimeConfig(bytes, handshakeTimeout, stopGrace, termTimeout, writeTimeout, livenessInterval,
                livenessMisses, reloadDrain, spin);
    }

    RuntimeConfig withHandshakeTimeout(Duration d) {
        return new RuntimeConfig(maxFrameSize, d, stopGrace, termTimeout, writeTimeout, livenessInterval,
                livenessMisses, reloadDrain, spin);
    }

    public RuntimeConfig withStopGrace(Duration grace, Duration term) {
        return new RuntimeConfig(maxFrameSize, handshakeTimeout, grace, term, writeTimeout, livenessInterval,
                livenessMisses, reloadDrain, spin);
    }

    private static long number(Function<String, String> properties, String key, long fallback, long max) {
        return number(properties, key, fallback, 0, max);
    }

    /**
     * The whole number set for {@code key}, or {@code fallback} when it is not set.
     *
     * @throws IllegalArgumentException naming the key, when the value is not a number in [min, max]
     */
    public static long number(Function<String, String> properties, String key, long fallback, long min, long max) {
        String value = properties.apply(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not "
                        + value.trim());
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + value.trim() + "'", e);
        }
    }
}
