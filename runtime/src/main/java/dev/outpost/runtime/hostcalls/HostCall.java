package dev.outpost.runtime.hostcalls;

import com.google.protobuf.UnsafeByteOperations;
import dev.outpost.api.ErrorCode;
import dev.outpost.api.PluginException;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.wire.Codes;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One call of a plugin to a host service, from its Request to its one Response: it runs on a pool
 * thread, and ends exactly once, first come: the service's answer, its deadline, the plugin's
 * Cancel, the service going away, or the connection closing (then nothing is answered). Whatever
 * ends it cancels the rest: the deadline, the service's future, and the thread running the service
 * (interrupted, while it still runs this call). Thread-safe.
 */
final class HostCall {
    /** Error messages sent to the plugin are cut to this many characters. */
    static final int MAX_MESSAGE_CHARS = 4096;
    /** Room left in a frame around an answer's payload. */
    private static final int ENVELOPE_BYTES = 32;

    final long id;
    final String service;
    final String method;
    private final Consumer<Response> answer;
    private final Consumer<HostCall> ended;
    private final int maxFrameSize;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile byte[] payload;
    private volatile ScheduledFuture<?> deadline;
    private volatile CompletableFuture<byte[]> future;
    private volatile ImportedService on;
    private Thread runner; // guarded by this

    HostCall(long id, String service, String method, byte[] payload, int maxFrameSize, Consumer<Response> answer,
             Consumer<HostCall> ended) {
        this.id = id;
        this.service = service;
        this.method = method;
        this.payload = payload;
        this.maxFrameSize = maxFrameSize;
        this.answer = answer;
        this.ended = ended;
    }

    void deadline(ScheduledFuture<?> f) {
        deadline = f;
        if (done.get()) {
            f.cancel(false);
        }
    }

    /** The request's payload, handed over once: the call keeps no reference to it. */
    byte[] payload() {
        byte[] p = payload;
        payload = null;
        return p;
    }

    /** Runs the call on {@code target}, on a pool thread; returns once the service returned its future. */
    void run(ImportedService target, Duration timeout) {
        if (done.get()) {
            return;
        }
        on = target; // before the service counts it running: an end from now on finds it there
        CompletableFuture<byte[]> f;
        synchronized (this) {
            runner = Thread.currentThread();
        }
        try {
            f = target.start(this, timeout);
        } catch (ImportedService.ServiceGoneException e) {
            fail(ErrorCode.UNAVAILABLE, service + " went away");
            return;
        } catch (Throwable e) { // the plugin is answered whatever the service throws
            complete(null, e);
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            return;
        } finally {
            synchronized (this) {
                runner = null;
            }
        }
        if (f == null) {
            if (!isDone()) {
                complete(null, new IllegalStateException(service + "/" + method + " returned no future"));
            }
            return;
        }
        future = f;
        if (done.get()) {
            f.cancel(true);
            return;
        }
        f.whenComplete(this::complete);
    }

    /** Ends the call with an error of the host's (deadline, cancel, the service gone). */
    void fail(ErrorCode code, String message) {
        end(error(code, message));
    }

    void serviceGone(ImportedService s) {
        if (on == s) {
            fail(ErrorCode.UNAVAILABLE, service + " (" + s.description + ") went away during the call");
        }
    }

    /** The connection is gone: ends the call without an answer. */
    void abandon() {
        end(null);
    }

    private void complete(byte[] result, Throwable failure) {
        if (failure == null) {
            if (result == null) {
                result = new byte[0];
            }
            end(result.length > maxFrameSize - ENVELOPE_BYTES
                    ? error(ErrorCode.RESOURCE_EXHAUSTED, service + "/" + method + " answered " + result.length
                            + " bytes, more than a frame of " + maxFrameSize + " bytes holds")
                    : Response.newBuilder().setId(id).setPayload(UnsafeByteOperations.unsafeWrap(result)).build());
            return;
        }
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof PluginException p) {
            String m = String.valueOf(p.getMessage());
            String prefix = p.code() + ": ";
            end(error(p.code(), m.startsWith(prefix) ? m.substring(prefix.length()) : m));
        } else if (t instanceof CancellationException || t instanceof InterruptedException) {
            end(error(ErrorCode.CANCELLED, service + "/" + method + " was cancelled"));
        } else {
            end(error(ErrorCode.INTERNAL, t.getMessage() != null ? t.getMessage() : t.getClass().getName()));
        }
    }

    private void end(Response response) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        payload = null;
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        CompletableFuture<byte[]> f = future;
        if (f != null && !f.isDone()) {
            f.cancel(true);
        }
        synchronized (this) {
            if (runner != null && runner != Thread.currentThread()) {
                runner.interrupt(); // a service blocked in call(): the pool clears the flag after it
            }
        }
        ImportedService s = on;
        if (s != null) {
            s.finished(this);
        }
        ended.accept(this);
        if (response != null) {
            answer.accept(response);
        }
    }

    boolean isDone() {
        return done.get();
    }

    private Response error(ErrorCode code, String message) {
        String m = HostCalls.shortened(message, MAX_MESSAGE_CHARS);
        return Response.newBuilder().setId(id)
                .setError(Error.newBuilder().setCode(Codes.toWire(code)).setMessage(m)).build();
    }
}
