package dev.outpost.runtime.supervision;

import static dev.outpost.runtime.supervision.RestartDecision.Action.GIVE_UP;
import static dev.outpost.runtime.supervision.RestartDecision.Action.RESTART_AFTER_BACKOFF;
import static dev.outpost.runtime.supervision.RestartDecision.Action.RESTART_AT_NEXT_CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.content.RestartPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartDecisionTest {
    private static RestartPolicy policy(RestartPolicy.Kind kind) {
        return new RestartPolicy(kind, Duration.ofMillis(100), Duration.ofMillis(1000), 3, Duration.ofSeconds(60));
    }

    private static List<String> failures(RestartPolicy policy, long... at) {
        RestartBudget budget = new RestartBudget(policy.intensity(), policy.period().toMillis());
        List<String> decisions = new ArrayList<>();
        for (long now : at) {
            RestartDecision d = RestartDecision.after("crashed", policy, budget, now);
            decisions.add(d.action().toString());
        }
        return decisions;
    }

    @Test
    void neverGivesUpAtTheFirstFailureWithItsReason() {
        RestartPolicy never = policy(RestartPolicy.Kind.NEVER);
        RestartDecision d = RestartDecision.after("exited with 3", never, new RestartBudget(3, 60_000), 0);
        assertEquals(GIVE_UP, d.action());
        assertEquals("exited with 3", d.reason());
    }

    @Test
    void onFailureRestartsAfterABackoffUntilTheBudgetIsSpent() {
        assertEquals(List.of("RESTART_AFTER_BACKOFF", "RESTART_AFTER_BACKOFF", "RESTART_AFTER_BACKOFF", "GIVE_UP"),
                failures(policy(RestartPolicy.Kind.ON_FAILURE), 0, 10, 20, 30));
    }

    @Test
    void onDemandRestartsAtTheNextCallWithinTheSameBudget() {
        assertEquals(List.of("RESTART_AT_NEXT_CALL", "RESTART_AT_NEXT_CALL", "RESTART_AT_NEXT_CALL", "GIVE_UP"),
                failures(policy(RestartPolicy.Kind.ON_DEMAND), 0, 10, 20, 30));
    }

    @Test
    void failuresOlderThanThePeriodNoLongerCount() {
        assertEquals(List.of("RESTART_AFTER_BACKOFF", "RESTART_AFTER_BACKOFF", "RESTART_AFTER_BACKOFF",
                        "RESTART_AFTER_BACKOFF"),
                failures(policy(RestartPolicy.Kind.ON_FAILURE), 0, 10, 20, 60_001));
    }

    @Test
    void givingUpSaysHowManyRestartsWithinWhatPeriodAndTheLastFailure() {
        RestartPolicy p = policy(RestartPolicy.Kind.ON_FAILURE);
        RestartBudget budget = new RestartBudget(0, 60_000);
        RestartDecision d = RestartDecision.after("killed by signal 9 (SIGKILL)", p, budget, 0);
        assertEquals(GIVE_UP, d.action());
        assertEquals("restarted 3 times within 60000 ms, giving up; last failure: killed by signal 9 (SIGKILL)",
                d.reason());
    }

    @Test
    void theBackoffGrowsWithRecentRestartsAndStaysWithinTheCap() {
        RestartPolicy p = policy(RestartPolicy.Kind.ON_FAILURE);
        RestartBudget budget = new RestartBudget(100, 60_000);
        for (int i = 1; i <= 10; i++) {
            RestartDecision d = RestartDecision.after("crashed", p, budget, i);
            assertEquals(RESTART_AFTER_BACKOFF, d.action());
            long expectedCap = Math.min(1000, 100L << Math.min(i - 1, 30));
            long ms = d.delay().toMillis();
            assertTrue(ms >= expectedCap / 2 && ms <= expectedCap, "restart " + i + " waits " + ms + " ms");
        }
        assertEquals(RESTART_AT_NEXT_CALL, RestartDecision.after("x", policy(RestartPolicy.Kind.ON_DEMAND),
                new RestartBudget(1, 1), 0).action());
    }
}
