package dev.outpost.runtime;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.outpost.api.ErrorCode;
import dev.outpost.protocol.v1.Cancel;
import dev.outpost.protocol.v1.Error;
import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Pong;
import dev.outpost.protocol.v1.Request;
import dev.outpost.protocol.v1.Response;
import dev.outpost.runtime.os.Posix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The host's end of one plugin's socket: frames in (on the {@link Reactor} thread), frames out
 * (on the calling thread, through its {@link FrameSender}), and the calls in flight.
 *
 * <p>Owns the socket descriptor from construction until {@link #close()}. Frames other than
 * responses go to the {@link Listener}; anything that breaks the connection (end of file, an I/O
 * error, a protocol violation) is reported once through {@link Listener#broken}, after which the
 * channel reads nothing more.
 */
final class PluginChannel implements AutoCloseable {
    /** Receives what the plugin sends. Called on the reactor thread: must not block. */
    interface Listener {
        void frame(Frame frame);

        void broken(String reason, boolean endOfFile);
    }

    private static final int READS_PER_WAKEUP = 16;
    /** How long a blocking caller reads its own answer before it leaves the reading to the reactor. */
    private static final int DIRECT_READ_MILLIS = 10;
    /** A request payload of at least this many bytes is sent straight from the caller's array. */
    static final int DIRECT_PAYLOAD = 64 * 1024;

    private final String name;
    private final int fd;
    private final Listener listener;
    private final Executor outbox;
    private final ScheduledExecutorService timer;
    private final long writeTimeoutMillis;
    private final long spinNanos;
    private final int maxFrameSize;
    private FrameReader reader; // made by attach(): its large buffers are the reactor's
    private final FrameSender sender;
    private final Object readLock = new Object();
    private final PendingCalls calls;
    private volatile SocketWatch watch; // made by attach(): the reactor's, or a waiting caller's
    private boolean closed;            // guarded by readLock
    private LargeAnswer largeAnswer;   // guarded by readLock: an answer being read into its own array
    private volatile boolean broken;

    PluginChannel(String name, int fd, RuntimeConfig config, Executor outbox,
                  ScheduledExecutorService timer, Listener listener) {
        this.name = name;
        this.fd = fd;
        this.listener = listener;
        this.outbox = outbox;
        this.timer = timer;
        this.writeTimeoutMillis = config.writeTimeout().toMillis();
        this.maxFrameSize = config.maxFrameSize();
        this.spinNanos = config.spin().toNanos();
        this.sender = new FrameSender(name, fd, config.maxFrameSize(), () -> broken,
                reason -> breakChannel(reason, false));
        this.calls = new PendingCalls(this::sendCancel);
    }

    /** Starts reading: frames arrive at the listener from now on. */
    void attach(Reactor reactor) throws IOException {
        Posix.setNonBlocking(fd);
        synchronized (readLock) {
            this.reader = new FrameReader(maxFrameSize, reactor.spare);
        }
        watch = new SocketWatch(fd, reactor, this::readable, () -> breakChannel(
                "watching " + name + " again failed: " + watch.failure().getMessage(), false));
    }

    /**
     * Sends a request; the future completes with the answer's payload or fails with a
     * {@link dev.outpost.api.PluginException}. {@code payload} is not kept after this returns.
     *
     * <p>{@code callerWaits}: the calling thread will wait for the answer anyway, so it takes the
     * socket from the reactor before it sends, and reads the answer itself (see {@link #readFor})
     * before this returns: on one CPU the plugin often answers before the caller runs again, and
     * the reactor, woken by that answer, would otherwise read it and wake the caller. The socket
     * goes back to the reactor before anything here waits: for another writer, for room, or for an
     * answer longer than {@value #DIRECT_READ_MILLIS} ms.
     */
    CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
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
                readClaimed(call, timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos());
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

    /** Fails every call in flight and every later one; the socket stays open. Idempotent. */
    void closeCalls(ErrorCode code, String reason) {
        calls.close(code, reason);
    }

    int callsInFlight() {
        return calls.size();
    }

    /**
     * Writes one frame from the calling thread. Waits at most {@code timeoutMillis} for the
     * plugin to make room; a frame that could not be written whole breaks the channel.
     */
    void send(Frame frame, long timeoutMillis) throws IOException {
        sender.send(frame, timeoutMillis);
    }

    /** Sends from a thread that must not block (the reactor): the write happens on the outbox. */
    void sendLater(Frame frame) {
        outbox.execute(() -> {
            try {
                send(frame, writeTimeoutMillis);
            } catch (IOException e) {
                // send() already reported a broken channel; a stalled optional frame is dropped
            }
        });
    }

    private void sendCancel(long id) {
        sendLater(Frame.newBuilder().setCancel(Cancel.newBuilder().setId(id)).build());
    }

    /** Reactor callback. */
    private void readable(int events) {
        SocketWatch w = watch; // null while attach() is still registering
        synchronized (readLock) {
            if (w == null || !w.isClaimed()) {
                readAvailable(null);
            }
        }
    }

    /**
     * Reads on the calling thread, for at most {@value #DIRECT_READ_MILLIS} ms, until {@code call}
     * is answered, instead of waiting for the reactor to read the answer and wake the caller: one
     * hand-off less for a blocking call (on one CPU, two context switches less). The reactor stops
     * watching the socket meanwhile; every frame read is handled as the reactor would handle it.
     * Returns at once when another caller reads this way already, or the channel is not open.
     */
    void readFor(PendingCall call, long deadlineNanos) {
        SocketWatch w = watch;
        SocketWatch.Claim claim = w == null || broken ? null : w.claim();
        if (claim == null) {
            return;
        }
        try {
            readClaimed(call, deadlineNanos);
        } finally {
            claim.release();
        }
    }

    /**
     * The reading of {@link #readFor}, by a thread that has claimed the socket: first polling
     * without sleeping for {@link RuntimeConfig#spin()} (a plugin that answers at once does so
     * before an idle CPU could even be woken), then waiting in poll(2).
     */
    private void readClaimed(PendingCall call, long deadlineNanos) {
        long begin = System.nanoTime();
        long end = Math.min(deadlineNanos, begin + TimeUnit.MILLISECONDS.toNanos(DIRECT_READ_MILLIS));
        long spinEnd = begin + spinNanos;
        // the answer may be in already: on one CPU the plugin often runs as soon as the request is written
        boolean first = true;
        while (!call.isDone() && !broken) {
            if (!first) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    return;
                }
                if (now - spinEnd < 0) {
                    Thread.onSpinWait();
                } else {
                    try {
                        Posix.poll(fd, Posix.POLLIN, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - now)));
                    } catch (IOException e) {
                        return; // the reactor's read will report what is wrong
                    }
                }
            }
            first = false;
            synchronized (readLock) {
                if (closed) {
                    return;
                }
                readAvailable(call);
            }
        }
    }

    /**
     * Reads what the socket has and handles its frames, or stops once {@code until} (if any) is
     * answered: what is left in the socket wakes the reactor. Caller holds readLock.
     */
    private void readAvailable(PendingCall until) {
        if (closed || broken) {
            return;
        }
        try {
            for (int i = 0; i < READS_PER_WAKEUP; i++) {
                LargeAnswer large = largeAnswer;
                int n = Posix.recv(fd, large != null ? large.rest() : reader.buffer());
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    if (large == null) {
                        drainFrames();
                    }
                    breakChannel(name + " closed its connection", true);
                    return;
                }
                if (large == null) {
                    drainFrames();
                } else if (large.isComplete()) {
                    largeAnswer = null;
                    answer(large.id, large.payload());
                }
                if (until != null && until.isDone()) {
                    return;
                }
            }
        } catch (ProtocolException e) {
            breakChannel("protocol error from " + name + ": " + e.getMessage(), false);
        } catch (IOException e) {
            breakChannel("reading from " + name + " failed: " + e.getMessage(), false);
        }
    }

    private void drainFrames() throws ProtocolException {
        ByteBuffer bytes;
        while (!broken && (bytes = reader.nextFrame()) != null) {
            Frame frame;
            try {
                frame = parseAliased(bytes.duplicate());
                if (frame.getKindCase() != Frame.KindCase.RESPONSE) {
                    frame = Frame.parseFrom(bytes); // nothing of it may point into the read buffer
                }
            } catch (InvalidProtocolBufferException e) {
                throw new ProtocolException("undecodable frame: " + e.getMessage(), e);
            }
            dispatch(frame);
        }
        // an answer larger than the reader's buffer goes straight into the array its caller gets
        if (!broken && reader.partialFrameLength() >= FrameReader.INITIAL_CAPACITY
                && (largeAnswer = LargeAnswer.begin(reader.partialFrame(), reader.partialFrameLength())) != null) {
            reader.dropPartialFrame();
        }
    }

    /**
     * Parses with the payload left in the read buffer: an answer's bytes are then copied once,
     * straight into the caller's array, by {@link #answer}, before the buffer is read into again.
     */
    private static Frame parseAliased(ByteBuffer bytes) throws InvalidProtocolBufferException {
        // through a ByteString, protobuf knows the bytes do not change while it parses and may
        // alias them (CodedInputStream.newInstance(ByteBuffer) would copy every bytes field)
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        in.enableAliasing(true);
        try {
            return Frame.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) { // a buffer is read, not a stream: only the decoding can fail
            throw new InvalidProtocolBufferException(e);
        }
    }

    private void dispatch(Frame frame) throws ProtocolException {
        switch (frame.getKindCase()) {
            case RESPONSE -> answer(frame.getResponse());
            case PING -> sendLater(Frame.newBuilder()
                    .setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
            case REQUEST -> sendLater(unimplemented(frame.getRequest()));
            case CANCEL -> {
                // the host serves no calls in v1, so there is nothing to cancel
            }
            case KIND_NOT_SET -> throw new ProtocolException("frame without a message");
            default -> listener.frame(frame);
        }
    }

    private void answer(Response response) throws ProtocolException {
        PendingCall call = take(response.getId());
        if (call == null) {
            return;
        }
        if (response.getResultCase() == Response.ResultCase.ERROR) {
            Error error = response.getError();
            call.fail(Codes.toApi(error.getCode()), call.description() + ": " + error.getMessage());
        } else {
            call.complete(response.getPayload().toByteArray());
        }
    }

    /** A successful answer whose payload was read into {@code payload}, which the caller gets. */
    private void answer(long id, byte[] payload) throws ProtocolException {
        PendingCall call = take(id);
        if (call != null) {
            call.complete(payload);
        }
    }

    /** The call answered by a response to {@code id}; null for a late answer (timed out, cancelled). */
    private PendingCall take(long id) throws ProtocolException {
        PendingCall call = calls.take(id);
        if (call == null && !calls.wasIssued(id)) {
            throw new ProtocolException("response to call " + id + ", which was never sent");
        }
        return call;
    }

    private static Frame unimplemented(Request request) {
        return Frame.newBuilder().setResponse(Response.newBuilder().setId(request.getId())
                .setError(Error.newBuilder().setCode(dev.outpost.protocol.v1.Code.UNIMPLEMENTED)
                        .setMessage("the host provides no service " + request.getService()))).build();
    }

    private void breakChannel(String reason, boolean endOfFile) {
        synchronized (this) {
            if (broken) {
                return;
            }
            broken = true;
        }
        if (!endOfFile) {
            calls.close(ErrorCode.UNAVAILABLE, reason);
        }
        // at the end of file the process is dying or dead: the listener fails the calls with how it ended
        listener.broken(reason, endOfFile);
    }

    /**
     * Stops reading (the socket stays open): once the plugin was told to leave nothing it sends
     * matters, and its end of file would only wake the reactor while the plugin is exiting.
     */
    void stopReading() {
        SocketWatch w = watch;
        if (w != null) {
            w.stop();
        }
    }

    /** Whether the connection can still carry frames. */
    boolean isOpen() {
        return !broken;
    }

    /** Stops reading and closes the socket with close(2). Idempotent. Pending calls fail. */
    @Override
    public void close() {
        calls.close(ErrorCode.UNAVAILABLE, name + " is stopped");
        synchronized (readLock) {
            if (closed) {
                return;
            }
            closed = true;
            broken = true;
        }
        SocketWatch w = watch;
        if (w != null) {
            w.close(); // a caller reading its own answer polls for a few ms at most: not closed under it
        }
        sender.closeAfterWriter(); // not under the read lock: a callback run under it may be writing
    }
}
