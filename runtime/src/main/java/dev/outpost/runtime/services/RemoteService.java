package dev.outpost.runtime.services;

import dev.outpost.api.PluginService;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link PluginService} registered for one service of a plugin. Calls go to whichever process
 * serves the plugin now, on the caller's thread. Owns nothing.
 */
public final class RemoteService implements PluginService {
    /** Where calls go; {@code callerWaits} when the calling thread waits for the answer. */
    public interface Calls {
        CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout,
                                       boolean callerWaits);
    }

    private final Calls calls;
    private final String pluginName;
    private final String serviceName;
    private final Set<String> methods;
    /** Whether this one's calls say that the caller waits for the answer (the view {@link #call} uses). */
    private final boolean callerWaits;
    /** This service as a caller that waits sees it (itself, in that view). */
    private final RemoteService waiting;

    RemoteService(Calls calls, String pluginName, String serviceName, Set<String> methods) {
        this(calls, pluginName, serviceName, Set.copyOf(methods), false);
    }

    private RemoteService(Calls calls, String pluginName, String serviceName, Set<String> methods,
                          boolean callerWaits) {
        this.calls = calls;
        this.pluginName = pluginName;
        this.serviceName = serviceName;
        this.methods = methods;
        this.callerWaits = callerWaits;
        this.waiting = callerWaits ? this : new RemoteService(calls, pluginName, serviceName, methods, true);
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

    @Override
    public Set<String> methods() {
        return methods;
    }

    @Override
    public CompletableFuture<byte[]> callAsync(String method, byte[] payload, Duration timeout) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(payload, "payload");
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return calls.call(serviceName, method, payload, timeout == null || timeout.isZero() ? null : timeout,
                callerWaits);
    }

    /**
     * Waits as {@link PluginService#call} does, through a view of this service whose calls say
     * that the caller waits: the caller then reads its answer itself (see {@link PluginChannel#call}).
     */
    @Override
    public byte[] call(String method, byte[] payload, Duration timeout) {
        return callerWaits ? PluginService.super.call(method, payload, timeout) : waiting.call(method, payload, timeout);
    }

    @Override
    public String toString() {
        return "PluginService[" + pluginName + "/" + serviceName + "]";
    }
}
