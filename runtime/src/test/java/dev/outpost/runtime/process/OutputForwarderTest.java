package dev.outpost.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.channel.Reactor;
import dev.outpost.runtime.os.Posix;
import java.io.FileOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A plugin's stderr forwarded into the host's log, through a real pipe and a real reactor. */
class OutputForwarderTest {
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger("outpost.plugin.fx");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Reactor reactor;
    private int[] pipe;
    private OutputForwarder forwarder;

    @BeforeEach
    void start() throws Exception {
        jul.addHandler(capture);
        reactor = new Reactor("forwarder-test");
        pipe = Posix.pipe();
        forwarder = new OutputForwarder(pipe[0], "stderr", "fx", 42, Level.WARNING, new LogLimiter());
        forwarder.attach(reactor);
    }

    @AfterEach
    void stop() {
        forwarder.close();
        Posix.close(pipe[1]);
        reactor.close();
        jul.removeHandler(capture);
    }

    /** Writes as the plugin would, through the pipe's write end (opened again by its /proc path). */
    private void write(String text) throws Exception {
        try (FileOutputStream out = new FileOutputStream("/proc/self/fd/" + pipe[1])) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    @Test
    void eachLineIsLoggedTaggedWithThePluginAndKeptForErrorReports() throws Exception {
        write("first\nsecond\r\nthi");
        await(() -> logged.size() >= 2, "two lines");
        assertEquals(List.of("WARNING [fx 42 stderr] first", "WARNING [fx 42 stderr] second"), logged);
        write("rd\n");
        await(() -> logged.size() >= 3, "the third line");
        assertEquals(List.of("first", "second", "third"), forwarder.tail());
    }

    @Test
    void theTailKeepsOnlyTheLastLines() throws Exception {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < OutputForwarder.TAIL_LINES + 10; i++) {
            s.append("line ").append(i).append('\n');
        }
        write(s.toString());
        await(() -> logged.size() >= OutputForwarder.TAIL_LINES + 10, "every line");
        List<String> tail = forwarder.tail();
        assertEquals(OutputForwarder.TAIL_LINES, tail.size());
        assertEquals("line 10", tail.get(0));
        assertEquals("line " + (OutputForwarder.TAIL_LINES + 9), tail.get(tail.size() - 1));
    }

    @Test
    void closingForwardsAnUnfinishedLastLine() throws Exception {
        write("no newline at the end");
        forwarder.close();
        assertEquals(List.of("no newline at the end"), forwarder.tail());
        assertTrue(logged.contains("WARNING [fx 42 stderr] no newline at the end"), logged.toString());
    }
}
