package dev.outpost.runtime.process;

import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Log;
import dev.outpost.runtime.channel.Breakage;
import dev.outpost.runtime.wire.Levels;
import java.lang.System.Logger.Level;

/**
 * What a plugin sends, once {@link PluginFrames} has checked its order, handed to its
 * {@link PluginProcess}; on the reactor thread, so each only logs or passes the work on. Plugin
 * text (Log frames, a Goodbye's reason) is cleaned and cut short here, and Log frames share the
 * plugin's one log budget with its output. Owns nothing.
 */
final class ProcessMessages implements PluginFrames.Receiver {
    private final PluginProcess process;
    private final System.Logger log;
    private final LogLimiter limiter;

    ProcessMessages(PluginProcess process, System.Logger log, LogLimiter limiter) {
        this.process = process;
        this.log = log;
        this.limiter = limiter;
    }

    @Override
    public void hello(Hello hello) {
        process.helloArrived(hello);
    }

    @Override
    public void log(Log entry) {
        if (limiter.admit(n -> log.log(Level.WARNING, "[" + process.name() + " " + process.pid() + "] " + n
                + " lines not logged: the plugin logs too fast"))) {
            String text = LogText.clean(entry.getMessage());
            log.log(Levels.of(entry.getLevel()), () -> "[" + process.name() + " " + process.pid() + "] " + text);
        }
    }

    @Override
    public void goodbye(String reason) {
        String why = LogText.clean(reason);
        log.log(Level.INFO, () -> process.name() + " is leaving: " + why);
        process.leaving(why);
    }

    @Override
    public void pong() {
        process.ponged();
    }

    @Override
    public void failed(Breakage kind, String reason) {
        process.broke(kind, reason);
    }
}
