package dev.outpost.runtime.channel;

import com.google.protobuf.UnsafeByteOperations;
import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Cancel;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Request;
import dev.outpost.runtime.os.Posix;
import dev.outpost.runtime.wire.FrameWriter;
import dev.outpost.runtime.wire.ProtocolException;
import dev.outpost.runtime.wire.ReceiveBudget;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The host's end of one plugin's socket: calls out and their answers, the plugin's own requests
 * answered, everything else handed to the {@link Listener}. Made of a reading half
 * ({@link ChannelReader}), a writing half ({@link FrameSender}), the calls in flight
 * ({@link CallTable}) and who watches the socket ({@link SocketWatch}).
 *
 * <pre>
 *   caller ── call() ──► FrameSender ──► socket ──► plugin
 *   caller ◄─ future ◄── CallTable ◄── ChannelReader ◄── socket
 *                                         └─► PluginRequests (Ping; Request, Cancel to a RequestHandler)
 *                                             / Listener (the rest)
 * </pre>
 *
 * <p>Owns the socket descriptor from construction until {@link #close()}. Anything that breaks the
 * connection (end of file, an I/O error, a protocol violation) is reported once through
 * {@link Listener#broken}, after which the channel reads nothing more.
 */
public final class PluginChannel implements AutoCloseable {
    /** Receives what the plugin sends but answers. Called on the thread that read it: must not block. */
    public interface Listener {
        void frame(Frame frame);

        /** Told once: the connection is broken; calls in flight have failed, but at END_OF_FILE. */
        void broken(Breakage kind, String reason);
    }

    /** A request payload of at least this many bytes is sent straight from the caller's array. */
    static final int DIRECT_PAYLOAD = 64 * 1024;

    private final String name;
    private final int fd;
    private final Listener listener;
    private final ScheduledExecutorService timer;
    private final ReceiveBudget budget;
    private final long writeTimeoutMillis;
    private final int maxFrameSize;
    private final long spinNanos;
    private final FrameSender sender;
    private final Outbox outbox;
    private final CallTable calls;
    private final PluginRequests requests;
    private volatile ChannelReader reader; // made by attach()
    private volatile SocketWatch watch;    // made by attach(): the reactor's, or a waiting caller's
    private volatile boolean broken;
    private boolean closed; // guarded by this

    /**
     * @param writeTimeoutMillis how long a caller's write waits for room, and how long frames may
     *     wait in the outbox before the plugin is found not to read its socket
     * @param timer where call deadlines and the outbox's deadline run
     * @param budget what answers may set aside before their bytes arrive, shared by a runtime's channels
     */
    public PluginChannel(String name, int fd, int maxFrameSize, long writeTimeoutMillis, long spinNanos,
                         ScheduledExecutorService timer, ReceiveBudget budget, Listener listener) {
        this.name = name;
        this.fd = fd;
        this.listener = listener;
        this.timer = timer;
        this.budget = budget;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.maxFrameSize = maxFrameSize;
        this.spinNanos = spinNanos;
        this.outbox = new Outbox(name, fd, writeTimeoutMillis, timer, this::breakChannel);
        this.sender = new FrameSender(name, fd, maxFrameSize, () -> broken, this::breakChannel, outbox);
        this.calls = new CallTable(this::sendCancel);
        this.requests = new PluginRequests(this::sendLater, f -> sender.send(f, writeTimeoutMillis),
                why -> breakChannel(Breakage.VIOLATION, name + " broke the protocol: " + why));
    }

    /** Starts reading: frames arrive at the listener from now on. */
    public void attach(Reactor reactor) throws IOException {
        Posix.setNonBlocking(fd);
        ChannelReader r = new ChannelReader(name, fd, maxFrameSize, spinNanos, calls::isPending, budget, new Sink());
        reader = r;
        outbox.attach(reactor, sender::flush);
        watch = new SocketWatch(fd, reactor, events -> r.readable(watch), () -> breakChannel(Breakage.IO_ERROR,
                "watching " + name + " again failed: " + watch.failure().getMessage()));
    }

    /**
     * Sends a request; the future completes with the answer's payload or fails with a
     * {@link dev.outpost.api.PluginException}. {@code payload} is not kept after this returns.
     *
     * <p>{@code callerWaits}: the calling thread will wait for the answer anyway, so it takes the
     * socket from the reactor before it sends, and reads the answer itself
     * ({@link ChannelReader#readFor}) before this returns: on one CPU the plugin often answers
     * before the caller runs again, and the reactor, woken by that answer, would otherwise read it
     * and wake the caller. The socket goes back to the reactor before anything here waits: for
     * another writer, for room, or for an answer longer than
     * {@value ChannelReader#DIRECT_READ_MILLIS} ms.
     */
    public CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
                                          boolean callerWaits) {
        PendingCall call = calls.open(service, method, name);
        if (call.isDone()) {
            return call;
        }
        SocketWatch w = watch;
        SocketWatch.Claim claim = callerWaits && w != null && !broken ? w.claim() : null;
        try {
            sendRequest(call, service, method, payload, timeout, claim);
            if (claim != null && !claim.isReleased() && !call.isDone()) {
                reader.readFor(call, timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos());
            }
        } finally {
            if (claim != null) {
                claim.release();
            }
        }
        return call;
    }

    /** Sends {@code call}'s request; a failure to send fails the call. */
    private void sendRequest(PendingCall call, String service, String method, byte[] payload, Duration timeout,
                             SocketWatch.Claim claim) {
        long timeoutMillis = timeout == null ? 0 : Math.max(1, timeout.toMillis());
        Request.Builder request = Request.newBuilder().setId(call.id).setService(service).setMethod(method);
        boolean direct = payload.length >= DIRECT_PAYLOAD;
        if (!direct) {
            request.setPayload(UnsafeByteOperations.unsafeWrap(payload));
        }
        if (timeoutMillis > 0) {
            request.setTimeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            call.deadline(timer.schedule(() -> expire(call, timeoutMillis), timeoutMillis, TimeUnit.MILLISECONDS));
        }
        try {
            call.via(this);
            long writeTimeout = timeoutMillis > 0 ? Math.min(timeoutMillis, writeTimeoutMillis) : writeTimeoutMillis;
            Runnable beforeWaiting = claim == null ? null : claim::release;
            if (direct) {
                sender.sendRequest(request.build(), payload, writeTimeout, beforeWaiting);
            } else {
                sender.send(Frame.newBuilder().setRequest(request).build(), writeTimeout, beforeWaiting);
            }
        } catch (FrameWriter.FrameTooLargeException e) {
            call.fail(ErrorCode.RESOURCE_EXHAUSTED, "request to " + call.description() + ": " + e.getMessage());
        } catch (FrameSender.WriteStalledException e) {
            call.fail(ErrorCode.UNAVAILABLE, call.description() + ": " + e.getMessage());
        } catch (FrameSender.NotSentException e) {
            call.completeExceptionally(new CallNotSentException("cannot send to " + name + ": " + e.getMessage()));
        } catch (IOException e) {
            call.fail(ErrorCode.UNAVAILABLE, "cannot send to " + name + ": " + e.getMessage());
        }
    }

    private void expire(PendingCall call, long timeoutMillis) {
        if (!call.isDone()) {
            call.fail(ErrorCode.DEADLINE_EXCEEDED,
                    call.description() + " did not answer within " + timeoutMillis + " ms");
            sendCancel(call.id);
        }
    }

    /**
     * Reads on the calling thread until {@code call} is answered, for a few milliseconds at most,
     * instead of waiting for the reactor to read the answer and wake the caller (see
     * {@link ChannelReader#readFor}). Returns at once when another caller reads this way already,
     * or the channel is not open.
     */
    void readFor(PendingCall call, long deadlineNanos) {
        SocketWatch w = watch;
        SocketWatch.Claim claim = w == null || broken ? null : w.claim();
        if (claim == null) {
            return;
        }
        try {
            reader.readFor(call, deadlineNanos);
        } finally {
            claim.release();
        }
    }

    /**
     * Handles what the plugin wrote before it died and nobody has read yet (its answers are
     * answers), without waiting. Any thread that does not hold a lock a frame's handling needs.
     */
    public void readRemaining() {
        ChannelReader r = reader;
        if (r != null && !broken) {
            r.readRemaining();
        }
    }

    /** Fails every call in flight and every later one; the socket stays open. Idempotent. */
    public void closeCalls(ErrorCode code, String reason) {
        calls.close(code, reason);
    }

    public int callsInFlight() {
        return calls.size();
    }

    /**
     * Writes one frame from the calling thread. Waits at most {@code timeoutMillis} for the
     * plugin to make room; a frame that could not be written whole breaks the channel.
     */
    public void send(Frame frame, long timeoutMillis) throws IOException {
        sender.send(frame, timeoutMillis);
    }

    /**
     * Sends without blocking, from any thread (the reactor's, the timer's, the supervisor's): the
     * frame goes through this channel's bounded {@link Outbox}; a plugin that does not drain it is
     * found to break the protocol.
     */
    public void sendLater(Frame frame) {
        sender.sendLater(frame);
    }

    /**
     * From now on the plugin's requests go to {@code handler}, which is closed when the connection
     * goes; until then (and with null) they are answered PERMISSION_DENIED.
     */
    public void serveRequests(RequestHandler handler) {
        requests.serveWith(handler);
    }

    private void sendCancel(long id) {
        sendLater(Frame.newBuilder().setCancel(Cancel.newBuilder().setId(id)).build());
    }

    private void breakChannel(Breakage kind, String reason) {
        synchronized (this) {
            if (broken) {
                return;
            }
            broken = true;
        }
        ChannelReader r = reader;
        if (r != null) {
            r.stop();
        }
        requests.close();
        if (kind != Breakage.END_OF_FILE) {
            calls.close(kind.callsFailWith, reason);
        }
        // at the end of file the process is dying or dead: the listener fails the calls with how it ended
        listener.broken(kind, reason);
    }

    /**
     * Stops reading (the socket stays open): once the plugin was told to leave nothing it sends
     * matters, and its end of file would only wake the reactor while the plugin is exiting.
     */
    public void stopReading() {
        SocketWatch w = watch;
        if (w != null) {
            w.stop();
        }
    }

    /** Whether the connection can still carry frames. */
    public boolean isOpen() {
        return !broken;
    }

    /** Stops reading and closes the socket with close(2). Idempotent. Pending calls fail. */
    @Override
    public void close() {
        calls.close(ErrorCode.UNAVAILABLE, name + " is stopped");
        requests.close();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            broken = true;
        }
        ChannelReader r = reader;
        if (r != null) {
            r.close();
        }
        SocketWatch w = watch;
        if (w != null) {
            w.close(); // a caller reading its own answer polls for a few ms at most: not closed under it
        }
        sender.close(); // not under the read lock: a callback run under it may be writing
    }

    /** The reading half's frames: answers to the call table, the plugin's requests answered, the rest on. */
    private final class Sink implements ChannelReader.Sink {
        @Override
        public void frame(Frame frame) throws ProtocolException {
            switch (frame.getKindCase()) {
                case RESPONSE -> calls.answer(frame.getResponse());
                case KIND_NOT_SET -> throw new ProtocolException("a frame without a message, or of a kind this host does not know");
                default -> {
                    if (!requests.handle(frame)) {
                        listener.frame(frame);
                    }
                }
            }
        }

        @Override
        public void answer(long id, byte[] payload) throws ProtocolException {
            calls.answer(id, payload);
        }

        @Override
        public void broken(Breakage kind, String reason) {
            breakChannel(kind, reason);
        }
    }
}
