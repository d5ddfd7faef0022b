package dev.outpost.runtime.channel;

import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call this host sent and has not had an answer to. Completing it (answer, error, deadline,
 * cancel, plugin gone) removes it from its {@link CallTable}; whichever comes first wins.
 */
final class PendingCall extends CompletableFuture<byte[]> {
    final long id;
    private final String service;
    private final String method;
    private final String callee;
    private final CallTable owner;
    private volatile ScheduledFuture<?> deadline;
    private volatile PluginChannel channel;

    PendingCall(long id, String service, String method, String callee, CallTable owner) {
        this.id = id;
        this.service = service;
        this.method = method;
        this.callee = callee;
        this.owner = owner;
    }

    /** "service/method of plugin (pid N)", for error messages; built only when one is needed. */
    String description() {
        return service + "/" + method + " of " + callee;
    }

    void deadline(ScheduledFuture<?> deadline) {
        this.deadline = deadline;
        if (isDone()) {
            deadline.cancel(false);
        }
    }

    /** The channel the request goes out on, whose answer a blocking caller may read itself. */
    void via(PluginChannel channel) {
        this.channel = channel;
    }

    /** Waits for the answer, reading it on this thread for the first few milliseconds. */
    @Override
    public byte[] get() throws InterruptedException, ExecutionException {
        readHere(Long.MAX_VALUE);
        return super.get();
    }

    /** Waits for the answer, reading it on this thread for the first few milliseconds. */
    @Override
    public byte[] get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        readHere(System.nanoTime() + unit.toNanos(timeout));
        return super.get(timeout, unit);
    }

    private void readHere(long deadlineNanos) {
        PluginChannel c = channel;
        if (c != null && !isDone()) {
            c.readFor(this, deadlineNanos);
        }
    }

    void fail(ErrorCode code, String message) {
        completeExceptionally(new PluginException(code, message));
    }

    /** A caller's cancel also tells the plugin (best effort). */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            finished();
            owner.cancelled(this);
        }
        return cancelled;
    }

    @Override
    public boolean complete(byte[] value) {
        boolean done = super.complete(value);
        finished();
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean done = super.completeExceptionally(ex);
        finished();
        return done;
    }

    private void finished() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        owner.remove(this);
    }
}
