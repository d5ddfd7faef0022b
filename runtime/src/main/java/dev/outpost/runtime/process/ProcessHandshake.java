package dev.outpost.runtime.process;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Refusal;
import dev.outpost.runtime.channel.HostSide;
import dev.outpost.runtime.channel.PluginChannel;
import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.content.PluginSpec;
import dev.outpost.runtime.wire.Handshake;
import java.lang.System.Logger.Level;


/**
 * The host's half of the handshake: the plugin's Hello judged ({@link Handshake}), and answered
 * with a Welcome (which lists the host services it may call now, served from then on by its
 * {@link HostSide}) or a Refusal, sent without waiting for the plugin to read it. The plugin's
 * identity is its bundle's {@code Outpost-Name}, whatever its Hello calls it: a plugin cannot pass
 * for another. Owns nothing.
 */
final class ProcessHandshake {
    private ProcessHandshake() {
    }

    /**
     * Answers {@code hello} on {@code channel}.
     *
     * @param spec the plugin as its bundle declares it: its name, its configuration
     * @return the reason for a refusal, or null when the plugin was welcomed
     */
    static String answer(PluginChannel channel, Hello hello, PluginSpec spec, int pid, RuntimeConfig config,
                         HostSide hostSide, System.Logger log) {
        String name = spec.name();
        Handshake.Outcome outcome = Handshake.judge(hello, spec.config(), config.maxFrameSize(), hostSide.available());
        if (!outcome.accepted()) {
            // the reason quotes what the plugin sent: cut short, its control characters made visible
            String reason = LogText.clean(outcome.refusal(), 512);
            channel.sendLater(Frame.newBuilder().setRefusal(Refusal.newBuilder().setReason(reason)).build());
            return reason;
        }
        if (!hello.getPluginName().equals(name)) {
            log.log(Level.WARNING, () -> name + " calls itself '" + LogText.clean(hello.getPluginName(), 128)
                    + "' in its Hello; it is known by its bundle's Outpost-Name, " + name);
        }
        channel.serveRequests(hostSide.open(name + " (pid " + pid + ")")); // before the Welcome: requests may follow it at once
        channel.sendLater(Frame.newBuilder().setWelcome(outcome.welcome()).build());
        return null;
    }
}
