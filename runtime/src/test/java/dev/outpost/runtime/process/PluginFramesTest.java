package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outpost.protocol.v1.Frame;
import dev.outpost.protocol.v1.Goodbye;
import dev.outpost.protocol.v1.Hello;
import dev.outpost.protocol.v1.Log;
import dev.outpost.protocol.v1.Pong;
import dev.outpost.protocol.v1.Welcome;
import dev.outpost.runtime.channel.Breakage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginFramesTest {
    private final List<String> heard = new ArrayList<>();
    private final PluginFrames frames = new PluginFrames("fx", new PluginFrames.Receiver() {
        @Override
        public void hello(Hello hello) {
            heard.add("hello " + hello.getPluginName());
        }

        @Override
        public void log(Log log) {
            heard.add("log " + log.getMessage());
        }

        @Override
        public void goodbye(String reason) {
            heard.add("goodbye " + reason);
        }

        @Override
        public void pong() {
            heard.add("pong");
        }

        @Override
        public void failed(Breakage kind, String reason) {
            heard.add((kind == Breakage.END_OF_FILE ? "eof " : "failed ") + reason);
        }
    });

    private static Frame hello() {
        return Frame.newBuilder().setHello(Hello.newBuilder().setPluginName("fx")).build();
    }

    @Test
    void helloThenLogGoodbyeAndPongArePassedOn() {
        frames.frame(hello());
        frames.frame(Frame.newBuilder().setLog(Log.newBuilder().setMessage("hi")).build());
        frames.frame(Frame.newBuilder().setPong(Pong.newBuilder()).build());
        frames.frame(Frame.newBuilder().setGoodbye(Goodbye.newBuilder().setReason("done")).build());
        assertEquals(List.of("hello fx", "log hi", "pong", "goodbye done"), heard);
    }

    @Test
    void logBeforeHelloIsAProtocolError() {
        frames.frame(Frame.newBuilder().setLog(Log.newBuilder().setMessage("early")).build());
        assertEquals(List.of("failed protocol error from fx: Log before Hello"), heard);
    }

    @Test
    void secondHelloIsAProtocolError() {
        frames.frame(hello());
        frames.frame(hello());
        assertEquals(List.of("hello fx", "failed protocol error from fx: a second Hello"), heard);
    }

    @Test
    void framesOnlyAHostSendsAreProtocolErrors() {
        frames.frame(Frame.newBuilder().setWelcome(Welcome.newBuilder()).build());
        assertEquals(List.of("failed protocol error from fx: unexpected WELCOME before Hello"), heard);
    }

    @Test
    void endOfFileIsReportedAsSuch() {
        frames.broken(Breakage.END_OF_FILE, "fx closed its connection");
        assertEquals(List.of("eof fx closed its connection"), heard);
    }

    @Test
    void afterAViolationNothingMoreIsPassedOnNorReportedAgain() {
        frames.frame(hello());
        frames.frame(hello());
        frames.frame(hello());
        frames.frame(Frame.newBuilder().setLog(Log.newBuilder().setMessage("late")).build());
        frames.broken(Breakage.END_OF_FILE, "fx closed its connection");
        assertEquals(List.of("hello fx", "failed protocol error from fx: a second Hello"), heard);
    }
}
