package dev.outpost.runtime.process;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Refusal;
import dev.outpost.runtime.channel.PluginChannel;
import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.wire.Handshake;
import java.io.IOException;
import java.util.Map;

/**
 * The host's half of the handshake: the plugin's Hello judged ({@link Handshake}), and answered
 * with a Welcome or a Refusal on its channel. Owns nothing.
 */
final class ProcessHandshake {
    /**
     * @param failure why the process must end (a refusal, or an answer that could not be sent); null when it serves
     * @param refusalSent the plugin was told it is refused, and may leave by itself
     */
    record Result(String failure, boolean refusalSent) {
    }

    private ProcessHandshake() {
    }

    /** Answers {@code hello} on {@code channel}; the write waits at most the configured write timeout. */
    static Result answer(String name, PluginChannel channel, Hello hello, Map<String, String> pluginConfig, RuntimeConfig config) {
        Handshake.Outcome outcome = Handshake.judge(hello, pluginConfig, config.maxFrameSize());
        long writeTimeout = config.writeTimeout().toMillis();
        try {
            if (!outcome.accepted()) {
                channel.send(Frame.newBuilder().setRefusal(Refusal.newBuilder().setReason(outcome.refusal())).build(),
                        writeTimeout);
                return new Result("handshake refused: " + outcome.refusal(), true);
            }
            channel.send(Frame.newBuilder().setWelcome(outcome.welcome()).build(), writeTimeout);
            return new Result(null, false);
        } catch (IOException e) {
            return new Result("handshake with " + name + " failed: " + e.getMessage(), false);
        }
    }
}
