package dev.outpost.runtime.content;

import dev.outpost.api.OutpostHeaders;
import dev.outpost.runtime.config.RuntimeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * What happens when a plugin's process dies, as declared by the bundle's
 * {@link OutpostHeaders#RESTART} header and overridden by host configuration.
 *
 * @param kind never, on-failure (eager, after a backoff) or on-demand (lazy, at the next call)
 * @param initialDelay the first backoff (on-failure)
 * @param maxDelay the longest backoff (on-failure)
 * @param intensity at most this many restarts within {@code period}; one more and the plugin fails
 * @param period the window of the intensity budget
 */
public record RestartPolicy(Kind kind, Duration initialDelay, Duration maxDelay, int intensity, Duration period) {
    static final String POLICY = "outpost.restart.policy";
    static final String INITIAL_DELAY = "outpost.restart.initial.delay.ms";
    static final String MAX_DELAY = "outpost.restart.max.delay.ms";
    static final String INTENSITY = "outpost.restart.intensity";
    static final String PERIOD = "outpost.restart.period.ms";

    static final RestartPolicy DEFAULT = new RestartPolicy(Kind.ON_FAILURE, Duration.ofMillis(100),
            Duration.ofSeconds(30), 5, Duration.ofSeconds(60));

    public enum Kind {
        NEVER("never"), ON_FAILURE("on-failure"), ON_DEMAND("on-demand");

        final String word;

        Kind(String word) {
            this.word = word;
        }

        static Kind of(String word) {
            for (Kind k : values()) {
                if (k.word.equals(word.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("restart policy '" + word.trim() + "' is not one of never, on-failure, on-demand");
        }
    }

    /** Parses the header (null: the default); problems are added to {@code problems}. */
    static RestartPolicy parse(String header, List<String> problems) {
        if (header == null || header.isBlank()) {
            return DEFAULT;
        }
        List<HeaderClauses.Clause> clauses = HeaderClauses.parse(header);
        if (clauses.size() != 1 || clauses.get(0).paths().size() != 1) {
            problems.add(OutpostHeaders.RESTART + " must be one policy with attributes, not '" + header + "'");
            return DEFAULT;
        }
        try {
            return with(DEFAULT, Kind.of(clauses.get(0).paths().get(0)), clauses.get(0).attributes()::get,
                    "initial-delay", "max-delay", "intensity", "period");
        } catch (IllegalArgumentException e) {
            problems.add(OutpostHeaders.RESTART + ": " + e.getMessage());
            return DEFAULT;
        }
    }

    /** This policy with whatever the host configuration sets ({@code outpost.restart.*}). */
    public RestartPolicy overriddenBy(Function<String, String> properties) {
        String kind = properties.apply(POLICY);
        return with(this, kind == null || kind.isBlank() ? this.kind : Kind.of(kind), properties,
                INITIAL_DELAY, MAX_DELAY, INTENSITY, PERIOD);
    }

    private static RestartPolicy with(RestartPolicy base, Kind kind, Function<String, String> values,
                                      String initialKey, String maxKey, String intensityKey, String periodKey) {
        Duration initial = Duration.ofMillis(number(values, initialKey, base.initialDelay.toMillis(), 0));
        Duration max = Duration.ofMillis(number(values, maxKey, base.maxDelay.toMillis(), 0));
        int intensity = (int) number(values, intensityKey, base.intensity, 0);
        Duration period = Duration.ofMillis(number(values, periodKey, base.period.toMillis(), 1));
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(maxKey + " (" + max.toMillis() + ") is below " + initialKey
                    + " (" + initial.toMillis() + ")");
        }
        return new RestartPolicy(kind, initial, max, intensity, period);
    }

    private static long number(Function<String, String> values, String key, long fallback, long min) {
        return RuntimeConfig.number(values, key, fallback, min, Integer.MAX_VALUE);
    }

    /**
     * The wait before restart number {@code attempt} (1 for the first): exponential from the
     * initial delay, capped, with "equal jitter" (half fixed, half random) so that plugins that
     * died together do not come back together.
     */
    public Duration backoff(int attempt) {
        long base = initialDelay.toMillis();
        long exp = base << Math.min(Math.max(attempt - 1, 0), 30);
        long capped = Math.min(exp < 0 ? Long.MAX_VALUE : exp, maxDelay.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (capped - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(capped - half + 1)));
    }

    @Override
    public String toString() {
        return kind.word + "; initial-delay=" + initialDelay.toMillis() + "; max-delay=" + maxDelay.toMillis()
                + "; intensity=" + intensity + "; period=" + period.toMillis();
    }

}
