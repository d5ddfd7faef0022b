package dev.outpost.runtime.supervision;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.runtime.channel.CallNotSentException;
import dev.outpost.runtime.process.PluginProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Takes a plugin's calls to the process that serves it: straight to the running process, after
 * the start of the one that is starting, or on to the plugin's successor after a hot reload. A
 * call that failed without reaching an on-demand plugin's process (it had died, and the supervisor
 * had not heard yet) is sent to the next process: calls are at most once. Counts calls and
 * failures for {@link dev.outpost.api.PluginInfo}. Runs on the caller's thread; owns nothing.
 */
public final class CallRouter {
    /** Where one call goes, as its {@link PluginSupervisor} decided under its lock. */
    sealed interface Route permits Serve, Await, Forward, Refuse {
    }

    /** To the running process; {@code resendIfNotSent} for an on-demand plugin. */
    record Serve(PluginProcess process, boolean resendIfNotSent) implements Route {
    }

    /** To the process that is starting, once it serves. */
    record Await(CompletableFuture<PluginProcess> ready) implements Route {
    }

    /** To the plugin that replaced this one in a hot reload. */
    record Forward(CallRouter successor) implements Route {
    }

    /** Nowhere: the plugin does not serve. */
    record Refuse(String why) implements Route {
    }

    private final PluginSupervisor supervisor;
    private final LongAdder calls = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final CallDrain drain = new CallDrain();

    CallRouter(PluginSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    /**
     * Routes a call; {@code callerWaits}: the calling thread waits for the answer (see
     * {@link dev.outpost.runtime.channel.PluginChannel#call}).
     */
    CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
                                   boolean callerWaits) {
        drain.entered();
        try {
            return route(service, method, payload, timeout, callerWaits);
        } finally {
            drain.left();
        }
    }

    private CompletableFuture<byte[]> route(String service, String method, byte[] payload, Duration timeout,
                                            boolean callerWaits) {
        Route route = supervisor.route();
        if (route instanceof Forward f) {
            return f.successor().call(service, method, payload, timeout, callerWaits);
        }
        calls.increment();
        CompletableFuture<byte[]> result;
        if (route instanceof Await a) {
            byte[] copy = payload.clone(); // the caller may reuse its array once this returns
            // sent by whichever thread completes the start, not by the caller
            result = a.ready().thenCompose(serving -> serving.call(service, method, copy, timeout, false));
        } else if (route instanceof Serve s) {
            PluginProcess p = s.process();
            result = p.call(service, method, payload, timeout, callerWaits);
            if (s.resendIfNotSent() && result.isCompletedExceptionally() && notSent(result)) {
                // the process died before the supervisor heard of it; nothing reached it, so the call
                // goes to the process that the next call starts, once this one is accounted for
                byte[] copy = payload.clone();
                calls.decrement();
                result = p.terminated().thenCompose(x -> route(service, method, copy, timeout, false));
            }
        } else {
            result = CompletableFuture.failedFuture(new PluginException(ErrorCode.UNAVAILABLE, ((Refuse) route).why()));
        }
        result.whenComplete((v, e) -> {
            if (e != null) {
                errors.increment();
            }
        });
        return result;
    }

    private static boolean notSent(CompletableFuture<byte[]> failed) {
        try {
            failed.getNow(null);
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof CallNotSentException;
        }
    }

    /** Lets the calls on their way to {@code p}, or in flight on it, finish within {@code deadline}. */
    void drain(PluginProcess p, String name, Duration deadline) {
        drain.await(p, name, deadline);
    }

    long calls() {
        return calls.sum();
    }

    long errors() {
        return errors.sum();
    }
}
