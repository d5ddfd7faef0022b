package dev.outpost.runtime.hostcalls;

import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.channel.RequestHandler;
import dev.outpost.runtime.wire.Codes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final Map<Long, HostCall> open = new ConcurrentHashMap<>();
    private volatile boolean closed;

    HostCalls(String name, PluginImports imports, HostCallPool.Lane lane, ScheduledExecutorService timer,
              HostCallLimits limits) {
        this.name = name;
        this.imports = imports;
        this.lane = lane;
        this.timer = timer;
        this.limits = limits;
    }

    @Override
    public void request(Request r, Consumer<Response> answer) {
        if (closed) {
            return;
        }
        String service = r.getService();
        if (!imports.declares(service)) {
            answer.accept(error(r.getId(), ErrorCode.PERMISSION_DENIED, name + " may not call "
                    + shortened(service) + ": its bundle's Outpost-Import does not list it"));
            return;
        }
        ImportedService target = imports.resolve(service);
        if (target == null) {
            answer.accept(error(r.getId(), ErrorCode.UNAVAILABLE, "no host service " + service + " is registered"));
            return;
        }
        if (open.size() >= limits.inFlight()) {
            answer.accept(error(r.getId(), ErrorCode.RESOURCE_EXHAUSTED, name + " has " + open.size()
                    + " calls to the host open, the most it may have"));
            return;
        }
        HostCall call = new HostCall(r.getId(), service, r.getMethod(), r.getPayload().toByteArray(),
                limits.maxFrameSize(), answerFrom(answer), this::ended);
        if (open.putIfAbsent(r.getId(), call) != null) {
            answer.accept(error(r.getId(), ErrorCode.INVALID_ARGUMENT, "call id " + r.getId() + " is in flight already"));
            return;
        }
        long timeout = r.getTimeoutMs() == 0 ? limits.maxTimeoutMillis()
                : Math.min(Integer.toUnsignedLong(r.getTimeoutMs()), limits.maxTimeoutMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        call.deadline(timer.schedule(() -> call.fail(ErrorCode.DEADLINE_EXCEEDED, service + "/"
                + shortened(r.getMethod()) + " did not answer within " + timeout + " ms"), timeout, TimeUnit.MILLISECONDS));
        if (!lane.submit(() -> call.run(target, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))) {
            call.fail(ErrorCode.UNAVAILABLE, "the runtime is stopping");
        }
        if (closed) {
            call.abandon(); // closed() ran between the check above and putIfAbsent
        }
    }

    /** A large answer is written from a thread of the plugin's lane, which may wait for the plugin to read. */
    private Consumer<Response> answerFrom(Consumer<Response> channel) {
        return response -> {
            if (response.getSerializedSize() <= QUEUED_ANSWER_BYTES || !lane.submit(() -> channel.accept(response))) {
                channel.accept(response);
            }
        };
    }

    @Override
    public void cancel(long id) {
        HostCall call = open.get(id);
        if (call != null) {
            call.fail(ErrorCode.CANCELLED, call.service + "/" + shortened(call.method) + " was cancelled by " + name);
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
        open.remove(call.id, call);
    }

    /** Calls open now (for tests and the shell). */
    int open() {
        return open.size();
    }

    private static Response error(long id, ErrorCode code, String message) {
        return Response.newBuilder().setId(id)
                .setError(Error.newBuilder().setCode(Codes.toWire(code)).setMessage(message)).build();
    }

    static String shortened(String s) {
        return s.length() <= 128 ? s : s.substring(0, 128) + "...";
    }
}
