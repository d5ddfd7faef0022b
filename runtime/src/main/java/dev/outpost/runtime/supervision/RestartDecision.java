package dev.outpost.runtime.supervision;

import dev.outpost.runtime.content.RestartPolicy;
import java.time.Duration;

/**
 * What becomes of a plugin whose process ended without the host asking, by its restart policy:
 * <ul>
 *   <li>after a failure (a crash, a non-zero exit, a broken protocol, no answer): it fails for
 *       good (never, or the restart budget is spent), restarts after a backoff (on-failure), or at
 *       the next call (on-demand); each restart takes one from the budget;
 *   <li>after a clean exit (see {@code Exits}): it stops (never), or restarts as above, but
 *       without touching the budget: leaving is not failing. Its backoff grows with the clean
 *       exits of the last period, so a plugin that leaves as soon as it starts is not restarted in
 *       a tight loop.
 * </ul>
 * Pure: the budgets are taken, nothing else is touched.
 *
 * @param action what to do
 * @param delay the backoff before the restart ({@link Action#RESTART_AFTER_BACKOFF})
 * @param reason why it fails for good ({@link Action#GIVE_UP}) or stops ({@link Action#STOP})
 */
record RestartDecision(Action action, Duration delay, String reason) {
    enum Action { GIVE_UP, STOP, RESTART_AFTER_BACKOFF, RESTART_AT_NEXT_CALL }

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

    /**
     * The decision after a clean exit at {@code nowMillis}; {@code exits} counts the clean exits of
     * the policy's period (this one included once this returns), never the failure budget.
     */
    static RestartDecision afterCleanExit(String how, RestartPolicy policy, RestartBudget exits, long nowMillis) {
        if (policy.kind() == RestartPolicy.Kind.NEVER) {
            return new RestartDecision(Action.STOP, Duration.ZERO, how + "; its restart policy is never");
        }
        exits.take(nowMillis);
        if (policy.kind() == RestartPolicy.Kind.ON_DEMAND) {
            return new RestartDecision(Action.RESTART_AT_NEXT_CALL, Duration.ZERO, null);
        }
        return new RestartDecision(Action.RESTART_AFTER_BACKOFF, policy.backoff(exits.recent(nowMillis)), null);
    }
}
