package dev.outpost.bench;

import dev.outpost.api.PluginService;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.osgi.framework.Bundle;

/**
 * Calls through Outpost: a Java caller, the OSGi-registered {@link PluginService}, the C echo
 * plugin in its own process, and back. Each state starts its own framework with one echo plugin.
 */
public class OutpostBenchmark {

    /** One echo plugin in a fresh framework. */
    public abstract static class Echo {
        EchoHost host;
        PluginService echo;

        void open() throws Exception {
            host = EchoHost.start();
            Bundle bundle = host.install("echo");
            echo = host.startAndAwait(bundle, 10_000);
        }

        void close() throws Exception {
            if (host != null) {
                host.close();
            }
        }
    }

    /** One caller, one call at a time. */
    @State(Scope.Benchmark)
    public static class Latency extends Echo {
        @Param({"64", "4096"})
        public int size;
        byte[] payload;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            payload = payload(size);
            open();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            close();
        }
    }

    /** Big frames: the payload is copied through the socket twice per call. */
    @State(Scope.Benchmark)
    public static class Large extends Echo {
        @Param({"1048576", "16777216"})
        public int bytes;
        byte[] payload;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            payload = payload(bytes);
            open();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            close();
        }
    }

    /**
     * A window of {@code inflight} calls: each benchmark operation waits for a free slot, then
     * sends one more 64 B call; the answer frees the slot. Operations per second = calls per second
     * with that many calls in flight.
     */
    @State(Scope.Benchmark)
    public static class Window extends Echo {
        @Param({"1", "16", "64"})
        public int inflight;
        Semaphore slots;
        final byte[] payload = payload(64);

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            slots = new Semaphore(inflight);
            open();
        }

        /** Lets the calls of one iteration finish before the next one (or the teardown) starts. */
        @TearDown(Level.Iteration)
        public void drain() throws InterruptedException {
            if (!slots.tryAcquire(inflight, 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("calls still in flight after 30 s");
            }
            slots.release(inflight);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            close();
        }
    }

    static byte[] payload(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] latency(Latency s) {
        return s.echo.call("echo", s.payload, null);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public byte[] large(Large s) {
        return s.echo.call("echo", s.payload, null);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void window(Window s) throws InterruptedException {
        s.slots.acquire();
        s.echo.callAsync("echo", s.payload).whenComplete((answer, failure) -> {
            s.slots.release();
            if (failure != null) {
                failure.printStackTrace();
            }
        });
    }
}
