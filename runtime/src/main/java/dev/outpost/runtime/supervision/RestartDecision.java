package dev.outpost.runtime.supervision;

import dev.outpost.runtime.content.RestartPolicy;
import java.time.Duration;

/**
 * What becomes of a plugin whose process failed, by its restart policy and what is left of its
 * restart budget: it fails for good, restarts after a backoff (on-failure), or restarts at the
 * next call (on-demand). Pure: the budget is taken, nothing else is touched.
 *
 * @param action what to do
 * @param delay the backoff before the restart ({@link Action#RESTART_AFTER_BACKOFF})
 * @param reason why it fails for good ({@link Action#GIVE_UP})
 */
record RestartDecision(Action action, Duration delay, String reason) {
    enum Action { GIVE_UP, RESTART_AFTER_BACKOFF, RESTART_AT_NEXT_CALL }

    /** The decision after a failure at {@code nowMillis}; a restart takes one from the budget. */
    static RestartDecision after(String failure, RestartPolicy policy, RestartBudget budget, long nowMillis) {
        if (policy.kind() == RestartPolicy.Kind.NEVER) {
            return new RestartDecision(Action.GIVE_UP, Duration.ZERO, failure);
        }
        if (!budget.take(nowMillis)) {
            return new RestartDecision(Action.GIVE_UP, Duration.ZERO, "restarted " + policy.intensity()
                    + " times within " + policy.period().toMillis() + " ms, giving up; last failure: " + failure);
        }
        if (policy.kind() == RestartPolicy.Kind.ON_DEMAND) {
            return new RestartDecision(Action.RESTART_AT_NEXT_CALL, Duration.ZERO, null);
        }
        return new RestartDecision(Action.RESTART_AFTER_BACKOFF, policy.backoff(budget.recent(nowMillis)), null);
    }
}
