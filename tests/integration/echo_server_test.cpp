// wsbench-echo-server as a real process on loopback: echo, limits, broadcast, /stats,
// shutdown and TLS, driven by our own blocking client.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "ws_client.hpp"

namespace wsb::test {
namespace {

/// Starts the server with `args` (plus --port 0) and waits for its listening line.
class EchoServer {
public:
    explicit EchoServer(std::vector<std::string> args = {}) {
        std::vector<std::string> argv{tool_path("wsbench-echo-server"), "--port", "0", "--threads", "2"};
        argv.insert(argv.end(), args.begin(), args.end());
        process = std::make_unique<Process>(argv);
        address = wait_listening(*process);
    }
    std::string url(const std::string& path = "/") const { return address ? address->url(path) : ""; }

    std::unique_ptr<Process> process;
    std::optional<ServerAddress> address;
};

TEST(EchoServer, PrintsOneListeningLineOnStdout) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    EXPECT_EQ(server.address->scheme, "ws");
    EXPECT_EQ(server.address->host, "127.0.0.1");
    EXPECT_NE(server.address->port, 0);
    EXPECT_EQ(server.process->stdout_text(), "listening on " + server.url("") + "\n");
}

TEST(EchoServer, EchoesTextAndBinaryAtFrameLengthBoundaries) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    for (std::size_t size : {0u, 125u, 126u, 65535u, 65536u, 1u << 20}) {
        const std::string text(size, 'a' + static_cast<char>(size % 26));
        ASSERT_TRUE(client.send_text(text));
        auto reply = client.receive();
        ASSERT_TRUE(reply) << size << ": " << client.error();
        EXPECT_EQ(reply->opcode, Opcode::text);
        EXPECT_EQ(reply->payload, text) << size;

        const std::string binary = random_payload(size, static_cast<std::uint32_t>(size));
        ASSERT_TRUE(client.send_binary(binary));
        reply = client.receive();
        ASSERT_TRUE(reply) << size << ": " << client.error();
        EXPECT_EQ(reply->opcode, Opcode::binary);
        EXPECT_EQ(reply->payload, binary) << size;
    }
    ASSERT_TRUE(client.send_close(1000, "done"));
    EXPECT_EQ(client.receive_close(), 1000);
    EXPECT_TRUE(client.wait_eof());
}

TEST(EchoServer, ShutsDownOnSigtermClosingClientsWith1001) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        ASSERT_TRUE(clients.back()->connect(server.url())) << clients.back()->error();
    }
    server.process->signal(SIGTERM);
    for (auto& c : clients) EXPECT_EQ(c->receive_close(), 1001);
    for (auto& c : clients) c->send_close(1001);
    EXPECT_EQ(server.process->wait(std::chrono::seconds(3)), 0) << server.process->stderr_text();
}

}  // namespace
}  // namespace wsb::test
