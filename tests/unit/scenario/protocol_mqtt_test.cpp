// protocol: mqtt, loaded and driven by hand with packets built by the MQTT codec: CONNECT from
// the file's settings, SUBACK and PUBACK matched by packet id, PUBLISH packets to topic rules
// (QoS 1 acknowledged), packets split over and packed into messages, PINGREQ on the keep
// alive, DISCONNECT before the close, the named errors and the loader's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol_driver.hpp"
#include "wsbench/proto/mqtt.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/plan.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {
namespace {

using namespace std::chrono_literals;
using test::load_error;

struct Driver : test::Driver {
    explicit Driver(std::string_view yaml) : test::Driver(yaml) { type = MessageType::binary; }
    // The packet types of what was sent (the fixed header's high nibble).
    std::vector<mqtt::PacketType> sent_types() const {
        std::vector<mqtt::PacketType> types;
        for (const std::string& m : out.sent) {
            types.push_back(static_cast<mqtt::PacketType>(static_cast<std::uint8_t>(m[0]) >> 4));
        }
        return types;
    }
};

std::string connack(std::uint8_t code) { return std::string("\x20\x02\x00", 3) + char(code); }
std::string suback(std::uint16_t id, std::uint8_t code) {
    return std::string("\x90\x03", 2) + char(id >> 8) + char(id & 0xFF) + char(code);
}
std::string puback(std::uint16_t id) {
    return std::string("\x40\x02", 2) + char(id >> 8) + char(id & 0xFF);
}
std::string publish(std::string_view topic, std::string_view payload, std::uint8_t qos,
                    std::uint16_t id) {
    std::string out;
    mqtt::Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos;
    p.packet_id = id;
    mqtt::encode_publish(out, mqtt::Version::v311, p);
    return out;
}

constexpr const char* kFile = R"(protocol: mqtt
mqtt: { client_id: "c-{{conn.id}}", keepalive: 10s, username: u, password: "p{{conn.id}}" }
session:
  - subscribe: { topic: "s/{{conn.id}}/#", qos: 1, name: sub }
  - publish: { topic: "s/{{conn.id}}/t", qos: 1, json: { v: 1, ts: "{{now_us}}" }, name: pub }
  - expect: { name: back, topic: "s/+/t", json: { v: 1 } }
listen:
  - { name: other, topic: "x/#", sent_at: "$.ts" }
)";

TEST(MqttSession, ConnectSubscribePublishAndTheRules) {
    Driver d(kFile);
    EXPECT_EQ(d.s.subprotocols, (std::vector<std::string>{"mqtt"}));
    d.start();
    ASSERT_EQ(d.out.sent.size(), 1u);
    std::string connect;
    mqtt::ConnectOptions c;
    c.client_id = "c-4";
    c.keepalive_s = 10;
    c.username = "u";
    c.password = "p4";
    mqtt::encode_connect(connect, c);
    EXPECT_EQ(d.out.sent[0], connect);
    d.in(connack(0));
    ASSERT_EQ(d.out.sent.size(), 2u);
    std::string sub;
    mqtt::SubscribeOptions o;
    o.qos = 1;
    mqtt::encode_subscribe(sub, mqtt::Version::v311, 1, "s/4/#", o);
    EXPECT_EQ(d.out.sent[1], sub) << "packet id {{seq}} % 65535 + 1";
    d.in(suback(7, 1));  // another id
    EXPECT_EQ(d.step("sub").count, 0u);
    d.in(suback(1, 1), 3ms);
    EXPECT_EQ(d.step("sub").count, 1u);
    ASSERT_EQ(d.out.sent.size(), 3u);
    EXPECT_EQ(d.sent_types().back(), mqtt::PacketType::publish);
    // The PUBACK and the message back, packed into one WebSocket message, then a push on
    // another topic split over three.
    d.in(puback(2) + publish("s/4/t", R"({"v":1,"ts":1})", 1, 33), 4ms);
    EXPECT_EQ(d.step("pub").count, 1u);
    EXPECT_EQ(d.step("back").count, 1u);
    ASSERT_GE(d.out.sent.size(), 4u);
    std::string ack;
    mqtt::encode_puback(ack, mqtt::Version::v311, 33);
    EXPECT_EQ(d.out.sent[3], ack) << "the QoS 1 message acknowledged";
    EXPECT_EQ(d.sent_types().back(), mqtt::PacketType::disconnect) << "before the close";
    EXPECT_EQ(d.out.closes, (std::vector<std::uint16_t>{1000}));
}

TEST(MqttSession, PacketsSplitOverMessagesAndKeepAlive) {
    Driver d(R"(protocol: mqtt
mqtt: { keepalive: 4s }
session:
  - expect: { name: done, topic: done, timeout: 60s }
listen:
  - { name: other, topic: "x/#", sent_at: "$.ts" }
)");
    d.start();
    d.in(connack(0));
    const std::string p = publish("x/y", R"({"ts":1699999999999000})", 0, 0);
    d.in(p.substr(0, 1));
    d.in(p.substr(1, 5));
    d.in(p.substr(6));
    EXPECT_EQ(d.step("other").count, 1u);
    EXPECT_EQ(d.step("other").latency_us.max(), 1000u);
    EXPECT_EQ(d.session.next_wakeup(), 2s) << "PINGREQ at half the keep alive";
    d.session.on_time(Driver::at(2s), d.out);
    EXPECT_EQ(d.sent_types().back(), mqtt::PacketType::pingreq);
    EXPECT_EQ(d.session.next_wakeup(), 4s);
    d.in(publish("done", "", 0, 0), 5s);
    EXPECT_TRUE(d.session.finished());
}

void expect_failure(const std::string& yaml, const std::vector<std::string>& packets,
                    const std::string& error) {
    Driver d(yaml);
    d.start();
    for (const std::string& p : packets) d.in(p);
    EXPECT_TRUE(d.session.failed()) << error;
    ASSERT_EQ(d.stats.errors.size(), 1u) << error;
    EXPECT_EQ(d.stats.errors[0].first, error);
}

TEST(MqttSession, ErrorsAreNamed) {
    expect_failure(kFile, {connack(5)}, "mqtt connack: not authorized");
    const std::string v5 = "protocol: mqtt\nmqtt: { version: 5 }\nsession: [ { think: 1s } ]\n";
    expect_failure(v5, {std::string("\x20\x03\x00\x00\x00", 5), std::string("\xe0\x02\x8e\x00", 4)},
                   "mqtt: the server sent DISCONNECT: Session taken over");
    expect_failure(kFile, {connack(0), std::string("\xe0\x00", 2)},
                   "mqtt: unexpected packet type (DISCONNECT)");  // not from a 3.1.1 broker
    expect_failure(kFile, {std::string("\x30\xff\xff\xff\xff\x01", 6)},
                   "mqtt: malformed remaining length (remaining length)");
    Driver refused(kFile);
    refused.start();
    refused.in(connack(0));
    refused.in(suback(1, 0x80));
    EXPECT_EQ(refused.step("sub").protocol_errors, 1u) << "a refused SUBSCRIBE";
    EXPECT_EQ(refused.step("sub").count, 0u);
}

TEST(MqttLoader, KeysAndTheirErrors) {
    EXPECT_EQ(load_error("session: [ { publish: { topic: a } } ]\n"),
              "t.yaml:1:23: session[0].publish: publish goes with protocol: mqtt");
    EXPECT_EQ(load_error("protocol: mqtt\nsession: [ { publish: { topic: a/+ } } ]\n"),
              "t.yaml:2:32: session[0].publish.topic: not a topic name (no + or #)");
    EXPECT_EQ(load_error("protocol: mqtt\nsession: [ { subscribe: { topic: a/#/b } } ]\n"),
              "t.yaml:2:34: session[0].subscribe.topic: not a topic filter");
    EXPECT_EQ(load_error("protocol: mqtt\nsession: [ { publish: { topic: a, qos: 2 } } ]\n"),
              "t.yaml:2:40: session[0].publish.qos: expected 0 or 1 (QoS 2 is not supported)");
    EXPECT_EQ(load_error("protocol: mqtt\nmqtt: { version: 6 }\nsession: [ { send: x } ]\n"),
              "t.yaml:2:18: mqtt.version: expected 3.1.1 or 5");
    EXPECT_EQ(load_error("mqtt: { version: 5 }\nsession: [ { send: x } ]\n"),
              "t.yaml:1:7: mqtt: goes with protocol: mqtt");
    EXPECT_EQ(load_error("session: [ { expect: { topic: a } } ]\n"),
              "t.yaml:1:31: session[0].expect.topic: goes with protocol: mqtt");
    EXPECT_EQ(
        load_error("protocol: mqtt\nheartbeat: { every: 1s, send: x }\nsession: [ { send: x } ]\n"),
        "t.yaml:2:12: heartbeat: not with protocol: mqtt (it sends PINGREQ)");
    const std::string plan = describe_plan(load_scenario_text(kFile, "t.yaml", false));
    EXPECT_NE(plan.find("expect sub: SUBACK of subscribe s/{{conn.id}}/#"), std::string::npos)
        << plan;
}

}  // namespace
}  // namespace wsb::scenario
