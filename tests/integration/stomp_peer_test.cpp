// Our STOMP 1.2 codec against a real broker: RabbitMQ's web-stomp plugin, started as a private
// node by tests/peers/stomp_broker.sh (Debian's rabbitmq-server, from scripts/setup.sh). CONNECT
// with heart-beat negotiation and heart-beats both ways, SUBSCRIBE and SEND with receipts, the
// MESSAGE delivered, and ERROR frames for a malformed frame and for a wrong passcode.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"
#include "ws_client.hpp"
#include "wsbench/proto/stomp.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
namespace stomp = wsb::stomp;
using Clock = std::chrono::steady_clock;

/// A decoded frame copied out of the decoder.
struct Frame {
    stomp::Command command = stomp::Command::unknown;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string header(const std::string& name) const {
        for (const auto& [n, v] : headers) {
            if (n == name) return v;
        }
        return {};
    }
};

/// A STOMP session over WsClient, decoded by our codec.
class Session {
  public:
    bool connect(const std::string& url) {
        ClientOptions options;
        options.subprotocols = {std::string(stomp::kSubprotocol)};
        if (!ws_.connect(url, options)) return false;
        return true;
    }
    WsClient& ws() { return ws_; }

    bool send(std::string_view command, std::initializer_list<stomp::Header> headers,
              std::string_view body = {}) {
        out_.clear();
        stomp::encode_frame(out_, command, headers, body);
        return ws_.send_text(out_);
    }

    /// The next frame; heart-beats are counted and skipped. nullopt at the deadline, when the
    /// connection ends, or on a decoding error (ADD_FAILURE).
    std::optional<Frame> next(std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            stomp::Frame f;
            const auto ev = decoder_.next(f);
            if (ev == stomp::Decoder::Event::heartbeat) {
                ++heartbeats_;
                continue;
            }
            if (ev == stomp::Decoder::Event::error) {
                ADD_FAILURE() << decoder_.error_text();
                return std::nullopt;
            }
            if (ev == stomp::Decoder::Event::frame) {
                Frame c;
                c.command = f.command;
                for (std::size_t i = 0; i < f.header_count; ++i) {
                    c.headers.emplace_back(f.headers[i].name, f.headers[i].value);
                }
                c.body = std::string(f.body);
                return c;
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left <= 0ms) {
                why_ = "no frame within " + std::to_string(timeout.count()) + " ms";
                return std::nullopt;
            }
            auto m = ws_.receive(left);
            if (!m || m->opcode == Opcode::close) {
                why_ = m ? "closed by the broker: " + std::to_string(m->close_code()) + " '" +
                               m->close_reason() + "'"
                         : "connection ended: " + ws_.error();
                return std::nullopt;
            }
            if (m->opcode != Opcode::text && m->opcode != Opcode::binary) continue;
            message_ = std::move(m->payload);  // kept alive until the next feed
            decoder_.feed(message_);
        }
    }
    int heartbeats() const { return heartbeats_; }
    /// Why next() returned nothing.
    const std::string& why() const { return why_; }

  private:
    WsClient ws_;
    stomp::Decoder decoder_;
    std::string message_;
    std::string out_;
    std::string why_;
    int heartbeats_ = 0;
};

class StompPeer : public ::testing::Test {
  protected:
    // One broker for the whole binary (it takes seconds to boot).
    static void SetUpTestSuite() {
        if (access("/usr/lib/rabbitmq/bin/rabbitmq-server", X_OK) != 0) return;
        broker_ = new Process({std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/stomp_broker.sh"},
                              Process::Stdin::pipe);
        const auto t0 = Clock::now();
        address_ = new std::optional<ServerAddress>(wait_listening(*broker_, 90s));
        std::cerr
            << "RabbitMQ web-stomp ready in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()
            << " ms\n";
    }
    static void TearDownTestSuite() {
        if (broker_ != nullptr) {
            broker_->close_stdin();  // the script stops RabbitMQ and everything it started
            EXPECT_EQ(broker_->wait(30s), 0) << broker_->stderr_text();
        }
        delete broker_;
        delete address_;
        broker_ = nullptr;
        address_ = nullptr;
    }
    void SetUp() override {
        // A missing broker fails the test loudly: scripts/setup.sh installs it.
        ASSERT_NE(broker_, nullptr) << "Debian's rabbitmq-server is not installed "
                                       "(/usr/lib/rabbitmq/bin/rabbitmq-server missing); run "
                                       "scripts/setup.sh";
        ASSERT_TRUE(address_ != nullptr && address_->has_value())
            << "tests/peers/stomp_broker.sh did not start RabbitMQ:\n"
            << broker_->stderr_text();
    }
    std::string url() const { return (*address_)->url("/ws"); }

    /// CONNECT as guest, asking for heart-beats every `ms` both ways; returns CONNECTED.
    static std::optional<Frame> login(Session& s, const std::string& passcode, int ms = 0) {
        const std::string hb = std::to_string(ms) + "," + std::to_string(ms);
        EXPECT_TRUE(s.send("CONNECT", {{"accept-version", "1.2"},
                                       {"host", "/"},
                                       {"login", "guest"},
                                       {"passcode", passcode},
                                       {"heart-beat", hb}}));
        return s.next();
    }

    static Process* broker_;
    static std::optional<ServerAddress>* address_;
};

Process* StompPeer::broker_ = nullptr;
std::optional<ServerAddress>* StompPeer::address_ = nullptr;

/// Sends `body` to `queue` with a receipt; expects the RECEIPT and the MESSAGE (in any order).
void send_and_receive(Session& s, const std::string& queue, const std::string& body,
                      const std::string& receipt) {
    ASSERT_TRUE(s.send("SEND",
                       {{"destination", queue},
                        {"content-type", "text/plain"},
                        {"x-note", "a:b\\c"},
                        {"receipt", receipt}},
                       body));
    std::optional<Frame> message;
    bool receipted = false;
    while (!message || !receipted) {
        auto f = s.next();
        ASSERT_TRUE(f) << "no RECEIPT and MESSAGE: " << s.why();
        if (f->command == stomp::Command::receipt) {
            EXPECT_EQ(f->header("receipt-id"), receipt);
            receipted = true;
        } else {
            ASSERT_EQ(f->command, stomp::Command::message) << f->header("message");
            message = f;
        }
    }
    EXPECT_EQ(message->body, body);
    EXPECT_EQ(message->header("destination"), queue);
    EXPECT_EQ(message->header("subscription"), "sub-0");
    EXPECT_EQ(message->header("x-note"), "a:b\\c") << "escaped both ways";
    EXPECT_FALSE(message->header("message-id").empty());
}

TEST_F(StompPeer, ConnectSubscribeSendWithReceiptsAndHeartBeats) {
    Session s;
    ASSERT_TRUE(s.connect(url())) << s.ws().error();
    const auto connected = login(s, "guest", 1000);
    ASSERT_TRUE(connected) << s.why();
    ASSERT_EQ(connected->command, stomp::Command::connected) << connected->header("message");
    EXPECT_EQ(connected->header("version"), "1.2");
    stomp::HeartBeat hb;
    ASSERT_TRUE(stomp::negotiate_heart_beat(1000, 1000, connected->header("heart-beat"), hb))
        << connected->header("heart-beat");
    EXPECT_EQ(hb.send_ms, 1000u) << connected->header("heart-beat");
    EXPECT_EQ(hb.receive_ms, 1000u) << connected->header("heart-beat");

    const std::string queue = "/queue/wsbench-" + std::to_string(getpid());
    ASSERT_TRUE(
        s.send("SUBSCRIBE", {{"id", "sub-0"}, {"destination", queue}, {"receipt", "r-sub"}}));
    const auto receipt = s.next();
    ASSERT_TRUE(receipt) << s.why();
    ASSERT_EQ(receipt->command, stomp::Command::receipt) << receipt->header("message");
    EXPECT_EQ(receipt->header("receipt-id"), "r-sub");

    // A body with a NUL travels by content-length.
    send_and_receive(s, queue, "hello\0queue"s, "r-send-1");

    // Idle for 3.5 heart-beat intervals: we send ours at the negotiated rate, the broker's
    // arrive (EOLs, no frames), and the session lives on.
    const auto idle_until = Clock::now() + 3500ms;
    const int before = s.heartbeats();
    while (Clock::now() < idle_until) {
        std::string beat;
        stomp::encode_heartbeat(beat);
        ASSERT_TRUE(s.ws().send_text(beat));
        EXPECT_FALSE(s.next(std::chrono::milliseconds(hb.send_ms / 2))) << "no frame while idle";
    }
    EXPECT_GE(s.heartbeats() - before, 2) << "the broker's heart-beats";
    send_and_receive(s, queue, "after the idle time", "r-send-2");

    // RabbitMQ answers DISCONNECT by closing (without the RECEIPT asked for).
    ASSERT_TRUE(s.send("DISCONNECT", {{"receipt", "r-bye"}}));
    EXPECT_FALSE(s.next());
    EXPECT_NE(s.why().find("closed by the broker: 1000"), std::string::npos) << s.why();
}

TEST_F(StompPeer, BadFramesAndAWrongPasscodeGetErrorFrames) {
    {
        Session s;
        ASSERT_TRUE(s.connect(url())) << s.ws().error();
        const auto refused = login(s, "wrong");
        ASSERT_TRUE(refused) << s.why();
        EXPECT_EQ(refused->command, stomp::Command::error);
        EXPECT_EQ(refused->header("message"), "Bad CONNECT");
    }
    // A SEND without a destination, and a command STOMP does not have.
    for (const std::string& bad : {"SEND\n\nno destination\0"s, "BOGUS\n\n\0"s}) {
        Session s;
        ASSERT_TRUE(s.connect(url())) << s.ws().error();
        const auto connected = login(s, "guest");
        ASSERT_TRUE(connected) << s.why();
        ASSERT_EQ(connected->command, stomp::Command::connected);
        ASSERT_TRUE(s.ws().send_text(bad));
        const auto error = s.next();
        ASSERT_TRUE(error) << s.why();
        EXPECT_EQ(error->command, stomp::Command::error);
        EXPECT_FALSE(error->header("message").empty());
        EXPECT_FALSE(error->body.empty());
        std::cerr << "ERROR message:" << error->header("message") << "\n";
    }
}

}  // namespace
}  // namespace wsb::test
