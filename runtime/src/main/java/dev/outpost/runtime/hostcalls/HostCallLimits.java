package dev.outpost.runtime.hostcalls;

import dev.outpost.runtime.config.RuntimeConfig;
import java.util.function.Function;

/**
 * The bounds on plugins' calls to the host, from the framework's properties
 * (docs/host-services.md):
 *
 * @param threads the threads of the runtime's host-call pool ({@code outpost.hostcalls.threads}, default 16)
 * @param running how many calls of one plugin may run on them at once ({@code outpost.hostcalls.running},
 *     default 4): a plugin whose calls block holds at most this many threads
 * @param inFlight how many calls of one plugin may be open, running or waiting ({@code outpost.hostcalls.inflight},
 *     default 64); more are answered RESOURCE_EXHAUSTED at once
 * @param bytes how many bytes of requests one plugin's open calls may hold ({@code outpost.hostcalls.bytes},
 *     default 16 MiB); a call beyond them is answered RESOURCE_EXHAUSTED at once
 * @param maxTimeoutMillis the deadline of a call that sets none, and the longest one may set
 *     ({@code outpost.hostcalls.timeout.ms}, default 30000)
 * @param maxFrameSize the largest frame the plugin accepts, so that an answer that cannot fit is refused
 */
public record HostCallLimits(int threads, int running, int inFlight, long bytes, long maxTimeoutMillis,
                             int maxFrameSize) {
    public static HostCallLimits from(Function<String, String> properties, int maxFrameSize) {
        return new HostCallLimits(
                (int) RuntimeConfig.number(properties, "outpost.hostcalls.threads", 16, 1, 1024),
                (int) RuntimeConfig.number(properties, "outpost.hostcalls.running", 4, 1, 1024),
                (int) RuntimeConfig.number(properties, "outpost.hostcalls.inflight", 64, 1, 65536),
                RuntimeConfig.number(properties, "outpost.hostcalls.bytes", 16L << 20, 0, 1L << 40),
                RuntimeConfig.number(properties, "outpost.hostcalls.timeout.ms", 30_000, 1, 86_400_000),
                maxFrameSize);
    }
}
