// wsbench-echo-server --mode broadcast with clients that stop reading (issue 20), on both
// engines: each reader gets every message in order, or a clean prefix of the stream and
// then a 1008 close once its unsent bytes pass --max-send-queue (or TCP dropped when it
// cannot even take the close); never a silent loss. /stats and the log count what was lost.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eventually.hpp"
#include "process.hpp"
#include "sanitizer.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"
#include "wsbench/close.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;
constexpr std::size_t kMessage = 4 * kKiB;  // the message size

class BroadcastTest : public ::testing::TestWithParam<const char*> {};

/// The server in broadcast mode with `args`, listening.
struct Server : ToolProcess {
    Server(const char* engine, const std::vector<std::string>& args)
        : ToolProcess({"wsbench-echo-server", "--port", "0", "--threads", "2", "--engine", engine,
                       "--mode", "broadcast", "--log-connections"},
                      args) {
        wait_listening();
    }
};

nlohmann::json get_stats(const Server& server) {
    WsClient c;
    if (!c.connect_raw(server.url(), "GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        return nlohmann::json::value_t::discarded;
    const auto head = c.read_http_response();
    if (!head || head->status != 200) return nlohmann::json::value_t::discarded;
    const auto body = c.read_http_body(*head);
    return body ? nlohmann::json::parse(*body, nullptr, false)
                : nlohmann::json(nlohmann::json::value_t::discarded);
}

std::uint64_t stat(const Server& server, const char* group, const char* key) {
    const auto doc = get_stats(server);
    return doc.is_discarded() ? ~0ull : doc[group][key].get<std::uint64_t>();
}

/// A message carrying its sequence number in its first four bytes.
std::string numbered(std::uint32_t seq) {
    std::string p(kMessage, 'm');
    std::memcpy(p.data(), &seq, sizeof seq);
    return p;
}

/// A client that completes the handshake with a 4 KiB receive buffer and then reads only when
/// told to, parsing what arrives the way any client would.
class SlowReader {
  public:
    explicit SlowReader(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int small = 4 * kKiB;  // before connect(), so the window starts small
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
        ClientRequest req;
        req.host = "127.0.0.1";
        req.port = port;
        req.key = make_client_key({9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6});
        const std::string head = build_client_request(req);
        if (::send(fd_, head.data(), head.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(head.size()))
            return;
        std::string got;
        char ch;
        while (got.find("\r\n\r\n") == std::string::npos && ::recv(fd_, &ch, 1, 0) == 1) got += ch;
        open_ = got.rfind("HTTP/1.1 101", 0) == 0;
        ParserOptions po;
        po.role = Role::client;
        parser_ = FrameParser(po);
    }
    ~SlowReader() {
        if (fd_ >= 0) ::close(fd_);
    }
    SlowReader(const SlowReader&) = delete;
    SlowReader& operator=(const SlowReader&) = delete;

    bool open() const { return open_; }
    unsigned short port() const {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        return ntohs(a.sin_port);
    }

    /// Reads until the server's close frame, the end of the stream, `count` messages or the
    /// deadline; true unless the deadline passed.
    bool read(Clock::time_point deadline, std::size_t count = ~std::size_t{0}) {
        std::vector<std::uint8_t> buf(64 * kKiB);
        while (close_code == 0 && ended.empty() && seqs.size() < count) {
            pollfd pfd{fd_, POLLIN, 0};
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return false;
            if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
            const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n == 0) ended = "EOF";
            if (n < 0 && errno != EINTR) ended = std::strerror(errno);
            if (n > 0) parse(buf.data(), static_cast<std::size_t>(n));
        }
        return true;
    }

    void answer_close() {
        const std::string frame("\x88\x82\0\0\0\0\x03\xf0", 8);  // masked, key 0: 1008
        ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
    }

    /// The sequence numbers of the whole messages read, in order of arrival.
    std::vector<std::uint32_t> seqs;
    std::size_t bad_sizes = 0;  // messages of another size than kMessage
    std::uint16_t close_code = 0;
    std::string ended;  // "EOF" or the error that ended the stream
    bool cut = false;   // the stream ended inside a frame

  private:
    void parse(std::uint8_t* data, std::size_t n) {
        FrameEvent ev;
        for (std::size_t pos = 0; pos < n;) {
            pos += parser_.parse(data + pos, n - pos, ev);
            if (ev.kind != FrameEvent::Kind::payload) break;
            piece_.append(reinterpret_cast<const char*>(ev.data), ev.size);
            if (!ev.frame_end) continue;
            if (ev.header.opcode == Opcode::close) {
                ClosePayload cp;
                parse_close_payload(reinterpret_cast<const std::uint8_t*>(piece_.data()),
                                    piece_.size(), cp);
                close_code = cp.has_code ? cp.code : 1005;
            } else if (!ev.is_control()) {
                std::uint32_t seq = ~0u;
                if (piece_.size() >= sizeof seq) std::memcpy(&seq, piece_.data(), sizeof seq);
                seqs.push_back(seq);
                if (piece_.size() != kMessage) ++bad_sizes;
            }
            piece_.clear();
        }
        cut = !piece_.empty() || !parser_.at_frame_boundary();
    }

    int fd_ = -1;
    bool open_ = false;
    FrameParser parser_;
    std::string piece_;
};

/// True when `seqs` is 0, 1, 2, ... (a clean prefix of the publisher's stream).
bool in_order_from_zero(const std::vector<std::uint32_t>& seqs) {
    for (std::size_t i = 0; i < seqs.size(); ++i)
        if (seqs[i] != i) return false;
    return true;
}

/// Publishes `count` numbered messages, each sent once the publisher read its own copy back
/// (so a publisher held up by another client's slowness would show here); false on a stall.
::testing::AssertionResult publish(WsClient& publisher, std::uint32_t first, std::uint32_t count) {
    for (std::uint32_t seq = first; seq < first + count; ++seq) {
        if (!publisher.send_binary(numbered(seq)))
            return ::testing::AssertionFailure() << "send " << seq << ": " << publisher.error();
        const auto m = publisher.receive(milliseconds(5000));
        if (!m) return ::testing::AssertionFailure() << "no copy of " << seq << " came back";
        if (m->payload != numbered(seq))
            return ::testing::AssertionFailure() << "copy of " << seq << " differs";
    }
    return ::testing::AssertionSuccess();
}

std::string close_line_of(const Server& server, unsigned short port) {
    const std::string err = server.process->stderr_text();
    const std::string peer = "peer=127.0.0.1:" + std::to_string(port) + " code=";
    const auto at = err.find(peer);
    if (at == std::string::npos) return "";
    const auto start = err.rfind('\n', at) + 1;
    return err.substr(start, err.find('\n', at) - start);
}

// The scenario: default limits (--max-send-queue 32MiB), one reader stalled after
// its handshake, 20,000 messages of 4 KiB (80 MB) published while the publisher drains its
// own copies; then the reader reads. Its close timeout is raised so that the test sees the
// close frame however slowly this machine publishes.
TEST_P(BroadcastTest, AStalledReaderGetsACleanPrefixThenA1008CloseAndTheLossIsCounted) {
    Server server(GetParam(), {"--close-timeout", "20s"});
    ASSERT_TRUE(server.address);
    SlowReader stalled(server.address->port);
    ASSERT_TRUE(stalled.open());
    WsClient publisher;
    ASSERT_TRUE(publisher.connect(server.url())) << publisher.error();
    ASSERT_TRUE(eventually([&] { return stat(server, "connections", "open") == 2; }));

    const std::uint32_t kCount = under_sanitizer() ? 12000 : 20000;
    ASSERT_TRUE(publish(publisher, 0, kCount));
    // The reader's worker thread may still be handing out the last messages: wait for it.
    ASSERT_TRUE(eventually([&] { return stat(server, "send_queue_full", "closed") == 1; }))
        << "80 MB cannot fit in 32 MiB and the kernel's buffers";

    ASSERT_TRUE(stalled.read(Clock::now() + milliseconds(15000)));
    EXPECT_EQ(stalled.close_code, 1008) << "ended: " << stalled.ended;
    EXPECT_FALSE(stalled.cut);
    EXPECT_EQ(stalled.bad_sizes, 0u);
    EXPECT_TRUE(in_order_from_zero(stalled.seqs)) << "a clean prefix of the stream";
    ASSERT_GT(stalled.seqs.size(), 0u);
    EXPECT_LT(stalled.seqs.size(), kCount);
    stalled.answer_close();

    // The log names the cause and what was lost; /stats counts it.
    ASSERT_TRUE(eventually([&] { return !close_line_of(server, stalled.port()).empty(); }));
    const std::string line = close_line_of(server, stalled.port());
    EXPECT_NE(line.find("code=1008"), std::string::npos) << line;
    EXPECT_NE(line.find("cause=send_queue_full"), std::string::npos) << line;
    const auto stats = get_stats(server);
    const auto lost = stats["send_queue_full"]["undelivered"];
    EXPECT_GT(lost["messages"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(lost["bytes"].get<std::uint64_t>(), lost["messages"].get<std::uint64_t>() * kMessage);
    // Dropped messages follow the delivered prefix: together no more than were published.
    EXPECT_LE(stalled.seqs.size() + lost["messages"].get<std::uint64_t>(), kCount);
    EXPECT_NE(line.find("undelivered_messages=" + lost["messages"].dump() + " "), std::string::npos)
        << line;
    EXPECT_EQ(stats["connections"]["closed_by_policy"], 1);
}

TEST_P(BroadcastTest, AReaderThatResumesJustBelowTheLimitGetsEveryMessageInOrder) {
    // 16 MiB: far more than the kernel's buffers absorb, so the server's queue holds most.
    Server server(GetParam(), {"--max-send-queue", "16MiB"});
    ASSERT_TRUE(server.address);
    SlowReader reader(server.address->port);
    ASSERT_TRUE(reader.open());
    WsClient publisher;
    ASSERT_TRUE(publisher.connect(server.url())) << publisher.error();
    ASSERT_TRUE(eventually([&] { return stat(server, "connections", "open") == 2; }));

    // Frames of 4 KiB + 4 header bytes: 4091 of them stay below 16 MiB, whichever engine
    // counts headers or not.
    const std::uint32_t kCount = 16 * kMiB / (kMessage + 4) - 1;
    ASSERT_TRUE(publish(publisher, 0, kCount));
    ASSERT_TRUE(reader.read(Clock::now() + milliseconds(15000), kCount));
    EXPECT_EQ(reader.seqs.size(), kCount)
        << "ended: " << reader.ended << " close " << reader.close_code;
    EXPECT_TRUE(in_order_from_zero(reader.seqs));
    EXPECT_EQ(reader.bad_sizes, 0u);
    EXPECT_EQ(reader.close_code, 0);
    // Still served after the backlog: the next message arrives too.
    ASSERT_TRUE(publish(publisher, kCount, 1));
    ASSERT_TRUE(reader.read(Clock::now() + milliseconds(5000), kCount + 1));
    EXPECT_EQ(reader.seqs.back(), kCount);
    EXPECT_EQ(get_stats(server)["send_queue_full"]["closed"], 0);
}

TEST_P(BroadcastTest, AReaderStalledPastTheCloseTimeoutIsDroppedNotLeftHanging) {
    Server server(GetParam(), {"--max-send-queue", "1MiB", "--close-timeout", "300ms"});
    ASSERT_TRUE(server.address);
    SlowReader stalled(server.address->port);
    ASSERT_TRUE(stalled.open());
    WsClient publisher;
    ASSERT_TRUE(publisher.connect(server.url())) << publisher.error();
    ASSERT_TRUE(eventually([&] { return stat(server, "connections", "open") == 2; }));

    // Publish until the server closes it, then until its close timeout dropped TCP.
    std::uint32_t seq = 0;
    const auto deadline = Clock::now() + milliseconds(10000);
    while (stat(server, "connections", "open") == 2 && Clock::now() < deadline) {
        ASSERT_TRUE(publish(publisher, seq, 256));
        seq += 256;
    }
    ASSERT_EQ(stat(server, "connections", "open"), 1u) << "not dropped after " << seq;
    ASSERT_TRUE(eventually([&] { return !close_line_of(server, stalled.port()).empty(); }));
    const std::string line = close_line_of(server, stalled.port());
    EXPECT_NE(line.find("cause=send_queue_full"), std::string::npos) << line;

    // The reader learns at once: what it had, then the end of the stream (reset or EOF).
    ASSERT_TRUE(stalled.read(Clock::now() + milliseconds(5000)));
    EXPECT_FALSE(stalled.ended.empty());
    EXPECT_TRUE(in_order_from_zero(stalled.seqs));
    EXPECT_GT(get_stats(server)["send_queue_full"]["undelivered"]["messages"], 0);
}

TEST_P(BroadcastTest, ManySlowReadersKeepMemoryUnderTheirQueueLimits) {
    // ASan keeps freed memory in quarantine (256 MiB by default): cap it for this server.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string saved = asan ? asan : "";
    setenv("ASAN_OPTIONS", (saved + (saved.empty() ? "" : ":") + "quarantine_size_mb=8").c_str(),
           1);
    Server server(GetParam(), {"--max-send-queue", "2MiB", "--close-timeout", "20s"});
    if (asan) {
        setenv("ASAN_OPTIONS", saved.c_str(), 1);
    } else {
        unsetenv("ASAN_OPTIONS");
    }
    ASSERT_TRUE(server.address);
    const int kReaders = 8;
    std::vector<std::unique_ptr<SlowReader>> readers;
    for (int i = 0; i < kReaders; ++i) {
        readers.push_back(std::make_unique<SlowReader>(server.address->port));
        ASSERT_TRUE(readers.back()->open());
    }
    WsClient publisher;
    ASSERT_TRUE(publisher.connect(server.url())) << publisher.error();
    ASSERT_TRUE(eventually([&] { return stat(server, "connections", "open") == kReaders + 1; }));
    const auto base = proc_status_kib(server.process->pid(), "VmRSS");
    ASSERT_TRUE(base);

    // 32 MB to each: every reader passes its 2 MiB plus what the kernel holds for it.
    const std::uint32_t kCount = 8000;
    ASSERT_TRUE(publish(publisher, 0, kCount)) << "the publisher must not wait for them";
    EXPECT_TRUE(eventually([&] { return stat(server, "send_queue_full", "closed") == kReaders; }));
    const auto peak = proc_status_kib(server.process->pid(), "VmHWM");
    ASSERT_TRUE(peak);
    // connections x --max-send-queue, and 16 MiB for the allocator and the frames in flight
    // (AddressSanitizer adds its shadow, an eighth, its redzones and its quarantine: 32 MiB).
    const bool sanitized = under_sanitizer();
    const std::uint64_t queues = kReaders * 2 * kMiB * (sanitized ? 9 : 8) / 8;
    const std::uint64_t bound_kib = (queues + (sanitized ? 32 : 16) * kMiB) / kKiB;
    // ThreadSanitizer's shadow memory is several times what the program uses: no bound then.
    if (!under_thread_sanitizer()) {
        EXPECT_LE(*peak - *base, bound_kib) << "peak " << *peak << " KiB, base " << *base << " KiB";
    }
    for (auto& r : readers) {
        ASSERT_TRUE(r->read(Clock::now() + milliseconds(5000)));
        EXPECT_EQ(r->close_code, 1008) << r->ended;
        EXPECT_TRUE(in_order_from_zero(r->seqs));
        EXPECT_FALSE(r->cut);
    }
}

INSTANTIATE_TEST_SUITE_P(Engines, BroadcastTest, ::testing::Values("websocketpp", "fast"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param);
                         });

}  // namespace
}  // namespace wsb::test
