package dev.outpost.bench;

import dev.outpost.bench.grpc.Blob;
import dev.outpost.bench.grpc.EchoGrpc;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The fallback gRPC peer, when the C++ server cannot be built: a grpc-java echo server on a Unix
 * domain socket (Netty epoll), handlers on the event loop. {@code main} prints "ready" when it
 * listens and serves until its stdin ends; the smoke test runs it in-process with {@link #start}.
 */
public final class GrpcJavaEchoServer implements AutoCloseable {
    private final Server server;
    private final EventLoopGroup boss = new EpollEventLoopGroup(1);
    private final EventLoopGroup workers = new EpollEventLoopGroup(1);

    private GrpcJavaEchoServer(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .directExecutor()
                .maxInboundMessageSize(64 << 20)
                .addService(new EchoGrpc.EchoImplBase() {
                    @Override
                    public void echo(Blob request, StreamObserver<Blob> answer) {
                        answer.onNext(request);
                        answer.onCompleted();
                    }
                })
                .build()
                .start();
    }

    static GrpcJavaEchoServer start(Path socket) throws IOException {
        return new GrpcJavaEchoServer(socket);
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GrpcJavaEchoServer <socket path>");
            System.exit(2);
        }
        try (GrpcJavaEchoServer s = start(Path.of(args[0]))) {
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until stdin ends
            }
        }
    }
}
