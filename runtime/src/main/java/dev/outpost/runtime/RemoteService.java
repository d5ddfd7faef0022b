package dev.outpost.runtime;

import dev.outpost.api.PluginService;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link PluginService} registered for one service of one plugin process. Calls go straight
 * to the process's channel on the caller's thread. Owns nothing.
 */
final class RemoteService implements PluginService {
    private final PluginProcess process;
    private final String pluginName;
    private final String serviceName;
    private final Set<String> methods;

    RemoteService(PluginProcess process, String pluginName, String serviceName, Set<String> methods) {
        this.process = process;
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
        return process.call(serviceName, method, payload, timeout == null || timeout.isZero() ? null : timeout);
    }

    @Override
    public String toString() {
        return "PluginService[" + pluginName + "/" + serviceName + " pid " + process.pid() + "]";
    }
}
