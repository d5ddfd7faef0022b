// grpc_echo_server - the gRPC peer: a C++ unary echo server on a Unix domain socket.
//
// Usage: grpc_echo_server <socket path>. Prints "ready" on stdout once it listens, then serves
// until SIGTERM or end of stdin (whichever comes first), so a benchmark that dies leaves no
// server behind. Uses the synchronous API with its default thread pool, which is how a C++
// go-plugin style server would typically be written.
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include <grpcpp/grpcpp.h>

#include "bench_echo.grpc.pb.h"

namespace {

class EchoService final : public outpost::bench::Echo::Service {
    grpc::Status Echo(grpc::ServerContext *, const outpost::bench::Blob *request,
                      outpost::bench::Blob *reply) override
    {
        reply->set_data(request->data());
        return grpc::Status::OK;
    }
};

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::cerr << "usage: grpc_echo_server <socket path>\n";
        return 2;
    }
    std::string path = argv[1];
    unlink(path.c_str());
    EchoService service;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + path, grpc::InsecureServerCredentials());
    builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    builder.SetMaxSendMessageSize(64 * 1024 * 1024);
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server) {
        std::cerr << "grpc_echo_server: cannot listen on " << path << "\n";
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([&set, &server] {
        int sig;
        sigwait(&set, &sig);
        server->Shutdown();
    }).detach();
    std::thread([&server] {
        char c;
        while (read(0, &c, 1) > 0) {
        }
        server->Shutdown();
    }).detach();
    std::cout << "ready" << std::endl;
    server->Wait();
    unlink(path.c_str());
    return 0;
}
