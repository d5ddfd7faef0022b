package dev.outpost.bench;

import dev.outpost.bench.grpc.EchoGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC peer: an echo server process on a Unix domain socket and a grpc-java client on
 * Netty's epoll domain-socket transport. The server is the C++ one built by run.sh when it
 * exists ({@value #SERVER_PROPERTY}), otherwise {@link GrpcJavaEchoServer} in a JVM of its own;
 * {@link #describe()} says which. The client runs callbacks on the event loop (directExecutor),
 * the fastest configuration grpc-java offers, as Outpost completes futures on its I/O thread.
 *
 * <p>Owns the server process: {@link #close()} ends it (end of stdin, then SIGTERM, then SIGKILL)
 * and waits until it is reaped.
 */
final class GrpcPeer implements AutoCloseable {
    static final String SERVER_PROPERTY = "outpost.bench.grpc.server";

    private final Process server;
    private final Path dir;
    private final EventLoopGroup group;
    final ManagedChannel channel;
    final EchoGrpc.EchoBlockingStub blocking;
    final EchoGrpc.EchoFutureStub async;

    private GrpcPeer(Process server, Path dir, Path socket) {
        this.server = server;
        this.dir = dir;
        this.group = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .directExecutor()
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        this.blocking = EchoGrpc.newBlockingStub(channel);
        this.async = EchoGrpc.newFutureStub(channel);
    }

    /** Which server the benchmark talks to. */
    static String describe() {
        return cxxServer() != null ? "C++ gRPC server (Debian libgrpc++)" : "grpc-java server in its own JVM";
    }

    private static Path cxxServer() {
        String p = System.getProperty(SERVER_PROPERTY);
        return p != null && Files.isExecutable(Path.of(p)) ? Path.of(p) : null;
    }

    /** Starts a server process and connects to it. */
    static GrpcPeer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("outpost-grpc");
        Path socket = dir.resolve("echo.sock");
        Path cxx = cxxServer();
        List<String> command = cxx != null
                ? List.of(cxx.toString(), socket.toString())
                : List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"),
                        GrpcJavaEchoServer.class.getName(), socket.toString());
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // the server prints "ready" once it listens, or dies
        if (!"ready".equals(line)) {
            end(server);
            Files.deleteIfExists(dir);
            throw new IOException("gRPC server " + command + " did not start: " + line);
        }
        return new GrpcPeer(server, dir, socket);
    }

    /** Connects to a server that someone else runs (the smoke test's in-process one). */
    static GrpcPeer connect(Path socket) {
        return new GrpcPeer(null, null, socket);
    }

    @Override
    public void close() throws Exception {
        try {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        } finally {
            if (server != null) {
                end(server);
                Files.deleteIfExists(dir.resolve("echo.sock"));
                Files.deleteIfExists(dir);
            }
        }
    }

    private static void end(Process server) throws InterruptedException {
        try {
            server.getOutputStream().close(); // end of stdin: both servers leave on it
        } catch (IOException e) {
            // already gone
        }
        if (!server.waitFor(5, TimeUnit.SECONDS)) {
            server.destroy();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }
}
