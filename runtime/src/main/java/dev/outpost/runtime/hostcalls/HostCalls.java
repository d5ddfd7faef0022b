package dev.outpost.runtime.hostcalls;

import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.channel.RequestHandler;
import dev.outpost.runtime.wire.Codes;
import dev.outpost.runtime.wire.ProtocolException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The calls one plugin process makes to the host: each checked against its bundle's imports,
 * bounded in number, given a deadline, and queued in its plugin's {@link HostCallPool.Lane}.
 * Everything here runs on the thread that read the request and returns at once; the services run
 * on the pool. Owns the open calls; {@link #closed()} abandons them. Thread-safe.
 */
final class HostCalls implements RequestHandler {
    private final String name;
    private final PluginImports imports;
    private final HostCallPool.Lane lane;
    private final ScheduledExecutorService timer;
    private final HostCallLimits limits;
    /** A method name longer than this is refused: the name is the plugin's to choose, and calls keep it. */
    static final int MAX_METHOD_CHARS = 256;

    private final Map<Long, HostCall> open = new ConcurrentHashMap<>();
    private final Map<Long, Integer> held = new ConcurrentHashMap<>(); // bytes each open call holds
    private final AtomicLong bytes = new AtomicLong();                 // their sum
    private final HostCallPool pool;
    private volatile boolean closed;

    HostCalls(String name, PluginImports imports, HostCallPool pool, HostCallPool.Lane lane,
              ScheduledExecutorService timer, HostCallLimits limits) {
        this.name = name;
        this.imports = imports;
        this.pool = pool;
        this.lane = lane;
        this.timer = timer;
        this.limits = limits;
    }

    @Override
    public void request(Request r, Consumer<Response> answer) throws ProtocolException {
        if (closed) {
            return;
        }
        long id = r.getId();
        if (id == 0) {
            throw new ProtocolException("a request with id 0");
        }
        if (open.containsKey(id)) {
            throw new ProtocolException("request id " + id + " is in flight already");
        }
        String service = r.getService();
        if (!imports.declares(service)) {
            answer.accept(error(id, ErrorCode.PERMISSION_DENIED, name + " may not call "
                    + shortened(service, 128) + ": its bundle's Outpost-Import does not list it"));
            return;
        }
        String method = r.getMethod();
        if (method.length() > MAX_METHOD_CHARS) {
            answer.accept(error(id, ErrorCode.INVALID_ARGUMENT, "a method name is at most " + MAX_METHOD_CHARS
                    + " characters"));
            return;
        }
        ImportedService target = imports.resolve(service);
        if (target == null) {
            answer.accept(error(id, ErrorCode.UNAVAILABLE, "no host service " + service + " is registered"));
            return;
        }
        int size = r.getPayload().size() + method.length();
        if (open.size() >= limits.inFlight() || bytes.get() + size > limits.bytes()) {
            answer.accept(error(id, ErrorCode.RESOURCE_EXHAUSTED, name + " has " + open.size() + " calls to the host"
                    + " open, holding " + bytes.get() + " bytes: the most it may have is " + limits.inFlight()
                    + " calls and " + limits.bytes() + " bytes"));
            return;
        }
        HostCall call = new HostCall(id, service, method, r.getPayload().toByteArray(), limits.maxFrameSize(),
                answerFrom(answer), this::ended);
        open.put(id, call);
        held.put(id, size);
        bytes.addAndGet(size);
        long timeout = r.getTimeoutMs() == 0 ? limits.maxTimeoutMillis()
                : Math.min(Integer.toUnsignedLong(r.getTimeoutMs()), limits.maxTimeoutMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        String what = service + "/" + method; // the timer holds this, not the request
        call.deadline(timer.schedule(() -> call.fail(ErrorCode.DEADLINE_EXCEEDED, what + " did not answer within "
                + timeout + " ms"), timeout, TimeUnit.MILLISECONDS));
        if (!lane.submit(() -> call.run(target, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))) {
            call.fail(pool.isClosed() ? ErrorCode.UNAVAILABLE : ErrorCode.RESOURCE_EXHAUSTED,
                    pool.isClosed() ? "the runtime is stopping" : name + " has too many calls waiting for the host");
        }
        if (closed) {
            call.abandon(); // closed() ran between the check above and the put
        }
    }

    /**
     * A large answer is written from a thread of the plugin's lane, which may wait for the plugin to
     * read; when the lane has no room for it, the plugin gets a small error instead.
     */
    private Consumer<Response> answerFrom(Consumer<Response> channel) {
        return response -> {
            if (RequestHandler.queued(response)) {
                channel.accept(response);
            } else if (!lane.submit(() -> channel.accept(response))) {
                channel.accept(error(response.getId(), ErrorCode.RESOURCE_EXHAUSTED,
                        "the host has no room to write an answer of " + response.getSerializedSize() + " bytes"));
            }
        };
    }

    @Override
    public void cancel(long id) {
        HostCall call = open.get(id);
        if (call != null) {
            call.fail(ErrorCode.CANCELLED, call.service + "/" + call.method + " was cancelled by " + name);
        }
    }

    @Override
    public void closed() {
        closed = true;
        for (HostCall call : open.values().toArray(new HostCall[0])) {
            call.abandon();
        }
    }

    private void ended(HostCall call) {
        if (open.remove(call.id, call)) {
            Integer size = held.remove(call.id);
            if (size != null) {
                bytes.addAndGet(-size);
            }
        }
    }

    /** Calls open now (for tests and the shell). */
    int open() {
        return open.size();
    }

    private static Response error(long id, ErrorCode code, String message) {
        return Response.newBuilder().setId(id)
                .setError(Error.newBuilder().setCode(Codes.toWire(code)).setMessage(message)).build();
    }

    /** {@code s} cut to {@code max} characters, not inside a surrogate pair. */
    static String shortened(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end) + "...";
    }
}
