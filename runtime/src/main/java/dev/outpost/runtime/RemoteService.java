package dev.outpost.runtime;

import dev.outpost.api.PluginService;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link PluginService} registered for one service of a plugin. Calls go to whichever process
 * serves the plugin now, on the caller's thread. Owns nothing.
 */
final class RemoteService implements PluginService {
    /** Where calls go. */
    interface Calls {
        CompletableFuture<byte[]> call(String service, String method, byte[] payload, Duration timeout);
    }

    private final Calls calls;
    private final String pluginName;
    private final String serviceName;
    private final Set<String> methods;

    RemoteService(Calls calls, String pluginName, String serviceName, Set<String> methods) {
        this.calls = calls;
        this.pluginName = pluginName;
        this.serviceName = serviceName;
        this.methods = Set.copyOf(methods);
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
        return calls.call(serviceName, method, payload, timeout == null || timeout.isZero() ? null : timeout);
    }

    @Override
    public String toString() {
        return "PluginService[" + pluginName + "/" + serviceName + "]";
    }
}
