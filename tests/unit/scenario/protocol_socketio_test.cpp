// protocol: socketio, loaded and driven by hand: the loader's keys and errors, the plan, the
// handshake (open packet, namespace connect with auth), emits with and without acks, events
// with their arguments as the payload (in place and copied), pings, and the named errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol_driver.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/plan.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {
namespace {

using namespace std::chrono_literals;
using test::load_error;

struct Driver : test::Driver {
    explicit Driver(std::string_view yaml) : test::Driver(yaml) { writable = true; }
};

constexpr const char* kChat = R"(protocol: socketio
namespace: /chat
auth: { token: "t-{{conn.id}}" }
session:
  - emit: { event: join, data: { room: r1 }, ack: true, name: join }
  - expect: { name: joined, event: joined, json: { room: r1 }, capture: { n: "$[0].members" } }
  - emit: { event: say, args: [ "{{n}} here", 7 ] }
listen:
  - { name: chat, event: msg, sent_at: "$[1]" }
)";

constexpr const char* kOpen =
    R"(0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

void run_chat(bool writable) {
    Driver d(kChat);
    d.writable = writable;
    d.start();
    EXPECT_TRUE(d.out.sent.empty()) << "the server speaks first";
    d.in(kOpen);
    ASSERT_EQ(d.out.sent.size(), 1u);
    EXPECT_EQ(d.out.sent[0], R"(40/chat,{"token":"t-4"})");
    d.in(R"(40/chat,{"sid":"n1"})");
    ASSERT_EQ(d.out.sent.size(), 2u);
    EXPECT_EQ(d.out.sent[1], R"(42/chat,0["join",{"room":"r1"}])");
    d.in("2");
    ASSERT_EQ(d.out.sent.size(), 3u);
    EXPECT_EQ(d.out.sent[2], "3") << "the ping answered at once";
    d.in(R"(42/chat,["joined",{"room":"r1","members":3}])", 2ms);  // before the ack: no match
    EXPECT_EQ(d.stats.unmatched, 1u);
    d.in(R"(43/chat,5[{"ok":true}])", 3ms);  // another emit's ack
    EXPECT_EQ(d.step("join").count, 0u);
    d.in(R"(43/chat,0[{"ok":true}])", 4ms);
    EXPECT_EQ(d.step("join").count, 1u);
    EXPECT_NEAR(static_cast<double>(d.step("join").latency_us.max()), 3000, 5);  // sent at 1 ms
    d.in(R"(42/other,["joined",{"room":"r1","members":3}])", 5ms);  // another namespace
    d.in(R"(42/chat,  ["joined" , {"room":"r1","members":3}])", 6ms);
    EXPECT_EQ(d.step("joined").count, 1u);
    EXPECT_EQ(d.step("joined").capture_errors, 0u);
    ASSERT_GE(d.out.sent.size(), 4u);
    EXPECT_EQ(d.out.sent[3], R"(42/chat,["say","3 here",7])");
    EXPECT_EQ(d.out.sent.back(), "41/chat,") << "leaves the namespace before closing";
    EXPECT_EQ(d.out.closes, (std::vector<std::uint16_t>{1000}));
    EXPECT_TRUE(d.session.finished());
    EXPECT_FALSE(d.session.failed());
}

TEST(SocketIoSession, HandshakeEmitsAcksEventsAndPingsInPlace) { run_chat(true); }
TEST(SocketIoSession, TheSameOnAReadOnlyMessage) { run_chat(false); }

TEST(SocketIoSession, ListenRulesSeeEventsWithTheirArguments) {
    Driver d(R"(protocol: socketio
session:
  - expect: { name: done, event: done, timeout: 1s }
listen:
  - { name: chat, event: msg, sent_at: "$[1]" }
)");
    d.start();
    d.in(kOpen);
    EXPECT_EQ(d.out.sent.at(0), "40") << "the default namespace, no auth";
    d.in(R"(40{"sid":"x"})");
    d.in(R"(42["msg","hello",1699999999999000])");
    d.in(R"(42["msg"])");  // no timestamp at $[1]
    d.in(R"(42["other",1])");
    EXPECT_EQ(d.step("chat").count, 2u);
    EXPECT_EQ(d.step("chat").timestamp_errors, 1u);
    EXPECT_EQ(d.step("chat").latency_us.max(), 1000u);
    EXPECT_EQ(d.stats.unmatched, 1u);
    d.in(R"(42["done"])");
    EXPECT_EQ(d.step("done").count, 1u);
    EXPECT_TRUE(d.session.finished());
}

void expect_failure(const std::vector<std::string>& packets, const std::string& error) {
    Driver d(kChat);
    d.start();
    for (const std::string& p : packets) d.in(p);
    EXPECT_TRUE(d.session.failed()) << error;
    EXPECT_TRUE(d.session.finished());
    ASSERT_EQ(d.stats.errors.size(), 1u) << error;
    EXPECT_EQ(d.stats.errors[0].first, error);
    EXPECT_EQ(d.stats.errors[0].second, 1u);
    EXPECT_EQ(d.out.closes.size(), 1u);
    EXPECT_NE(d.out.sent.empty() ? "" : d.out.sent.back(), "41/chat,");
}

TEST(SocketIoSession, ErrorsEndTheSessionByName) {
    expect_failure({kOpen, R"(44/chat,{"message":"Not authorized"})"},
                   "socketio connect_error: Not authorized");
    expect_failure({kOpen, R"(40/chat,{})", "41/chat,"},
                   "socketio: the server disconnected namespace /chat");
    expect_failure({kOpen, "1"}, "socketio: the server closed the Engine.IO session");
    expect_failure({"x"}, "socketio: not an Engine.IO packet (the type is not 0-6)");
    expect_failure({kOpen, R"(40/chat,{})", R"(451-/chat,["up",{"_placeholder":true}])"},
                   "socketio: a binary event (attachments are not supported)");
    expect_failure({kOpen, R"(40/chat,{})", R"(42/chat,[1])"},
                   "socketio: an event whose data is not [\"name\", ...]");
}

TEST(SocketIoSession, NoHandshakeReplyFailsAfterTheTimeout) {
    Driver d(kChat);
    d.start();
    EXPECT_EQ(d.session.next_wakeup(), Session::kHandshakeTimeout);
    d.session.on_time(Driver::at(Session::kHandshakeTimeout - 1ms), d.out);
    EXPECT_FALSE(d.session.finished());
    d.session.on_time(Driver::at(Session::kHandshakeTimeout), d.out);
    EXPECT_TRUE(d.session.failed());
    ASSERT_EQ(d.stats.errors.size(), 1u);
    EXPECT_EQ(d.stats.errors[0].first, "socketio: no handshake reply within 10 s");
}

// The open packet's pingInterval + pingTimeout (25 + 20 s): a server that sends nothing, its
// pings included, for that long is gone; each ping starts the count again.
TEST(SocketIoSession, AServerSilentPastPingIntervalAndTimeoutFailsTheSession) {
    Driver d("protocol: socketio\nsession:\n  - expect: { event: never, timeout: 1h }\n");
    d.start();
    d.in(kOpen);
    d.in(R"(40{"sid":"n1"})");
    EXPECT_EQ(d.session.next_wakeup(), 1ms + 45s);
    d.in("2", 20s);
    EXPECT_EQ(d.session.next_wakeup(), 65s);
    d.session.on_time(Driver::at(65s - 1ms), d.out);
    EXPECT_FALSE(d.session.finished());
    d.session.on_time(Driver::at(65s), d.out);
    EXPECT_TRUE(d.session.failed());
    ASSERT_EQ(d.stats.errors.size(), 1u);
    EXPECT_EQ(d.stats.errors[0].first,
              "socketio: nothing from the server for 45000 ms, its pingInterval + pingTimeout "
              "(25000 + 20000 ms)");
    // Values past a day are no watchdog (nor an overflow): the expect's hour decides.
    Driver huge("protocol: socketio\nsession:\n  - expect: { event: never, timeout: 1h }\n");
    huge.start();
    huge.in(R"(0{"sid":"s","pingInterval":9223372036854775807,"pingTimeout":1})");
    huge.in(R"(40{"sid":"n1"})");
    EXPECT_EQ(huge.session.next_wakeup(), 1ms + 1h);
    huge.session.on_time(Driver::at(1ms + 1h - 1ms), huge.out);
    EXPECT_FALSE(huge.session.failed());
}

TEST(SocketIoLoader, KeysAndTheirErrors) {
    EXPECT_EQ(
        load_error("protocol: mqtt5\nsession: [ { send: x } ]\n"),
        "t.yaml:1:11: protocol: 'mqtt5' is not one of raw, socketio, graphql-ws, mqtt, stomp");
    EXPECT_EQ(load_error("session: [ { emit: { event: e } } ]\n"),
              "t.yaml:1:20: session[0].emit: emit goes with protocol: socketio");
    EXPECT_EQ(load_error("namespace: /a\nsession: [ { send: x } ]\n"),
              "t.yaml:1:12: namespace: goes with protocol: socketio");
    EXPECT_EQ(load_error("session: [ { expect: { event: e } } ]\n"),
              "t.yaml:1:31: session[0].expect.event: goes with protocol: socketio");
    EXPECT_EQ(
        load_error("protocol: socketio\nnamespace: chat\nsession: [ { emit: { event: e } } ]\n"),
        "t.yaml:2:12: namespace: expected a Socket.IO namespace such as / or /chat");
    EXPECT_EQ(load_error("protocol: socketio\nsession: [ { emit: { data: 1 } } ]\n"),
              "t.yaml:2:20: session[0].emit: an emit needs an event");
    EXPECT_EQ(
        load_error("protocol: socketio\nsession: [ { emit: { event: e, data: 1, args: [2] } } ]\n"),
        "t.yaml:2:20: session[0].emit: give data (one argument) or args");
    EXPECT_EQ(load_error("protocol: socketio\nsession: [ { emit: { event: e, timeout: 1s } } ]\n"),
              "t.yaml:2:41: session[0].emit.timeout: goes with ack: true");
}

TEST(SocketIoLoader, ThePlanShowsTheProtocolTheEmitsAndTheirAcks) {
    const Scenario s = load_scenario_text(kChat, "t.yaml", false);
    EXPECT_EQ(s.handshake_target("/"), "/socket.io/?EIO=4&transport=websocket");
    EXPECT_EQ(s.handshake_target("/x?room=1"), "/socket.io/?EIO=4&transport=websocket&room=1");
    const std::string plan = describe_plan(s);
    EXPECT_NE(plan.find("protocol: socketio (Engine.IO 4 over WebSocket at /socket.io/), "
                        "namespace /chat, auth '{\"token\":\"t-{{conn.id}}\"}'"),
              std::string::npos)
        << plan;
    EXPECT_NE(plan.find("emit join 'emit join {\"room\":\"r1\"}', with an ack"), std::string::npos)
        << plan;
    EXPECT_NE(plan.find("expect join: ack of emit join, within 10s"), std::string::npos) << plan;
    EXPECT_NE(plan.find("listen chat (line 9): event msg, push latency from $[1]"),
              std::string::npos)
        << plan;
}

}  // namespace
}  // namespace wsb::scenario
