// wsbench-echo-server as a real process on loopback: echo, limits, broadcast, /stats,
// shutdown and TLS, driven by our own blocking client.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "eventually.hpp"
#include "process.hpp"
#include "scratch_dir.hpp"
#include "tls_cert.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"
#include "wsbench/system.hpp"

namespace wsb::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * 1024;

/// The engine the running test exercises (every test runs once per engine).
std::string g_engine = "websocketpp";

class EchoServerTest : public ::testing::TestWithParam<const char*> {
  protected:
    void SetUp() override { g_engine = GetParam(); }
};

/// Starts the server with `args` (plus --port 0 and the engine under test) and waits for its
/// listening line.
struct EchoServer : ToolProcess {
    explicit EchoServer(const std::vector<std::string>& args = {})
        : ToolProcess(
              {"wsbench-echo-server", "--port", "0", "--threads", "2", "--engine", g_engine},
              args) {
        wait_listening();
    }
};

milliseconds since(Clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

struct HttpReply {
    HttpResponse head;
    std::string body;
};

/// A plain HTTP/1.1 GET on the server's port.
std::optional<HttpReply> http_get(const EchoServer& server, const std::string& path) {
    WsClient c;
    if (!c.connect_raw(
            server.url(),
            "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
        return std::nullopt;
    }
    auto head = c.read_http_response();
    if (!head) return std::nullopt;
    auto body = c.read_http_body(*head);
    if (!body) return std::nullopt;
    return HttpReply{*head, *body};
}

/// GET /stats parsed, or a discarded value when the request or the JSON fails.
nlohmann::json get_stats(const EchoServer& server) {
    const auto reply = http_get(server, "/stats");
    if (!reply || reply->head.status != 200) return nlohmann::json::value_t::discarded;
    return nlohmann::json::parse(reply->body, nullptr, false);
}

std::uint64_t open_connections(const EchoServer& server) {
    const auto stats = get_stats(server);
    return stats.is_discarded() ? ~0ull : stats["connections"]["open"].get<std::uint64_t>();
}

/// One frame as a client would send it (masked) or as a broken client might (unmasked).
std::string client_frame(Opcode op, const std::string& payload, bool fin = true,
                         bool masked = true) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    h.masked = masked;
    h.mask_key = {0x12, 0x34, 0x56, 0x78};
    std::string out(kMaxFrameHeaderSize + payload.size(), '\0');
    out.resize(encode_frame(h, payload.data(), payload.size(),
                            reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
    return out;
}

// --- Echo ----------------------------------------------------------------------------------

TEST_P(EchoServerTest, PrintsOneListeningLineOnStdout) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    EXPECT_EQ(server.address->scheme, "ws");
    EXPECT_EQ(server.address->host, "127.0.0.1");
    EXPECT_NE(server.address->port, 0);
    EXPECT_EQ(server.process->stdout_text(), "listening on " + server.url("") + "\n");
}

TEST_P(EchoServerTest, EchoesTextAndBinaryAtFrameLengthBoundaries) {
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

TEST_P(EchoServerTest, AnswersAPingBetweenFragmentsBeforeEchoingTheWholeMessage) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();

    ASSERT_TRUE(client.send_frame(Opcode::text, "Hello, ", false));
    ASSERT_TRUE(client.send_frame(Opcode::ping, "still there?"));
    ASSERT_TRUE(client.send_frame(Opcode::continuation, "world", true));
    auto pong = client.receive();
    ASSERT_TRUE(pong) << client.error();
    EXPECT_EQ(pong->opcode, Opcode::pong);
    EXPECT_EQ(pong->payload, "still there?");
    auto message = client.receive();
    ASSERT_TRUE(message) << client.error();
    EXPECT_EQ(message->opcode, Opcode::text);
    EXPECT_EQ(message->payload, "Hello, world");

    // Binary in three fragments, one of them empty, with a ping after the first.
    const std::string binary = random_payload(300, 1);
    ASSERT_TRUE(client.send_frame(Opcode::binary, binary.substr(0, 100), false));
    ASSERT_TRUE(client.send_frame(Opcode::ping, ""));
    ASSERT_TRUE(client.send_frame(Opcode::continuation, "", false));
    ASSERT_TRUE(client.send_frame(Opcode::continuation, binary.substr(100), true));
    pong = client.receive();
    ASSERT_TRUE(pong) << client.error();
    EXPECT_EQ(pong->opcode, Opcode::pong);
    EXPECT_EQ(pong->payload, "");
    message = client.receive();
    ASSERT_TRUE(message) << client.error();
    EXPECT_EQ(message->opcode, Opcode::binary);
    EXPECT_EQ(message->payload, binary);
}

TEST_P(EchoServerTest, PrefixesTextAndBinaryRepliesWithTheReplyPrefix) {
    EchoServer server({"--reply-prefix", "回答"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();

    ASSERT_TRUE(client.send_text("你好"));
    auto reply = client.receive();
    ASSERT_TRUE(reply) << client.error();
    EXPECT_EQ(reply->opcode, Opcode::text);
    EXPECT_EQ(reply->payload, "回答你好");

    const std::string binary("\x00\x01\xfe\xff", 4);
    ASSERT_TRUE(client.send_binary(binary));
    reply = client.receive();
    ASSERT_TRUE(reply) << client.error();
    EXPECT_EQ(reply->opcode, Opcode::binary);
    EXPECT_EQ(reply->payload, "\xe5\x9b\x9e\xe7\xad\x94" + binary);  // UTF-8 of 回答

    ASSERT_TRUE(client.send_text(""));
    reply = client.receive();
    ASSERT_TRUE(reply) << client.error();
    EXPECT_EQ(reply->payload, "回答");
}

// --- Close handshake -----------------------------------------------------------------------

TEST_P(EchoServerTest, EchoesTheCodeOfAClientCloseThenClosesTcp) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_close(4000, "bye"));
    auto close = client.receive();
    ASSERT_TRUE(close) << client.error();
    EXPECT_EQ(close->opcode, Opcode::close);
    EXPECT_EQ(close->close_code(), 4000);
    EXPECT_TRUE(client.wait_eof())
        << "the server closes TCP after the close handshake (RFC 6455 §7.1.1)";
}

TEST_P(EchoServerTest, ClosesAnIdleConnectionWith1001AndWaitsForTheClientsClose) {
    EchoServer server({"--idle-timeout", "200ms"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    const auto start = Clock::now();
    auto close = client.receive(milliseconds(3000));
    ASSERT_TRUE(close) << client.error();
    EXPECT_GE(since(start).count(), 150);
    EXPECT_EQ(close->opcode, Opcode::close);
    EXPECT_EQ(close->close_code(), 1001);
    EXPECT_EQ(close->close_reason(), "idle timeout");
    ASSERT_TRUE(client.send_close(1001));
    EXPECT_TRUE(client.wait_eof());
}

TEST_P(EchoServerTest, KeepsAConnectionThatStaysActiveBeyondTheIdleTimeout) {
    EchoServer server({"--idle-timeout", "500ms"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    // A message every ~100 ms for 1.2 s: waiting for a close that must not come paces them.
    const auto start = Clock::now();
    while (since(start) < milliseconds(1200)) {
        ASSERT_TRUE(client.send_text("tick"));
        auto reply = client.receive();
        ASSERT_TRUE(reply) << client.error();
        ASSERT_EQ(reply->opcode, Opcode::text) << "closed although active: " << reply->close_code();
        auto unexpected = client.receive(milliseconds(100));
        ASSERT_FALSE(unexpected) << "closed although active: " << unexpected->close_code();
    }
}

TEST_P(EchoServerTest, DropsTcpWhenItsCloseGoesUnanswered) {
    EchoServer server({"--idle-timeout", "200ms", "--close-timeout", "300ms"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    EXPECT_EQ(client.receive_close(milliseconds(3000)), 1001);
    const auto start = Clock::now();
    EXPECT_TRUE(client.wait_eof(milliseconds(3000)));  // never answering the close
    EXPECT_GE(since(start).count(), 200);
}

// --- Protocol errors and limits ------------------------------------------------------------

TEST_P(EchoServerTest, ClosesWith1007OnInvalidUtf8InAText) {
    struct Case {
        const char* name;
        std::vector<std::pair<std::string, bool>> fragments;  // payload, fin
    };
    const std::vector<Case> cases = {
        {"surrogate in one frame",
         {{"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
           "edited",
           true}}},
        {"bad byte in the second fragment", {{"\xce\xba", false}, {"\xff", true}}},
        {"sequence cut at the end of the message", {{"ok \xe2\x82", true}}},
    };
    EchoServer server;
    ASSERT_TRUE(server.address);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        WsClient client;
        ASSERT_TRUE(client.connect(server.url())) << client.error();
        Opcode op = Opcode::text;
        for (const auto& [payload, fin] : c.fragments) {
            ASSERT_TRUE(client.send_frame(op, payload, fin));
            op = Opcode::continuation;
        }
        auto close = client.receive();
        ASSERT_TRUE(close) << client.error();
        EXPECT_EQ(close->opcode, Opcode::close) << "echoed invalid UTF-8";
        EXPECT_EQ(close->close_code(), 1007);
    }
}

TEST_P(EchoServerTest, ClosesWith1002OnAnUnmaskedClientFrame) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_raw(client_frame(Opcode::text, "not masked", true, false)));
    auto close = client.receive();
    ASSERT_TRUE(close) << client.error();
    EXPECT_EQ(close->opcode, Opcode::close) << "echoed an unmasked frame";
    EXPECT_EQ(close->close_code(), 1002);
}

TEST_P(EchoServerTest, EchoesAMessageOfMaxMessageSizeAndClosesWith1009Above) {
    EchoServer server({"--max-message-size", "1KiB"});
    ASSERT_TRUE(server.address);
    {
        WsClient client;
        ASSERT_TRUE(client.connect(server.url())) << client.error();
        const std::string limit(1024, 'x');
        ASSERT_TRUE(client.send_text(limit));
        auto reply = client.receive();
        ASSERT_TRUE(reply) << client.error();
        EXPECT_EQ(reply->payload, limit);
        ASSERT_TRUE(client.send_binary(random_payload(1025, 2)));
        auto close = client.receive();
        ASSERT_TRUE(close) << client.error();
        EXPECT_EQ(close->opcode, Opcode::close);
        EXPECT_EQ(close->close_code(), 1009);
    }
    {
        SCOPED_TRACE("two fragments of 600 bytes");
        WsClient client;
        ASSERT_TRUE(client.connect(server.url())) << client.error();
        ASSERT_TRUE(client.send_frame(Opcode::text, std::string(600, 'y'), false));
        ASSERT_TRUE(client.send_frame(Opcode::continuation, std::string(600, 'y'), true));
        EXPECT_EQ(client.receive_close(), 1009);
    }
}

TEST_P(EchoServerTest, AnswersTheHandshakeBeyondMaxConnectionsWith503) {
    EchoServer server({"--max-connections", "2"});
    ASSERT_TRUE(server.address);
    WsClient first, second, third;
    ASSERT_TRUE(first.connect(server.url())) << first.error();
    ASSERT_TRUE(second.connect(server.url())) << second.error();
    EXPECT_FALSE(third.connect(server.url()));
    EXPECT_EQ(third.response().status, 503);

    // A closed connection frees its place.
    ASSERT_TRUE(first.send_close(1000));
    EXPECT_EQ(first.receive_close(), 1000);
    EXPECT_TRUE(first.wait_eof());
    int last_status = 0;
    EXPECT_TRUE(eventually([&] {
        WsClient again;
        if (again.connect(server.url())) return true;
        last_status = again.response().status;
        return false;
    })) << "still refused with "
        << last_status;
    // The other connection was unaffected throughout.
    ASSERT_TRUE(second.send_text("still here"));
    auto reply = second.receive();
    ASSERT_TRUE(reply) << second.error();
    EXPECT_EQ(reply->payload, "still here");
}

TEST_P(EchoServerTest, DropsAConnectionThatDoesNotFinishItsHandshakeInTime) {
    EchoServer server({"--handshake-timeout", "300ms"});
    ASSERT_TRUE(server.address);
    WsClient client;
    const auto start = Clock::now();
    ASSERT_TRUE(client.connect_raw(server.url(),
                                   "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"));
    EXPECT_TRUE(client.wait_eof(milliseconds(3000)));
    EXPECT_GE(since(start).count(), 250);
    // A client that completes its handshake is served as usual.
    WsClient prompt;
    ASSERT_TRUE(prompt.connect(server.url())) << prompt.error();
}

// --- Broadcast -----------------------------------------------------------------------------

TEST_P(EchoServerTest, BroadcastsEveryMessageToEveryClientIncludingTheSender) {
    EchoServer server({"--mode", "broadcast"});
    ASSERT_TRUE(server.address);
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        ASSERT_TRUE(clients.back()->connect(server.url())) << clients.back()->error();
    }
    // Each connection joins the broadcast once its open handler ran, just after its 101.
    ASSERT_TRUE(eventually([&] { return open_connections(server) == 3; }));
    for (std::size_t sender = 0; sender < clients.size(); ++sender) {
        const std::string text = "message " + std::to_string(sender);
        ASSERT_TRUE(clients[sender]->send_text(text));
        const std::string binary = random_payload(1000, static_cast<std::uint32_t>(sender));
        ASSERT_TRUE(clients[sender]->send_binary(binary));
        for (std::size_t i = 0; i < clients.size(); ++i) {
            auto m = clients[i]->receive();
            ASSERT_TRUE(m) << "client " << i << ": " << clients[i]->error();
            EXPECT_EQ(m->opcode, Opcode::text);
            EXPECT_EQ(m->payload, text) << "client " << i;
            m = clients[i]->receive();
            ASSERT_TRUE(m) << "client " << i << ": " << clients[i]->error();
            EXPECT_EQ(m->opcode, Opcode::binary);
            EXPECT_EQ(m->payload, binary) << "client " << i;
        }
    }
}

TEST_P(EchoServerTest, ClosesABroadcastClientThatStopsReadingWith1008AndServesTheOthers) {
    EchoServer server(
        {"--mode", "broadcast", "--max-send-queue", "64KiB", "--close-timeout", "5s"});
    ASSERT_TRUE(server.address);
    WsClient slow, fast;
    ASSERT_TRUE(slow.connect(server.url())) << slow.error();
    ASSERT_TRUE(fast.connect(server.url())) << fast.error();
    ASSERT_TRUE(eventually([&] { return open_connections(server) == 2; }));

    // `fast` reads each message back before sending the next; `slow` never reads, so the
    // kernel buffers towards it fill and then its queue in the server grows.
    const std::string needle = "peer=127.0.0.1:" + std::to_string(slow.local_port()) + " with 1008";
    const std::string chunk = random_payload(8 * kKiB, 3);
    const auto deadline = Clock::now() + milliseconds(15000);
    std::size_t sent = 0;
    bool policy_closed = false;
    for (int i = 1; !policy_closed && Clock::now() < deadline && sent < 512 * kMiB; ++i) {
        ASSERT_TRUE(fast.send_binary(chunk));
        sent += chunk.size();
        auto m = fast.receive();
        ASSERT_TRUE(m) << "the fast reader stalled after " << sent << " bytes: " << fast.error();
        ASSERT_EQ(m->opcode, Opcode::binary);
        ASSERT_EQ(m->payload, chunk);
        if (i % 64 == 0)
            policy_closed = server.process->stderr_text().find(needle) != std::string::npos;
    }
    ASSERT_TRUE(policy_closed) << "no 1008 after " << sent << " bytes; stderr:\n"
                               << server.process->stderr_text();

    ASSERT_TRUE(fast.send_text("still served"));
    auto m = fast.receive();
    ASSERT_TRUE(m) << fast.error();
    EXPECT_EQ(m->payload, "still served");
    // The close frame waits behind what was queued; reading it all reaches it.
    EXPECT_EQ(slow.receive_close(milliseconds(5000)), 1008) << slow.error();
    const auto stats = get_stats(server);
    ASSERT_FALSE(stats.is_discarded());
    EXPECT_EQ(stats["connections"]["closed_by_policy"], 1);
}

// --- Backpressure and scale ----------------------------------------------------------------

/// Where `got` departs from `want`, and the sequence number it carries, for failure messages.
std::string describe_difference(const std::string& want, const std::string& got) {
    std::uint32_t seq = ~0u;
    if (got.size() >= sizeof seq) std::memcpy(&seq, got.data(), sizeof seq);
    std::size_t same = 0;
    while (same < std::min(want.size(), got.size()) && want[same] == got[same]) ++same;
    return std::to_string(got.size()) + " bytes, sequence number " + std::to_string(seq) +
           ", first difference at byte " + std::to_string(same);
}

/// Writes `count` masked binary frames of `size` bytes (sequence number in the first 4) to a
/// socket without blocking, so a server that stops reading shows as writes that stall.
class FrameFlood {
  public:
    FrameFlood(int fd, std::size_t size, std::uint32_t count)
        : fd_(fd), base_(random_payload(size, 11)), count_(count) {}

    std::string payload(std::uint32_t seq) const {
        std::string p = base_;
        std::memcpy(p.data(), &seq, sizeof seq);
        return p;
    }
    std::size_t bytes_sent() const { return bytes_sent_.load(); }
    std::uint32_t frames_started() const { return next_; }
    bool done() const { return next_ == count_ && offset_ == frame_.size(); }

    /// Writes until every frame is sent (true), or no byte could be written for `stall`,
    /// or `deadline` passed, or `stop` was set (false).
    bool pump(milliseconds stall, Clock::time_point deadline, const std::atomic<bool>& stop) {
        auto last_progress = Clock::now();
        while (!done()) {
            if (offset_ == frame_.size()) {
                frame_ = client_frame(Opcode::binary, payload(next_++));
                offset_ = 0;
            }
            const ssize_t n = ::send(fd_, frame_.data() + offset_, frame_.size() - offset_,
                                     MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                offset_ += static_cast<std::size_t>(n);
                bytes_sent_ += static_cast<std::size_t>(n);
                last_progress = Clock::now();
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
            const auto now = Clock::now();
            if (now - last_progress >= stall || now >= deadline || stop.load()) return false;
            pollfd pfd{fd_, POLLOUT, 0};
            ::poll(&pfd, 1, 50);  // short slices so `stop` and the deadlines are seen
        }
        return true;
    }

  private:
    int fd_;
    std::string base_;
    std::uint32_t count_;
    std::uint32_t next_ = 0;
    std::string frame_;
    std::size_t offset_ = 0;
    std::atomic<std::size_t> bytes_sent_{0};  // read by the test while a thread pumps
};

TEST_P(EchoServerTest, StopsReadingWhileEchoRepliesPileUpAndResumesWhenTheyDrain) {
    // Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) and
    // counts in RSS; keep it small so the bound below measures the server, not ASan.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string saved = asan ? asan : "";
    setenv("ASAN_OPTIONS", (saved + (saved.empty() ? "" : ":") + "quarantine_size_mb=16").c_str(),
           1);
    // -v: websocketpp's own errors land in stderr, shown when a reply is missing.
    EchoServer server({"--high-water-mark", "1MiB", "-v"});
    if (asan) {
        setenv("ASAN_OPTIONS", saved.c_str(), 1);
    } else {
        unsetenv("ASAN_OPTIONS");
    }
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    constexpr std::size_t kSize = 64 * kKiB;
    constexpr std::uint32_t kCount = 3200;  // 200 MiB
    constexpr std::uint64_t kRssBoundKiB = 150 * 1024;
    FrameFlood flood(client.native_handle(), kSize, kCount);
    std::atomic<bool> stop{false};

    // Send without reading: the server must stop reading once ~1 MiB of replies wait, so
    // our writes stall when the kernel buffers between us are full.
    const bool all_sent = flood.pump(milliseconds(500), Clock::now() + milliseconds(20000), stop);
    ASSERT_FALSE(all_sent) << "the server read all 200 MiB while none of its replies was read";
    const auto rss = proc_status_kib(server.process->pid(), "VmRSS");
    const auto peak = proc_status_kib(server.process->pid(), "VmHWM");
    ASSERT_TRUE(rss && peak);
    EXPECT_LT(*peak, kRssBoundKiB) << "server RSS peaked at " << *peak << " KiB with "
                                   << flood.bytes_sent() / kMiB << " MiB sent and none read";
    RecordProperty("stalled_after_mib", static_cast<int>(flood.bytes_sent() / kMiB));
    RecordProperty("server_rss_kib_while_stalled", static_cast<int>(*rss));

    // Now read every reply while the rest goes out: the server must resume reading.
    std::thread writer(
        [&] { flood.pump(milliseconds(10000), Clock::now() + milliseconds(30000), stop); });
    std::uint32_t received = 0;
    for (; received < kCount; ++received) {
        auto reply = client.receive(milliseconds(10000));
        if (!reply) {
            ADD_FAILURE() << "reply " << received << " missing after " << flood.bytes_sent()
                          << " bytes sent: " << client.error() << "; stderr:\n"
                          << server.process->stderr_text();
            break;
        }
        if (reply->opcode != Opcode::binary || reply->payload != flood.payload(received)) {
            ADD_FAILURE() << "reply " << received << " differs: opcode "
                          << static_cast<int>(reply->opcode) << ", "
                          << describe_difference(flood.payload(received), reply->payload);
            break;
        }
    }
    stop = true;
    writer.join();
    EXPECT_EQ(received, kCount);
    EXPECT_TRUE(flood.done());
    const auto final_peak = proc_status_kib(server.process->pid(), "VmHWM");
    ASSERT_TRUE(final_peak);
    EXPECT_LT(*final_peak, kRssBoundKiB) << "server RSS peaked at " << *final_peak << " KiB";
    ASSERT_TRUE(client.send_close(1000));
    EXPECT_EQ(client.receive_close(), 1000);
}

TEST_P(EchoServerTest, EchoesOnTwoThousandConcurrentConnections) {
    constexpr std::size_t kConnections = 2000;
    // Each test client holds a socket and its io_context's descriptors (epoll, eventfd,
    // timerfd), so ask for generous room.
    const FdLimit fds = raise_fd_limit(kConnections * 4 + 256);
    if (!fds.enough) {
        GTEST_SKIP() << "open-file limit " << fds.soft << " (hard " << fds.hard
                     << ") is too low for " << kConnections << " connections";
    }
    EchoServer server;
    ASSERT_TRUE(server.address);
    std::vector<std::unique_ptr<WsClient>> clients;
    clients.reserve(kConnections);
    for (std::size_t i = 0; i < kConnections; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        ASSERT_TRUE(clients.back()->connect(server.url()))
            << "connection " << i << ": " << clients.back()->error();
    }
    ASSERT_TRUE(eventually([&] { return open_connections(server) == kConnections; }))
        << "open: " << open_connections(server);

    for (std::size_t i = 0; i < kConnections; ++i) {
        ASSERT_TRUE(clients[i]->send_text("message " + std::to_string(i))) << i;
    }
    for (std::size_t i = 0; i < kConnections; ++i) {
        auto reply = clients[i]->receive();
        ASSERT_TRUE(reply) << "connection " << i << ": " << clients[i]->error();
        ASSERT_EQ(reply->payload, "message " + std::to_string(i));
    }
    for (auto& c : clients) ASSERT_TRUE(c->send_close(1000));
    for (std::size_t i = 0; i < kConnections; ++i) {
        ASSERT_EQ(clients[i]->receive_close(), 1000)
            << "connection " << i << ": " << clients[i]->error();
    }
    nlohmann::json stats;
    ASSERT_TRUE(eventually([&] {
        stats = get_stats(server);
        return !stats.is_discarded() && stats["connections"]["open"] == 0;
    })) << stats.dump();
    EXPECT_EQ(stats["close_codes"]["1000"], kConnections);
    EXPECT_EQ(stats["in"]["text"]["messages"], kConnections);
    EXPECT_EQ(stats["out"]["text"]["messages"], kConnections);
}

// --- Observability -------------------------------------------------------------------------

TEST_P(EchoServerTest, ServesStatsJsonOnTheSamePort) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    std::uint64_t text_bytes = 0;
    std::uint64_t binary_bytes = 0;
    for (std::uint16_t code : {1000, 4001}) {
        WsClient client;
        ASSERT_TRUE(client.connect(server.url())) << client.error();
        for (std::size_t size : {10u, 200u, 70000u}) {
            ASSERT_TRUE(client.send_text(std::string(size, 't')));
            ASSERT_TRUE(client.receive()) << client.error();
            text_bytes += size;
        }
        for (std::size_t size : {0u, 1000u}) {
            ASSERT_TRUE(client.send_binary(random_payload(size, 5)));
            ASSERT_TRUE(client.receive()) << client.error();
            binary_bytes += size;
        }
        ASSERT_TRUE(client.send_close(code));
        EXPECT_EQ(client.receive_close(), code);
        EXPECT_TRUE(client.wait_eof());
    }

    const auto reply = http_get(server, "/stats");
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->head.status, 200);
    ASSERT_TRUE(reply->head.headers.find("Content-Type"));
    EXPECT_EQ(*reply->head.headers.find("Content-Type"), "application/json");
    ASSERT_FALSE(nlohmann::json::parse(reply->body, nullptr, false).is_discarded()) << reply->body;

    nlohmann::json stats;
    ASSERT_TRUE(eventually([&] {
        stats = get_stats(server);
        return !stats.is_discarded() && stats["connections"]["open"] == 0;
    })) << stats.dump();
    EXPECT_EQ(stats["engine"], g_engine);
    EXPECT_EQ(stats["mode"], "echo");
    EXPECT_GT(stats["uptime_s"].get<double>(), 0.0);
    EXPECT_GE(stats["connections"]["accepted"].get<std::uint64_t>(), 2u);
    EXPECT_EQ(stats["in"]["text"]["messages"], 6);
    EXPECT_EQ(stats["in"]["text"]["bytes"], text_bytes);
    EXPECT_EQ(stats["in"]["binary"]["messages"], 4);
    EXPECT_EQ(stats["in"]["binary"]["bytes"], binary_bytes);
    EXPECT_EQ(stats["in"]["messages"], 10);
    EXPECT_EQ(stats["in"]["bytes"], text_bytes + binary_bytes);
    EXPECT_EQ(stats["out"], stats["in"]);
    EXPECT_EQ(stats["close_codes"], (nlohmann::json{{"1000", 1}, {"4001", 1}}));
}

TEST_P(EchoServerTest, LogsEachConnectionWithPeerAndCloseCode) {
    EchoServer server({"--log-connections"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url("/chat"))) << client.error();
    const std::string peer = "peer=127.0.0.1:" + std::to_string(client.local_port());
    EXPECT_TRUE(server.process->wait_for_stderr(peer + " resource=/chat", milliseconds(3000)))
        << server.process->stderr_text();
    ASSERT_TRUE(client.send_close(4002));
    EXPECT_EQ(client.receive_close(), 4002);
    EXPECT_TRUE(server.process->wait_for_stderr(peer + " code=4002", milliseconds(3000)))
        << server.process->stderr_text();
    EXPECT_EQ(server.process->stdout_text(), "listening on " + server.url("") + "\n");
}

TEST_P(EchoServerTest, PrintsStatsToStderrEveryStatsInterval) {
    EchoServer server({"--stats-interval", "100ms"});
    ASSERT_TRUE(server.address);
    ASSERT_TRUE(server.process->wait_for_stderr("stats {", milliseconds(3000)))
        << server.process->stderr_text();
    const std::string err = server.process->stderr_text();
    const auto start = err.find("stats {") + std::strlen("stats ");
    const auto stats =
        nlohmann::json::parse(err.substr(start, err.find('\n', start) - start), nullptr, false);
    ASSERT_FALSE(stats.is_discarded()) << err;
    EXPECT_EQ(stats["connections"]["open"], 0);
    EXPECT_EQ(server.process->stdout_text(), "listening on " + server.url("") + "\n");
}

TEST_P(EchoServerTest, AcceptsPermessageDeflateOnlyWhenOffered) {
    ClientOptions options;
    options.extensions = {"permessage-deflate"};
    for (const bool offered : {false, true}) {
        SCOPED_TRACE(offered ? "--deflate" : "no --deflate");
        EchoServer server(offered ? std::vector<std::string>{"--deflate"}
                                  : std::vector<std::string>{});
        ASSERT_TRUE(server.address);
        WsClient client;
        ASSERT_TRUE(client.connect(server.url(), options)) << client.error();
        const auto accepted = client.response().headers.list("Sec-WebSocket-Extensions");
        EXPECT_EQ(accepted.size(), offered ? 1u : 0u);
        if (offered && !accepted.empty()) {
            EXPECT_EQ(accepted[0].rfind("permessage-deflate", 0), 0u) << accepted[0];
        }
    }
}

TEST_P(EchoServerTest, EchoesCompressedMessagesUnderPermessageDeflate) {
    EchoServer server({"--deflate"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ClientOptions options;
    options.extensions = {
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover"};
    ASSERT_TRUE(client.connect(server.url(), options)) << client.error();
    ASSERT_TRUE(client.deflate());
    const std::vector<std::string> texts{"hello", std::string(100000, 'a'),
                                         "你好世界 compressible text 你好世界"};
    for (const auto& text : texts) {
        ASSERT_TRUE(client.send_compressed(Opcode::text, text));
        const auto reply = client.receive();
        ASSERT_TRUE(reply) << client.error();
        EXPECT_EQ(reply->opcode, Opcode::text);
        EXPECT_EQ(reply->payload, text);
        EXPECT_TRUE(reply->compressed) << "the echo of a compressed message is compressed";
    }
    const std::string binary = random_payload(5000, 7);
    ASSERT_TRUE(client.send_compressed(Opcode::binary, binary));
    const auto reply = client.receive();
    ASSERT_TRUE(reply) << client.error();
    EXPECT_EQ(reply->payload, binary);
    // An uncompressed message on the same connection is echoed too.
    ASSERT_TRUE(client.send_text("plain"));
    const auto plain = client.receive();
    ASSERT_TRUE(plain) << client.error();
    EXPECT_EQ(plain->payload, "plain");
}

// --- Process contract ----------------------------------------------------------------------

TEST_P(EchoServerTest, ShutsDownOnSigtermClosingClientsWith1001) {
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

TEST_P(EchoServerTest, ShutsDownWithinTwoSecondsWhenClientsNeverAnswerTheClose) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    WsClient silent1, silent2;
    ASSERT_TRUE(silent1.connect(server.url())) << silent1.error();
    ASSERT_TRUE(silent2.connect(server.url())) << silent2.error();
    const auto start = Clock::now();
    server.process->signal(SIGTERM);
    EXPECT_EQ(silent1.receive_close(), 1001);
    EXPECT_EQ(silent2.receive_close(), 1001);
    EXPECT_EQ(server.process->wait(milliseconds(2000) - since(start)), 0)
        << server.process->stderr_text();
    EXPECT_TRUE(silent1.wait_eof(milliseconds(1000)));
}

TEST_P(EchoServerTest, ShutsDownAtOnceAfterServingPlainHttp) {
    EchoServer server;
    ASSERT_TRUE(server.address);
    // Requests without a WebSocket upgrade never open a connection: nothing to drain.
    const auto stats = http_get(server, "/stats");
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->head.status, 200);
    const auto other = http_get(server, "/");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->head.status, 426);
    server.process->signal(SIGTERM);
    EXPECT_EQ(server.process->wait(milliseconds(1000)), 0)
        << "still waiting for HTTP connections that ended; stderr:\n"
        << server.process->stderr_text();
}

struct BadFlagCase {
    const char* name;
    std::vector<std::string> args;
    std::string named;  // what the message must name
};

class EchoServerBadFlag : public ::testing::TestWithParam<BadFlagCase> {};

TEST_P(EchoServerBadFlag, ExitsWith2NamingTheFlag) {
    std::vector<std::string> argv{tool_path("wsbench-echo-server"), "--port", "0"};
    argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
    Process p(argv);
    EXPECT_FALSE(p.wait_for_line("listening on", milliseconds(5000)));
    EXPECT_EQ(p.wait(milliseconds(5000)), 2);
    EXPECT_NE(p.stderr_text().find(GetParam().named), std::string::npos) << p.stderr_text();
    EXPECT_EQ(p.stdout_text(), "");
}

INSTANTIATE_TEST_SUITE_P(
    Flags, EchoServerBadFlag,
    ::testing::Values(
        BadFlagCase{"SizeWithoutNumber", {"--max-message-size", "lots"}, "--max-message-size"},
        BadFlagCase{"ZeroMessageSize", {"--max-message-size", "0"}, "--max-message-size"},
        BadFlagCase{"ZeroConnections", {"--max-connections", "0"}, "--max-connections"},
        BadFlagCase{
            "DurationWithoutNumber", {"--handshake-timeout", "soon"}, "--handshake-timeout"},
        BadFlagCase{"NegativeDuration", {"--idle-timeout=-1s"}, "--idle-timeout"},
        BadFlagCase{"SendQueueWithoutNumber", {"--max-send-queue", "big"}, "--max-send-queue"},
        BadFlagCase{"UnknownMode", {"--mode", "mirror"}, "--mode"},
        BadFlagCase{"UnknownEngine", {"--engine", "turbo"}, "--engine"},
        BadFlagCase{"UnknownMisbehaviour", {"--misbehave", "rude"}, "--misbehave"},
        BadFlagCase{"FastEngineMisbehaviourOnWebsocketpp",
                    {"--engine", "websocketpp", "--misbehave", "no-utf8-check"},
                    "--misbehave"},
        BadFlagCase{"PortOutOfRange", {"--port", "70000"}, "--port"},
        BadFlagCase{"PortNotANumber", {"--port", "http"}, "--port"},
        BadFlagCase{"ThreadsNotANumber", {"--threads", "many"}, "--threads"},
        BadFlagCase{"CertificateWithoutKey", {"--tls-cert", "cert.pem"}, "--tls-key"},
        BadFlagCase{"UnreadableCertificate",
                    {"--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"},
                    "--tls-cert"},
        BadFlagCase{"ReusePortOfTheWebsocketppEngine", {"--reuse-port"}, "--reuse-port"},
        BadFlagCase{"ReusePortWithoutAPort", {"--engine", "fast", "--reuse-port"}, "--reuse-port"},
        BadFlagCase{"UnknownFlag", {"--frobnicate"}, "frobnicate"},
        BadFlagCase{"StrayArgument", {"stray"}, "stray"}),
    [](const ::testing::TestParamInfo<BadFlagCase>& p) { return p.param.name; });

TEST_P(EchoServerTest, ExitsWith3WhenThePortIsInUse) {
    EchoServer first;
    ASSERT_TRUE(first.address);
    const std::string port = std::to_string(first.address->port);
    // Both engines refuse a taken port, the fast one although its listeners share ports
    // among themselves with SO_REUSEPORT.
    for (const char* engine : {"websocketpp", "fast"}) {
        Process second({tool_path("wsbench-echo-server"), "--port", port, "--engine", engine});
        EXPECT_EQ(second.wait(milliseconds(5000)), 3) << engine;
        EXPECT_NE(second.stderr_text().find("cannot listen on 127.0.0.1:" + port),
                  std::string::npos)
            << second.stderr_text();
        EXPECT_FALSE(second.wait_for_line("listening on", milliseconds(100)));
    }
}

// Scale-out past one process's open-file limit: fast-engine processes share one port with
// --reuse-port, the kernel spreads connections over them, and one going away leaves the
// port served by the rest.
TEST(EchoServerReusePort, ProcessesShareOnePortAndEachServesItsShare) {
    g_engine = "fast";
    EchoServer first({"--threads", "1", "--log-connections"});
    ASSERT_TRUE(first.address);
    const std::string port = std::to_string(first.address->port);
    Process second({tool_path("wsbench-echo-server"), "--engine", "fast", "--threads", "1",
                    "--port", port, "--reuse-port", "--log-connections"});
    const auto second_address = wait_listening(second);
    ASSERT_TRUE(second_address) << second.stderr_text();
    EXPECT_EQ(second_address->port, first.address->port);

    // 64 connections: the chance that the kernel's hash puts all on one process is 2^-63.
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 64; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        ASSERT_TRUE(clients.back()->connect(first.url())) << clients.back()->error();
        ASSERT_TRUE(clients.back()->send_text("n" + std::to_string(i)));
        const auto reply = clients.back()->receive();
        ASSERT_TRUE(reply) << clients.back()->error();
        EXPECT_EQ(reply->payload, "n" + std::to_string(i));
    }
    for (Process* p : {first.process.get(), &second}) {
        EXPECT_TRUE(p->wait_for_stderr("open id=", milliseconds(3000))) << p->stderr_text();
    }

    // The first one leaves; new connections all reach the second.
    first.process->signal(SIGTERM);
    EXPECT_EQ(first.process->wait(milliseconds(3000)), 0) << first.process->stderr_text();
    for (int i = 0; i < 8; ++i) {
        WsClient client;
        ASSERT_TRUE(client.connect(first.url())) << client.error();
        ASSERT_TRUE(client.send_text("after"));
        const auto reply = client.receive();
        ASSERT_TRUE(reply) << client.error();
        EXPECT_EQ(reply->payload, "after");
    }
    second.signal(SIGTERM);
    EXPECT_EQ(second.wait(milliseconds(3000)), 0) << second.stderr_text();
}

TEST_P(EchoServerTest, MisbehaveNoPongAnswersNoPing) {
    EchoServer server({"--misbehave", "no-pong"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_frame(Opcode::ping, "anyone?"));
    ASSERT_TRUE(client.send_text("after the ping"));
    // A pong would have been queued before this echo.
    auto first = client.receive();
    ASSERT_TRUE(first) << client.error();
    EXPECT_EQ(first->opcode, Opcode::text);
    EXPECT_EQ(first->payload, "after the ping");
}

// --- TLS -----------------------------------------------------------------------------------

TEST_P(EchoServerTest, EchoesOverTlsAndAnnouncesWss) {
    ScratchDir dir;
    const std::string cert = dir.path() + "/cert.pem";
    const std::string key = dir.path() + "/key.pem";
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    EchoServer server({"--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(server.address);
    EXPECT_EQ(server.address->scheme, "wss");
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    for (std::size_t size : {0u, 125u, 126u, 65536u, 1u << 20}) {
        const std::string text(size, 'w');
        ASSERT_TRUE(client.send_text(text));
        auto reply = client.receive();
        ASSERT_TRUE(reply) << size << ": " << client.error();
        EXPECT_EQ(reply->opcode, Opcode::text);
        EXPECT_EQ(reply->payload, text);
        const std::string binary = random_payload(size, 9);
        ASSERT_TRUE(client.send_binary(binary));
        reply = client.receive();
        ASSERT_TRUE(reply) << size << ": " << client.error();
        EXPECT_EQ(reply->opcode, Opcode::binary);
        EXPECT_EQ(reply->payload, binary);
    }
    ASSERT_TRUE(client.send_close(1000));
    EXPECT_EQ(client.receive_close(), 1000);
    EXPECT_TRUE(client.wait_eof());
}

TEST_P(EchoServerTest, RefusesAKeyThatDoesNotMatchTheCertificate) {
    ScratchDir dir;
    const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
    const std::string other_cert = dir.path() + "/other.pem";
    const std::string other_key = dir.path() + "/other-key.pem";
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    ASSERT_TRUE(write_self_signed_cert(other_cert, other_key, error)) << error;
    Process p({tool_path("wsbench-echo-server"), "--port", "0", "--engine", g_engine, "--tls-cert",
               cert, "--tls-key", other_key});
    const std::optional<int> code = p.wait(milliseconds(10000));
    ASSERT_TRUE(code) << "the server started with a mismatched key";
    EXPECT_EQ(*code, 2) << "a key that does not fit the certificate is a usage error";
    EXPECT_NE(p.stderr_text().find("--tls-key " + other_key + " does not match --tls-cert " + cert),
              std::string::npos)
        << p.stderr_text();
    EXPECT_EQ(p.stdout_text().find("listening on"), std::string::npos);
}

/// A TLS handshake over a fresh loopback connection with the protocol pinned to `version`;
/// true when the server completes it.
bool tls_handshake_with(unsigned short port, int version) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                          &SSL_CTX_free);
    // Let this client offer the old protocol at all: the refusal must come from the server.
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_cipher_list(ctx.get(), "ALL:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(ctx.get(), version);
    SSL_CTX_set_max_proto_version(ctx.get(), version);
    const int fd = tcp_connect_loopback(port);
    if (fd < 0) return false;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
    SSL_set_fd(ssl.get(), fd);
    const bool ok = SSL_connect(ssl.get()) == 1;
    ::close(fd);
    return ok;
}

TEST_P(EchoServerTest, RefusesTls11AndAcceptsTls12And13) {
    ScratchDir dir;
    const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    EchoServer server({"--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(server.address);
    EXPECT_FALSE(tls_handshake_with(server.address->port, TLS1_1_VERSION));
    EXPECT_FALSE(tls_handshake_with(server.address->port, TLS1_VERSION));
    EXPECT_TRUE(tls_handshake_with(server.address->port, TLS1_2_VERSION));
    EXPECT_TRUE(tls_handshake_with(server.address->port, TLS1_3_VERSION));
}

// --- Misbehaviours of the fast engine (for the conformance runner's own tests) -------------

/// A masked client frame with the reserved bits `rsv` (bit 0 = RSV1) set.
std::string frame_with_rsv(Opcode op, const std::string& payload, unsigned rsv) {
    FrameHeader h;
    h.opcode = op;
    h.masked = true;
    h.mask_key = {0x0f, 0x1e, 0x2d, 0x3c};
    h.rsv1 = rsv & 1;
    h.rsv2 = rsv & 2;
    h.rsv3 = rsv & 4;
    std::string out(kMaxFrameHeaderSize + payload.size(), '\0');
    out.resize(encode_frame(h, payload.data(), payload.size(),
                            reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
    return out;
}

class FastEngineMisbehaviour : public ::testing::Test {
  protected:
    void SetUp() override { g_engine = "fast"; }
};

TEST_F(FastEngineMisbehaviour, NoUtf8CheckEchoesInvalidText) {
    const std::string invalid = "ok \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80 bad";
    {
        EchoServer honest({"--engine", "fast"});
        ASSERT_TRUE(honest.address);
        WsClient client;
        ASSERT_TRUE(client.connect(honest.url())) << client.error();
        ASSERT_TRUE(client.send_text(invalid));
        EXPECT_EQ(client.receive_close(), 1007);
    }
    EchoServer server({"--misbehave", "no-utf8-check"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_text(invalid));
    auto reply = client.receive();
    ASSERT_TRUE(reply) << client.error();
    EXPECT_EQ(reply->payload, invalid);
    // Only UTF-8 is unchecked: an unmasked frame still fails the connection.
    ASSERT_TRUE(client.send_raw(client_frame(Opcode::text, "x", true, false)));
    EXPECT_EQ(client.receive_close(), 1002);
}

TEST_F(FastEngineMisbehaviour, IgnoreRsvEchoesFramesWithReservedBits) {
    EchoServer server({"--misbehave", "ignore-rsv"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_raw(frame_with_rsv(Opcode::text, "rsv2", 2)));
    ASSERT_TRUE(client.send_raw(frame_with_rsv(Opcode::ping, "rsv7", 7)));
    ASSERT_TRUE(client.send_raw(frame_with_rsv(Opcode::binary, "rsv1", 1)));
    auto m = client.receive();
    ASSERT_TRUE(m) << client.error();
    EXPECT_EQ(m->payload, "rsv2");
    m = client.receive();
    ASSERT_TRUE(m) << client.error();
    EXPECT_EQ(m->opcode, Opcode::pong);
    EXPECT_EQ(m->payload, "rsv7");
    m = client.receive();
    ASSERT_TRUE(m) << client.error();
    EXPECT_EQ(m->payload, "rsv1");
    // Only reserved bits are ignored: a reserved opcode still fails the connection.
    ASSERT_TRUE(client.send_raw(frame_with_rsv(static_cast<Opcode>(3), "", 0)));
    EXPECT_EQ(client.receive_close(), 1002);
}

TEST_F(FastEngineMisbehaviour, NoCloseReplyLeavesTheClientsCloseUnanswered) {
    EchoServer server({"--misbehave", "no-close-reply"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_text("before"));
    auto m = client.receive();
    ASSERT_TRUE(m) << client.error();
    ASSERT_TRUE(client.send_close(1000));
    EXPECT_FALSE(client.receive_close(milliseconds(500))) << "the server answered the close";
    EXPECT_FALSE(client.eof()) << "the server dropped TCP instead of lingering";
}

TEST_F(FastEngineMisbehaviour, WrongCloseCodeAnswersWith1002) {
    EchoServer server({"--misbehave", "wrong-close-code"});
    ASSERT_TRUE(server.address);
    WsClient client;
    ASSERT_TRUE(client.connect(server.url())) << client.error();
    ASSERT_TRUE(client.send_close(1000));
    EXPECT_EQ(client.receive_close(), 1002);
    EXPECT_TRUE(client.wait_eof());
}

INSTANTIATE_TEST_SUITE_P(Engines, EchoServerTest, ::testing::Values("websocketpp", "fast"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param);
                         });

}  // namespace
}  // namespace wsb::test
