package dev.outpost.runtime.supervision;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.runtime.channel.CallNotSentException;
import dev.outpost.runtime.config.DaemonThreads;
import dev.outpost.runtime.process.PluginProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Takes a plugin's calls to the process that serves it: straight to the running process, after
 * the start of the one that is starting, or on to the plugin's successor after a hot reload. A
 * call that failed without reaching an on-demand plugin's process (it had died, and the supervisor
 * had not heard yet) is sent to the next process: calls are at most once. Counts calls and
 * failures for {@link dev.outpost.api.PluginInfo}. Runs on the caller's thread. A call that has
 * to wait (for a start, or for the next process) is sent by a thread of this router's own, made
 * when there is such a call and gone 100 ms after the last: never by the thread that completed
 * the start (the supervisor's, which every plugin shares), whose write could wait on a plugin that
 * does not read. Owns that thread.
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
    private final ScheduledExecutorService timer;
    private final LongAdder calls = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final CallDrain drain = new CallDrain();
    /** Calls that wait to be sent; more are refused with RESOURCE_EXHAUSTED. */
    static final int MAX_WAITING = 10_000;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(0, 1, 100, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), DaemonThreads.named("outpost-waiting-calls")); // bounded by MAX_WAITING

    CallRouter(PluginSupervisor supervisor, ScheduledExecutorService timer) {
        this.supervisor = supervisor;
        this.timer = timer;
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
            result = afterStart(a.ready(), service, method, payload.clone(), timeout); // the caller may reuse its array
        } else if (route instanceof Serve s) {
            PluginProcess p = s.process();
            result = p.call(service, method, payload, timeout, callerWaits);
            if (s.resendIfNotSent() && result.isCompletedExceptionally() && notSent(result)) {
                // the process died before the supervisor heard of it; nothing reached it, so the call
                // goes to the process that the next call starts, once this one is accounted for
                byte[] copy = payload.clone();
                calls.decrement();
                result = p.terminated().thenComposeAsync(x -> route(service, method, copy, timeout, false), sender);
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

    /**
     * A call that waits for its plugin to start, sent by whichever thread completes the start. Its
     * deadline runs from now, not from the send: a start that takes longer fails it with
     * DEADLINE_EXCEEDED, and the time the start took is not given to the plugin again.
     */
    private CompletableFuture<byte[]> afterStart(CompletableFuture<PluginProcess> ready, String service,
                                                 String method, byte[] payload, Duration timeout) {
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            return CompletableFuture.failedFuture(new PluginException(ErrorCode.RESOURCE_EXHAUSTED, MAX_WAITING
                    + " calls already wait for " + service + "/" + method + "'s plugin to start"));
        }
        ready.whenComplete((x, e) -> waiting.decrementAndGet());
        if (timeout == null) {
            return ready.thenComposeAsync(serving -> serving.call(service, method, payload, null, false), sender);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        ScheduledFuture<?> expiry = timer.schedule(() -> result.completeExceptionally(new PluginException(
                ErrorCode.DEADLINE_EXCEEDED, service + "/" + method + " did not answer within " + timeout.toMillis()
                        + " ms (its plugin was still starting)")), timeout.toNanos(), TimeUnit.NANOSECONDS);
        ready.thenComposeAsync(serving -> {
            long left = deadline - System.nanoTime();
            if (left <= 0 || result.isDone()) {
                return CompletableFuture.<byte[]>failedFuture(new PluginException(ErrorCode.DEADLINE_EXCEEDED,
                        service + "/" + method + " did not answer within " + timeout.toMillis() + " ms"));
            }
            return serving.call(service, method, payload, Duration.ofNanos(left), false);
        }, sender).whenComplete((v, e) -> {
            expiry.cancel(false);
            if (e != null) {
                result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            } else {
                result.complete(v);
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
