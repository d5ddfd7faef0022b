package dev.outpost.runtime.process;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Log;
import dev.outpost.runtime.channel.Breakage;
import dev.outpost.runtime.channel.PluginChannel;

/**
 * The order rules for what a plugin may send (docs/protocol.md, "Order of messages"): Hello
 * first and once; Log, Goodbye and Pong after it; nothing that only a host sends. Frames that
 * keep the rules go to the {@link Receiver}; a broken rule or a broken connection is reported as
 * a failure. Runs on the reactor thread; holds no resources.
 */
final class PluginFrames implements PluginChannel.Listener {
    /** What the plugin's frames mean to its process. Called on the reactor thread: must not block. */
    interface Receiver {
        void hello(Hello hello);

        void log(Log log);

        void goodbye(String reason);

        void pong();

        /** The plugin broke the protocol or its connection (told once). */
        void failed(Breakage kind, String reason);
    }

    private final String name;
    private final Receiver receiver;
    private boolean helloSeen;
    private boolean failed; // a violation was reported: nothing more is passed on

    PluginFrames(String name, Receiver receiver) {
        this.name = name;
        this.receiver = receiver;
    }

    @Override
    public void frame(Frame frame) {
        if (failed) {
            return;
        }
        switch (frame.getKindCase()) {
            case HELLO -> {
                if (helloSeen) {
                    protocolError("a second Hello");
                    return;
                }
                helloSeen = true;
                receiver.hello(frame.getHello());
            }
            case LOG -> {
                if (helloSeen) {
                    receiver.log(frame.getLog());
                } else {
                    protocolError("Log before Hello");
                }
            }
            case GOODBYE -> receiver.goodbye(frame.getGoodbye().getReason());
            case PONG -> receiver.pong();
            default -> protocolError("unexpected " + frame.getKindCase() + (helloSeen ? "" : " before Hello"));
        }
    }

    private void protocolError(String what) {
        failed = true;
        receiver.failed(Breakage.VIOLATION, "protocol error from " + name + ": " + what);
    }

    @Override
    public void broken(Breakage kind, String reason) {
        if (!failed) {
            failed = true;
            receiver.failed(kind, reason);
        }
    }
}
