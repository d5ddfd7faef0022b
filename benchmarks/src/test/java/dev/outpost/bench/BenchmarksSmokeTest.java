package dev.outpost.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.outpost.bench.grpc.Blob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.Runner;

/**
 * Proves that every part of the comparison still runs: each piece once, briefly, in this JVM.
 * Nothing here measures anything or asserts a time; run.sh does the measuring.
 */
class BenchmarksSmokeTest {

    @AfterEach
    void noProcessLeft() {
        List<ProcessHandle> left = ProcessHandle.current().children().toList();
        left.forEach(ProcessHandle::destroyForcibly);
        assertEquals(List.of(), left, "child processes left behind");
    }

    @Test
    void outpostBenchmarksRunUnderJmh() throws Exception {
        var options = BenchMain.options(true, List.of(OutpostBenchmark.class.getSimpleName()))
                .param("size", "64").param("inflight", "16").param("bytes", "1048576").build();
        List<String> names = names(BenchMain.figures(new Runner(options).run()));
        assertEquals(List.of("outpost.large.1048576", "outpost.rtt.64", "outpost.tput.16"), names);
    }

    @Test
    void typedAndPluginToHostBenchmarksRunUnderJmh() throws Exception {
        var options = BenchMain.options(true, List.of(TypedBenchmark.class.getSimpleName())).build();
        assertEquals(List.of("outpost.hostcall.64", "outpost.typed.64"), names(BenchMain.figures(new Runner(options).run())));
    }

    @Test
    void grpcBenchmarkTalksToAnEchoServer(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("echo.sock");
        try (GrpcJavaEchoServer server = GrpcJavaEchoServer.start(socket)) {
            GrpcBenchmark bench = new GrpcBenchmark();
            GrpcBenchmark.Latency latency = new GrpcBenchmark.Latency();
            latency.peer = GrpcPeer.connect(socket);
            latency.request = Blob.newBuilder().setData(ByteString.copyFrom("ping", StandardCharsets.UTF_8)).build();
            try {
                assertEquals(latency.request, bench.latency(latency));
            } finally {
                latency.peer.close();
            }
            GrpcBenchmark.Window window = new GrpcBenchmark.Window();
            window.inflight = 4;
            window.slots = new java.util.concurrent.Semaphore(window.inflight);
            window.peer = GrpcPeer.connect(socket);
            try {
                for (int i = 0; i < 20; i++) {
                    bench.window(window);
                }
                window.drain();
            } finally {
                window.peer.close();
            }
        }
    }

    @Test
    void lifecycleAndScaleRun() throws Exception {
        Figures f = new Figures();
        Lifecycle.startStop(2, 1, f);
        Lifecycle.scale(3, f);
        CpuQuota.measure(20, f);
        Map<String, String> byName = f.lines().stream()
                .collect(Collectors.toMap(l -> l.split(" ")[0], l -> l.split(" ")[1]));
        assertTrue(byName.keySet().containsAll(List.of("outpost.start", "outpost.stop", "outpost.start.unconfined",
                "outpost.stop.unconfined", "outpost.start.confinement_cost", "outpost.quota.alone",
                "outpost.quota.capped", "outpost.quota.uncapped", "outpost.scale.serving",
                "outpost.scale.heap", "outpost.scale.plugin_pss", "outpost.scale.stop_all")), byName.toString());
        assertEquals("3.00", byName.get("outpost.scale.plugins"));
        assertEquals("0.00", byName.get("outpost.scale.children_left"));
    }

    @Test
    void floorRunsAndReportsEveryFigure() throws Exception {
        Process p = new ProcessBuilder(System.getProperty("outpost.bench.floor"), "1000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        assertEquals(0, p.exitValue());
        List<String> names = new String(out, StandardCharsets.UTF_8).lines().map(l -> l.split(" ")[0]).toList();
        assertEquals(List.of("floor.rtt.64", "floor.rtt.4096", "floor.large.1048576", "floor.large.16777216",
                "floor.spawn", "floor.stop"), names);
    }

    @Test
    void reportComparesFiguresOfOnePlacement(@TempDir Path dir) throws Exception {
        Path free = java.nio.file.Files.createDirectories(dir.resolve("free"));
        java.nio.file.Files.write(free.resolve("a.txt"), List.of(
                "outpost.rtt.64 12.00 20.00 us", "floor.rtt.64 10.00 10.00 us", "grpc.rtt.64 120.00 200.00 us"));
        String table = Report.table(List.of("free"), Map.of("free", Report.read(free, new java.util.HashMap<>())));
        assertTrue(table.contains("| 12.0 / 20.0 | 10.0 / 10.0 | 1.20× / 2.00× | 120 / 200 | 10.00× / 10.00× |"), table);
        assertTrue(table.contains("✔"), table);
    }

    private static List<String> names(Figures f) {
        return f.lines().stream().map(l -> l.split(" ")[0]).sorted().toList();
    }

}
