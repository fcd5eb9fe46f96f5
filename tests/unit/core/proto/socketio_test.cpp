// Socket.IO / Engine.IO packets: the forms socket.io 4.x sends (captured from its server and
// written out from its parser's documentation), malformed packets, and the encoders.
#include "wsbench/proto/socketio.hpp"

#include <gtest/gtest.h>

namespace wsb::socketio {
namespace {

Packet decoded(std::string_view text) {
    Packet p;
    std::string_view error;
    EXPECT_TRUE(decode(text, p, error)) << text << ": " << error;
    return p;
}

std::string error_of(std::string_view text) {
    Packet p;
    std::string_view error;
    EXPECT_FALSE(decode(text, p, error)) << text;
    return std::string(error);
}

TEST(SocketIoDecode, EngineIoOpenPingAndClose) {
    const Packet open = decoded(
        R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
    EXPECT_EQ(open.eio, EioType::open);
    OpenInfo info;
    ASSERT_TRUE(parse_open(open.data, info));
    EXPECT_EQ(info.sid, "lv_VI97HAXpY6yYWAAAC");
    EXPECT_EQ(info.ping_interval_ms, 25000);
    EXPECT_EQ(info.ping_timeout_ms, 20000);
    EXPECT_EQ(info.max_payload, 1000000);
    EXPECT_EQ(decoded("2").eio, EioType::ping);
    EXPECT_EQ(decoded("2probe").data, "probe");
    EXPECT_EQ(decoded("1").eio, EioType::close);
    EXPECT_EQ(decoded("6").eio, EioType::noop);
}

TEST(SocketIoDecode, ConnectReplyInTheDefaultAndANamedNamespace) {
    const Packet root = decoded(R"(40{"sid":"wZX3oN0bSVIhsaknAAAI"})");
    EXPECT_EQ(root.eio, EioType::message);
    EXPECT_EQ(root.sio, SioType::connect);
    EXPECT_EQ(root.nsp, "/");
    EXPECT_EQ(root.data, R"({"sid":"wZX3oN0bSVIhsaknAAAI"})");
    const Packet chat = decoded(R"(40/chat,{"sid":"x"})");
    EXPECT_EQ(chat.nsp, "/chat");
    EXPECT_EQ(chat.data, R"({"sid":"x"})");
    EXPECT_FALSE(chat.has_id);
}

TEST(SocketIoDecode, EventsWithAndWithoutAckIds) {
    const Packet plain = decoded(R"(42["msg",{"text":"hi"}])");
    EXPECT_EQ(plain.sio, SioType::event);
    EXPECT_FALSE(plain.has_id);
    EXPECT_EQ(plain.data, R"(["msg",{"text":"hi"}])");
    const Packet acked = decoded(R"(42/chat,17["join","r1"])");
    EXPECT_EQ(acked.nsp, "/chat");
    EXPECT_TRUE(acked.has_id);
    EXPECT_EQ(acked.id, 17u);
    EXPECT_EQ(acked.data, R"(["join","r1"])");
    const Packet ack = decoded(R"(43/chat,17[{"ok":true}])");
    EXPECT_EQ(ack.sio, SioType::ack);
    EXPECT_EQ(ack.id, 17u);
    EXPECT_EQ(ack.data, R"([{"ok":true}])");
}

TEST(SocketIoDecode, DisconnectConnectErrorAndBinary) {
    const Packet d = decoded("41/chat,");
    EXPECT_EQ(d.sio, SioType::disconnect);
    EXPECT_EQ(d.nsp, "/chat");
    EXPECT_TRUE(d.data.empty());
    const Packet e = decoded(R"(44/admin,{"message":"Not authorized"})");
    EXPECT_EQ(e.sio, SioType::connect_error);
    EXPECT_EQ(connect_error_message(e.data), "Not authorized");
    EXPECT_EQ(connect_error_message(R"("plain")"), R"("plain")");
    const Packet b = decoded(R"(451-["upload",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(b.sio, SioType::binary_event);
    EXPECT_EQ(b.attachments, 1u);
    EXPECT_EQ(b.data, R"(["upload",{"_placeholder":true,"num":0}])");
}

TEST(SocketIoDecode, MalformedPacketsAreNamed) {
    EXPECT_EQ(error_of(""), "an empty Engine.IO packet");
    EXPECT_EQ(error_of("9"), "not an Engine.IO packet (the type is not 0-6)");
    EXPECT_EQ(error_of("{}"), "not an Engine.IO packet (the type is not 0-6)");
    EXPECT_EQ(error_of("4"), "not a Socket.IO packet (the type after '4' is not 0-6)");
    EXPECT_EQ(error_of("47"), "not a Socket.IO packet (the type after '4' is not 0-6)");
    EXPECT_EQ(error_of("45[]"), "a binary packet without its attachment count");
    EXPECT_EQ(error_of("421234567890123456789[]"), "an ack id of more than 18 digits");
}

TEST(SocketIoSplitEvent, NameAndFirstArgument) {
    std::string_view name;
    std::size_t at = 0;
    const std::string_view data = R"(["joined", {"members":3}, 4])";
    ASSERT_TRUE(split_event(data, name, at));
    EXPECT_EQ(name, "joined");
    EXPECT_EQ(data.substr(at), R"({"members":3}, 4])");
    const std::string_view bare = R"(["ping"])";
    ASSERT_TRUE(split_event(bare, name, at));
    EXPECT_EQ(name, "ping");
    EXPECT_EQ(bare.substr(at), "]");
    EXPECT_TRUE(split_event(R"(["a\"b",1])", name, at));
    EXPECT_EQ(name, R"(a\"b)");
    EXPECT_FALSE(split_event("[1,2]", name, at));
    EXPECT_FALSE(split_event(R"({"a":1})", name, at));
    EXPECT_FALSE(split_event(R"(["unterminated)", name, at));
    EXPECT_FALSE(split_event(R"(["a" 1])", name, at));
    EXPECT_FALSE(split_event(R"(["a",)", name, at));
}

TEST(SocketIoOpen, RejectsWhatIsNotAnObject) {
    OpenInfo info;
    EXPECT_FALSE(parse_open("", info));
    EXPECT_FALSE(parse_open("[1]", info));
    EXPECT_FALSE(parse_open(R"({"pingInterval":"x"})", info));
    EXPECT_FALSE(parse_open(R"({"pingInterval":1)", info));
    EXPECT_TRUE(parse_open(R"( { "nested" : {"a":[1,"]"]}, "pingTimeout" : 5 } )", info));
    EXPECT_EQ(info.ping_timeout_ms, 5);
    EXPECT_EQ(info.ping_interval_ms, -1);
}

TEST(SocketIoEncode, ConnectEventDisconnectPong) {
    std::string out;
    append_connect(out, "/", "");
    EXPECT_EQ(out, "40");
    out.clear();
    append_connect(out, "/chat", R"({"token":"t"})");
    EXPECT_EQ(out, R"(40/chat,{"token":"t"})");
    out.clear();
    append_event_start(out, "/", -1);
    EXPECT_EQ(out, "42[");
    out.clear();
    append_event_start(out, "/chat", 12);
    EXPECT_EQ(out, "42/chat,12[");
    out.clear();
    append_disconnect(out, "/chat");
    EXPECT_EQ(out, "41/chat,");
    out.clear();
    append_pong(out, "probe");
    EXPECT_EQ(out, "3probe");
}

TEST(SocketIoEncode, RoundTripsThroughTheDecoder) {
    std::string out;
    append_event_start(out, "/n", 99);
    out += R"("e",1])";
    const Packet p = decoded(out);
    EXPECT_EQ(p.nsp, "/n");
    EXPECT_EQ(p.id, 99u);
    EXPECT_EQ(p.data, R"(["e",1])");
}

}  // namespace
}  // namespace wsb::socketio
