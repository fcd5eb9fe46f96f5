// In-process interop: a client on our codec talks to a websocketpp server, and a websocketpp
// client talks to our parser, both through websocketpp's iostream transport (no sockets).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>
#include <websocketpp/client.hpp>
#include <websocketpp/config/core.hpp>
#include <websocketpp/config/core_client.hpp>
#include <websocketpp/server.hpp>

#include "wsbench/close.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"

namespace wsb {
namespace {

using WsppServer = websocketpp::server<websocketpp::config::core>;
using WsppClient = websocketpp::client<websocketpp::config::core_client>;

/// A complete frame as our parser saw it.
struct Received {
    Opcode opcode;
    std::string payload;
};

/// Feeds bytes to a FrameParser and collects whole messages and control frames.
class Collector {
  public:
    explicit Collector(Role role) {
        ParserOptions o;
        o.role = role;
        parser_ = FrameParser(o);
    }

    /// Parses `bytes` (which it may unmask in place); returns the parser's error.
    Errc feed(std::string& bytes) {
        auto* data = reinterpret_cast<std::uint8_t*>(bytes.data());
        for (std::size_t pos = 0; pos < bytes.size();) {
            FrameEvent ev;
            pos += parser_.parse(data + pos, bytes.size() - pos, ev);
            if (ev.kind == FrameEvent::Kind::error) return ev.error;
            if (ev.kind != FrameEvent::Kind::payload) continue;
            if (ev.is_control()) {
                frames.push_back({ev.header.opcode,
                                  std::string(reinterpret_cast<const char*>(ev.data), ev.size)});
                continue;
            }
            message_.append(reinterpret_cast<const char*>(ev.data), ev.size);
            if (ev.message_end) {
                frames.push_back({ev.message_opcode, message_});
                message_.clear();
            }
        }
        bytes.clear();
        return Errc::ok;
    }

    std::vector<Received> frames;

  private:
    FrameParser parser_;
    std::string message_;
};

std::string frame(Opcode op, const std::string& payload, bool fin, bool mask) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    h.masked = mask;
    h.mask_key = {0x12, 0x34, 0x56, 0x78};
    std::string out(kMaxFrameHeaderSize + payload.size(), '\0');
    out.resize(encode_frame(h, payload.data(), payload.size(),
                            reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
    return out;
}

/// A close payload built with our close.hpp (RFC 6455 §5.5.1).
std::string close_payload(std::uint16_t code, const std::string& reason) {
    std::uint8_t out[kMaxClosePayload];
    const std::size_t n = format_close_payload(code, reason, out, sizeof out);
    return std::string(reinterpret_cast<const char*>(out), n);
}

/// The code of a close payload, parsed and validated by our close.hpp (0 when invalid or
/// absent).
std::uint16_t close_code_of(const std::string& payload) {
    ClosePayload parsed;
    const Errc e = parse_close_payload(reinterpret_cast<const std::uint8_t*>(payload.data()),
                                       payload.size(), parsed);
    return e == Errc::ok && parsed.has_code ? parsed.code : 0;
}

/// A websocketpp echo server with one in-memory connection; everything it writes lands in
/// `wire`.
class EchoServerFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        server_.clear_access_channels(websocketpp::log::alevel::all);
        server_.clear_error_channels(websocketpp::log::elevel::all);
        server_.set_message_handler(
            [this](websocketpp::connection_hdl hdl, WsppServer::message_ptr msg) {
                server_.send(hdl, msg->get_payload(), msg->get_opcode());
            });
        con_ = server_.get_connection();
        con_->set_write_handler(
            [this](websocketpp::connection_hdl, char const* data, std::size_t len) {
                wire_.append(data, len);
                return websocketpp::lib::error_code();
            });
        con_->start();
    }

    /// Sends our client handshake; checks websocketpp's answer with our response checks.
    void handshake(std::size_t chunk) {
        ClientRequest req;
        req.host = "127.0.0.1";
        req.port = 9001;
        req.resource = "/echo?x=1";
        req.key = make_client_key({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        req.subprotocols = {"chat"};
        send(build_client_request(req), chunk);
        HttpResponse resp;
        std::size_t head = 0;
        ASSERT_EQ(parse_http_response(wire_, resp, head), Errc::ok) << wire_;
        std::string selected;
        ASSERT_EQ(check_server_response(resp, req, &selected), Errc::ok) << wire_;
        EXPECT_EQ(selected, "") << "websocketpp selects no subprotocol unless told to";
        wire_.erase(0, head);
    }

    /// Hands `bytes` to websocketpp `chunk` bytes at a time.
    void send(const std::string& bytes, std::size_t chunk) {
        for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
            const std::size_t n = std::min(chunk, bytes.size() - pos);
            ASSERT_EQ(con_->read_all(bytes.data() + pos, n), n);
        }
    }

    WsppServer server_;
    WsppServer::connection_ptr con_;
    std::string wire_;
    Collector ours_{Role::client};
};

class OurClientToWebsocketpp : public EchoServerFixture,
                               public ::testing::WithParamInterface<std::size_t> {};

TEST_P(OurClientToWebsocketpp, EchoesTextBinaryFragmentedPingAndClose) {
    const std::size_t chunk = GetParam();
    handshake(chunk);

    const std::string binary("\x00\x01\xfe\xff binary", 11);
    const std::string big(100000, 'b');
    send(frame(Opcode::text, "Hello, 世界", true, true), chunk);
    send(frame(Opcode::binary, binary, true, true), chunk);
    send(frame(Opcode::text, "frag", false, true), chunk);
    send(frame(Opcode::ping, "mid-message ping", true, true), chunk);
    send(frame(Opcode::continuation, "ment", false, true), chunk);
    send(frame(Opcode::continuation, "ed", true, true), chunk);
    send(frame(Opcode::binary, big, true, true), chunk == 1 ? 997 : chunk);
    send(frame(Opcode::close, close_payload(1000, "bye"), true, true), chunk);
    ASSERT_EQ(ours_.feed(wire_), Errc::ok);

    ASSERT_EQ(ours_.frames.size(), 6u);
    EXPECT_EQ(ours_.frames[0].opcode, Opcode::text);
    EXPECT_EQ(ours_.frames[0].payload, "Hello, 世界");
    EXPECT_EQ(ours_.frames[1].opcode, Opcode::binary);
    EXPECT_EQ(ours_.frames[1].payload, binary);
    EXPECT_EQ(ours_.frames[2].opcode, Opcode::pong) << "websocketpp answers the ping first";
    EXPECT_EQ(ours_.frames[2].payload, "mid-message ping");
    EXPECT_EQ(ours_.frames[3].opcode, Opcode::text);
    EXPECT_EQ(ours_.frames[3].payload, "fragmented");
    EXPECT_EQ(ours_.frames[4].payload, big);
    EXPECT_EQ(ours_.frames[5].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(ours_.frames[5].payload), 1000);
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, OurClientToWebsocketpp, ::testing::Values(1, 7, 65536));

TEST_F(EchoServerFixture, WebsocketppFailsOurInvalidFramesWithTheCodeWeExpect) {
    handshake(4096);
    // Autobahn 6.x style: invalid UTF-8 in a text message -> 1007.
    send(
        frame(Opcode::text, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80", true, true),
        4096);
    ASSERT_EQ(ours_.feed(wire_), Errc::ok);
    ASSERT_EQ(ours_.frames.size(), 1u);
    EXPECT_EQ(ours_.frames[0].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(ours_.frames[0].payload), 1007);
}

TEST_F(EchoServerFixture, WebsocketppRejectsUnmaskedClientFramesLikeOurValidate) {
    handshake(4096);
    send(frame(Opcode::text, "not masked", true, false), 4096);
    ASSERT_EQ(ours_.feed(wire_), Errc::ok);
    ASSERT_EQ(ours_.frames.size(), 1u);
    EXPECT_EQ(ours_.frames[0].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(ours_.frames[0].payload), close_code_for(Errc::unmasked_client_frame));
}

/// A websocketpp client on one in-memory connection; our code plays the server.
class WebsocketppClientToOurParser : public ::testing::Test {
  protected:
    void SetUp() override {
        client_.clear_access_channels(websocketpp::log::alevel::all);
        client_.clear_error_channels(websocketpp::log::elevel::all);
        client_.set_message_handler(
            [this](websocketpp::connection_hdl, WsppClient::message_ptr msg) {
                messages_.push_back({static_cast<Opcode>(msg->get_opcode()), msg->get_payload()});
            });
        client_.set_pong_handler([this](websocketpp::connection_hdl, std::string payload) {
            messages_.push_back({Opcode::pong, payload});
        });
        client_.set_open_handler([this](websocketpp::connection_hdl) { open_ = true; });
        websocketpp::lib::error_code ec;
        con_ = client_.get_connection("ws://localhost:9001/chat", ec);
        ASSERT_FALSE(ec) << ec.message();
        con_->add_subprotocol("chat");
        con_->set_write_handler(
            [this](websocketpp::connection_hdl, char const* data, std::size_t len) {
                wire_.append(data, len);
                return websocketpp::lib::error_code();
            });
        client_.connect(con_);

        // Our server side of the handshake.
        HttpRequest req;
        std::size_t head = 0;
        ASSERT_EQ(parse_http_request(wire_, req, head), Errc::ok) << wire_;
        ServerHandshakeInfo info;
        ASSERT_EQ(check_client_request(req, info), Errc::ok) << wire_;
        EXPECT_EQ(info.resource, "/chat");
        ASSERT_EQ(info.subprotocols, std::vector<std::string>{"chat"});
        wire_.erase(0, head);
        const std::string response = build_server_response(info.accept_key, "chat");
        con_->read_some(response.data(), response.size());
        ASSERT_TRUE(open_) << "websocketpp accepted our 101 response";
        // websocketpp 0.8.2 leaves get_subprotocol() empty on clients; the header is what it got.
        EXPECT_EQ(con_->get_response_header("Sec-WebSocket-Protocol"), "chat");
    }

    void deliver(const std::string& bytes) { con_->read_some(bytes.data(), bytes.size()); }

    WsppClient client_;
    WsppClient::connection_ptr con_;
    std::string wire_;
    bool open_ = false;
    std::vector<Received> messages_;
    Collector ours_{Role::server};
};

TEST_F(WebsocketppClientToOurParser, ParsesWebsocketppMaskedFrames) {
    con_->send(std::string("Hello from websocketpp"), websocketpp::frame::opcode::text);
    con_->send(std::string(70000, 'x'), websocketpp::frame::opcode::binary);
    con_->ping("are you there");
    con_->close(websocketpp::close::status::going_away, "shutting down");
    ASSERT_EQ(ours_.feed(wire_), Errc::ok) << "every websocketpp client frame is masked and valid";
    ASSERT_EQ(ours_.frames.size(), 4u);
    EXPECT_EQ(ours_.frames[0].opcode, Opcode::text);
    EXPECT_EQ(ours_.frames[0].payload, "Hello from websocketpp");
    EXPECT_EQ(ours_.frames[1].payload, std::string(70000, 'x'));
    EXPECT_EQ(ours_.frames[2].opcode, Opcode::ping);
    EXPECT_EQ(ours_.frames[2].payload, "are you there");
    EXPECT_EQ(ours_.frames[3].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(ours_.frames[3].payload), 1001);
    EXPECT_EQ(ours_.frames[3].payload.substr(2), "shutting down");
}

TEST_F(WebsocketppClientToOurParser, WebsocketppAcceptsOurServerFrames) {
    deliver(frame(Opcode::text, "plain", true, false));
    deliver(frame(Opcode::binary, "fr", false, false) + frame(Opcode::ping, "p", true, false) +
            frame(Opcode::continuation, "ag", true, false));
    deliver(frame(Opcode::pong, "unsolicited", true, false));
    ASSERT_EQ(messages_.size(), 3u);
    EXPECT_EQ(messages_[0].opcode, Opcode::text);
    EXPECT_EQ(messages_[0].payload, "plain");
    EXPECT_EQ(messages_[1].opcode, Opcode::binary);
    EXPECT_EQ(messages_[1].payload, "frag");
    EXPECT_EQ(messages_[2].opcode, Opcode::pong);
    // websocketpp answered our ping with a masked pong our parser accepts.
    ASSERT_EQ(ours_.feed(wire_), Errc::ok);
    ASSERT_EQ(ours_.frames.size(), 1u);
    EXPECT_EQ(ours_.frames[0].opcode, Opcode::pong);
    EXPECT_EQ(ours_.frames[0].payload, "p");

    // Our close frame; websocketpp echoes the code and we parse its masked close.
    deliver(frame(Opcode::close, close_payload(1000, "done"), true, false));
    ASSERT_EQ(ours_.feed(wire_), Errc::ok);
    ASSERT_EQ(ours_.frames.size(), 2u);
    EXPECT_EQ(ours_.frames[1].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(ours_.frames[1].payload), 1000);
}

TEST_F(WebsocketppClientToOurParser, WebsocketppFailsOnFramesOurValidateRejects) {
    // A masked server frame: validate() says masked_server_frame; websocketpp agrees (1002).
    deliver(frame(Opcode::text, "masked by a server", true, true));
    ASSERT_EQ(ours_.feed(wire_), Errc::ok);
    ASSERT_EQ(ours_.frames.size(), 1u);
    EXPECT_EQ(ours_.frames[0].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(ours_.frames[0].payload), close_code_for(Errc::masked_server_frame));
    EXPECT_TRUE(messages_.empty());
}

}  // namespace
}  // namespace wsb
