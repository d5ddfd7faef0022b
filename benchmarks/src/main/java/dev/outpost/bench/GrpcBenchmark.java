package dev.outpost.bench;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.outpost.bench.grpc.Blob;
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

/** The same calls as {@link OutpostBenchmark}, to the gRPC peer ({@link GrpcPeer}). */
public class GrpcBenchmark {

    @State(Scope.Benchmark)
    public static class Latency {
        @Param({"64", "4096"})
        public int size;
        GrpcPeer peer;
        Blob request;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            request = Blob.newBuilder().setData(ByteString.copyFrom(OutpostBenchmark.payload(size))).build();
            peer = GrpcPeer.start();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            peer.close();
        }
    }

    /** A window of {@code inflight} 64 B calls, as {@link OutpostBenchmark.Window}. */
    @State(Scope.Benchmark)
    public static class Window {
        @Param({"1", "16", "64"})
        public int inflight;
        GrpcPeer peer;
        Semaphore slots;
        final Blob request = Blob.newBuilder().setData(ByteString.copyFrom(OutpostBenchmark.payload(64))).build();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            slots = new Semaphore(inflight);
            peer = GrpcPeer.start();
        }

        @TearDown(Level.Iteration)
        public void drain() throws InterruptedException {
            if (!slots.tryAcquire(inflight, 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("calls still in flight after 30 s");
            }
            slots.release(inflight);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            peer.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Blob latency(Latency s) {
        return s.peer.blocking.echo(s.request);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void window(Window s) throws InterruptedException {
        s.slots.acquire();
        s.peer.async.echo(s.request).addListener(s.slots::release, MoreExecutors.directExecutor());
    }
}
