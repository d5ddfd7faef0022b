package dev.outpost.runtime.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    @Test
    void noHeaderIsTheDefault() {
        List<String> problems = new ArrayList<>();
        assertEquals(RestartPolicy.DEFAULT, RestartPolicy.parse(null, problems));
        assertEquals(RestartPolicy.DEFAULT, RestartPolicy.parse("  ", problems));
        assertEquals(List.of(), problems);
        assertEquals("on-failure; initial-delay=100; max-delay=30000; intensity=5; period=60000",
                RestartPolicy.DEFAULT.toString());
    }

    @Test
    void theHeaderSetsTheKindAndAnyAttribute() {
        List<String> problems = new ArrayList<>();
        RestartPolicy p = RestartPolicy.parse("on-demand; intensity=2; period=5000", problems);
        assertEquals(List.of(), problems);
        assertEquals(RestartPolicy.Kind.ON_DEMAND, p.kind());
        assertEquals(2, p.intensity());
        assertEquals(Duration.ofSeconds(5), p.period());
        assertEquals(RestartPolicy.DEFAULT.initialDelay(), p.initialDelay());
    }

    @Test
    void aBadHeaderIsAProblemNamingTheHeader() {
        List<String> problems = new ArrayList<>();
        RestartPolicy.parse("sometimes", problems);
        RestartPolicy.parse("on-failure; intensity=lots", problems);
        RestartPolicy.parse("on-failure, never", problems);
        RestartPolicy.parse("on-failure; initial-delay=500; max-delay=100", problems);
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("'sometimes' is not one of never, on-failure, on-demand"), problems.get(0));
        assertTrue(problems.get(1).contains("intensity must be a whole number, not 'lots'"), problems.get(1));
        assertTrue(problems.get(2).startsWith("Outpost-Restart must be one policy"), problems.get(2));
        assertTrue(problems.get(3).contains("max-delay (100) is below initial-delay (500)"), problems.get(3));
    }

    @Test
    void hostPropertiesOverrideTheBundle() {
        RestartPolicy bundle = RestartPolicy.parse("on-demand; intensity=2", new ArrayList<>());
        RestartPolicy p = bundle.overriddenBy(Map.of("outpost.restart.policy", "never",
                "outpost.restart.intensity", "9")::get);
        assertEquals(RestartPolicy.Kind.NEVER, p.kind());
        assertEquals(9, p.intensity());
        assertThrows(IllegalArgumentException.class,
                () -> bundle.overriddenBy(Map.of("outpost.restart.period.ms", "0")::get));
    }

    @Test
    void theBackoffIsExponentialCappedAndJittered() {
        RestartPolicy p = new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, Duration.ofMillis(100),
                Duration.ofMillis(1000), 5, Duration.ofSeconds(60));
        for (int round = 0; round < 100; round++) {
            long first = p.backoff(1).toMillis();
            long third = p.backoff(3).toMillis();
            long huge = p.backoff(60).toMillis();
            assertTrue(first >= 50 && first <= 100, "first: " + first);
            assertTrue(third >= 200 && third <= 400, "third: " + third);
            assertTrue(huge >= 500 && huge <= 1000, "capped: " + huge);
        }
    }
}
