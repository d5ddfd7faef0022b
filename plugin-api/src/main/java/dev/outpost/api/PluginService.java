package dev.outpost.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One service of a plugin process, as found in the OSGi service registry.
 *
 * <p>The Outpost runtime registers one {@code PluginService} for every service a plugin declares
 * in its handshake, with the properties named in {@link PluginServiceProperties}. A call sends a
 * request frame to the plugin process and completes when the plugin answers, the deadline passes,
 * or the process goes away.
 *
 * <p>Ownership: the runtime owns the process, its pid and the socket; a caller owns nothing and
 * needs to close nothing. The returned futures are completed on a runtime thread: callbacks
 * attached with {@code thenApply} and the like must not block. A service object becomes unusable
 * (every call fails with {@link ErrorCode#UNAVAILABLE}) once it has been unregistered.
 *
 * <p>Failures are reported as {@link PluginException} (directly by the blocking methods, as the
 * cause of the future's exception by the asynchronous ones).
 */
public interface PluginService {

    /** The plugin's name, as it announced it in its handshake. */
    String pluginName();

    /** The service's name, as declared by the plugin. */
    String serviceName();

    /** The methods the plugin declared for this service. */
    Set<String> methods();

    /**
     * Sends a call without waiting. The future completes with the response payload, or
     * exceptionally with a {@link PluginException}.
     *
     * @param method the method name
     * @param payload the request bytes; the runtime does not keep the array after the call returns
     * @param timeout the deadline, sent to the plugin and enforced by the host; {@code null} or
     *     zero for none
     */
    CompletableFuture<byte[]> callAsync(String method, byte[] payload, Duration timeout);

    /** {@link #callAsync(String, byte[], Duration)} without a deadline. */
    default CompletableFuture<byte[]> callAsync(String method, byte[] payload) {
        return callAsync(method, payload, null);
    }

    /**
     * Calls a method and waits for the answer.
     *
     * @throws PluginException with {@link ErrorCode#DEADLINE_EXCEEDED} when {@code timeout}
     *     passes, or the code the plugin or the runtime reported
     */
    default byte[] call(String method, byte[] payload, Duration timeout) {
        CompletableFuture<byte[]> future = callAsync(method, payload, timeout);
        try {
            if (timeout == null || timeout.isZero()) {
                return future.get();
            }
            // the host enforces the deadline itself; the extra second only guards against a lost wake-up
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw PluginException.unwrap(e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new PluginException(ErrorCode.DEADLINE_EXCEEDED,
                    method + " on " + serviceName() + " did not answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new PluginException(ErrorCode.CANCELLED, "interrupted while waiting for " + method);
        }
    }

    /**
     * Calls a method with a protobuf message and parses the answer with {@code parser}.
     *
     * @throws PluginException as {@link #call(String, byte[], Duration)}, or with
     *     {@link ErrorCode#INVALID_ARGUMENT} when the answer does not parse
     */
    default <T extends MessageLite> T call(String method, MessageLite request, Parser<T> parser,
                                           Duration timeout) {
        byte[] answer = call(method, request.toByteArray(), timeout);
        try {
            return parser.parseFrom(answer);
        } catch (InvalidProtocolBufferException e) {
            throw new PluginException(ErrorCode.INVALID_ARGUMENT,
                    "answer of " + serviceName() + "/" + method + " does not parse: " + e.getMessage(), e);
        }
    }
}
