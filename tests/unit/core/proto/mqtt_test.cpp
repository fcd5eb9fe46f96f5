// MQTT codec: encoders checked against packets written out by hand from the 3.1.1 and 5.0
// specifications, reason code names, and the topic name / filter rules and matching of §4.7.
#include "wsbench/proto/mqtt.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <utility>

namespace wsb::mqtt {
namespace {

using namespace std::string_literals;

/// Bytes written as hex pairs with optional spaces ("10 0F 00 04").
std::string hex(std::string_view text) {
    std::string out;
    int nibbles = 0;
    unsigned value = 0;
    for (const char c : text) {
        if (c == ' ') continue;
        value = value * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c))
                                                       ? c - '0'
                                                       : std::toupper(c) - 'A' + 10);
        if (++nibbles == 2) {
            out.push_back(static_cast<char>(value));
            nibbles = 0;
            value = 0;
        }
    }
    return out;
}

std::string connect(const ConnectOptions& o) {
    std::string out;
    EXPECT_EQ(encode_connect(out, o), Error::ok);
    return out;
}

TEST(MqttEncode, Connect311IsTheSpecLayout) {
    ConnectOptions o;
    o.client_id = "wsb";
    o.keepalive_s = 60;
    // §3.1: fixed header 10, remaining 15; "MQTT", level 4, flags (clean session), keepalive
    // 60, client identifier.
    EXPECT_EQ(connect(o), hex("10 0F 0004 4D515454 04 02 003C 0003 777362"));
}

TEST(MqttEncode, Connect311WithCredentialsSetsBothFlags) {
    ConnectOptions o;
    o.client_id = "wsb";
    o.username = "u";
    o.password = "pw";
    EXPECT_EQ(connect(o), hex("10 16 0004 4D515454 04 C2 003C 0003 777362 0001 75 0002 7077"));
    o.password.reset();
    o.clean_start = false;
    EXPECT_EQ(connect(o), hex("10 12 0004 4D515454 04 80 003C 0003 777362 0001 75"));
}

TEST(MqttEncode, Connect5HasEmptyPropertiesOrSessionExpiry) {
    ConnectOptions o;
    o.version = Version::v5;
    o.client_id = "a";
    o.keepalive_s = 10;
    o.clean_start = false;
    EXPECT_EQ(connect(o), hex("10 0E 0004 4D515454 05 00 000A 00 0001 61"));
    o.session_expiry_s = 3600;  // property 0x11, four bytes (5.0 §3.1.2.11.2)
    EXPECT_EQ(connect(o), hex("10 13 0004 4D515454 05 00 000A 05 11 00000E10 0001 61"));
}

TEST(MqttEncode, ConnectWithEmptyClientId) {
    ConnectOptions o;
    EXPECT_EQ(connect(o), hex("10 0C 0004 4D515454 04 02 003C 0000"));
}

TEST(MqttEncode, SubscribeAndUnsubscribe) {
    std::string out;
    EXPECT_EQ(encode_subscribe(out, Version::v311, 1, "a/+", {1}), Error::ok);
    EXPECT_EQ(out, hex("82 08 0001 0003 612F2B 01"));  // §3.8.1 flags 0010
    out.clear();
    SubscribeOptions o;
    o.qos = 2;
    o.no_local = true;
    o.retain_as_published = true;
    o.retain_handling = 2;
    EXPECT_EQ(encode_subscribe(out, Version::v5, 0x1234, "#", o), Error::ok);
    EXPECT_EQ(out, hex("82 07 1234 00 0001 23 2E"));  // 5.0 §3.8.3.1 options 0010 1110
    out.clear();
    // The v5 options are not sent under 3.1.1, where bits 2-7 are reserved.
    EXPECT_EQ(encode_subscribe(out, Version::v311, 3, "#", o), Error::ok);
    EXPECT_EQ(out, hex("82 06 0003 0001 23 02"));
    out.clear();
    EXPECT_EQ(encode_unsubscribe(out, Version::v311, 2, "a"), Error::ok);
    EXPECT_EQ(out, hex("A2 05 0002 0001 61"));
    out.clear();
    EXPECT_EQ(encode_unsubscribe(out, Version::v5, 2, "a"), Error::ok);
    EXPECT_EQ(out, hex("A2 06 0002 00 0001 61"));
}

TEST(MqttEncode, PublishFlagsPacketIdAndProperties) {
    std::string out;
    EXPECT_EQ(encode_publish(out, Version::v311, {"a/b", "hi"}), Error::ok);
    EXPECT_EQ(out, hex("30 07 0003 612F62 6869"));
    out.clear();
    Publish p{"a", "x", 1, 10, true, false};
    EXPECT_EQ(encode_publish(out, Version::v311, p), Error::ok);
    EXPECT_EQ(out, hex("33 06 0001 61 000A 78"));  // QoS 1 and RETAIN: 0011 0011
    out.clear();
    p = {"t", "", 2, 5, false, true};
    EXPECT_EQ(encode_publish(out, Version::v5, p), Error::ok);
    EXPECT_EQ(out, hex("3C 06 0001 74 0005 00"));  // DUP, QoS 2; empty properties
    out.clear();
    p = {"t", "", 0, 99, false, false};  // no packet identifier at QoS 0
    EXPECT_EQ(encode_publish(out, Version::v5, p), Error::ok);
    EXPECT_EQ(out, hex("30 04 0001 74 00"));
}

TEST(MqttEncode, RemainingLengthUsesTheSpecVariableByteIntegers) {
    // 3.1.1 §2.2.3 table: 127 -> 7F, 128 -> 80 01, 16383 -> FF 7F, 16384 -> 80 80 01,
    // 2097151 -> FF FF 7F, 2097152 -> 80 80 80 01. A PUBLISH to "t" has 3 bytes before the
    // payload.
    const std::pair<std::size_t, std::string> cases[] = {
        {127, hex("7F")},       {128, hex("8001")},       {16383, hex("FF7F")},
        {16384, hex("808001")}, {2097151, hex("FFFF7F")}, {2097152, hex("80808001")}};
    for (const auto& [remaining, encoded] : cases) {
        const std::string payload(remaining - 3, 'p');
        std::string out;
        ASSERT_EQ(encode_publish(out, Version::v311, {"t", payload}), Error::ok);
        EXPECT_EQ(out.size(), 1 + encoded.size() + remaining) << remaining;
        EXPECT_EQ(out.substr(1, encoded.size()), encoded) << remaining;
        EXPECT_EQ(out.substr(1 + encoded.size(), 3), hex("0001 74")) << remaining;
    }
}

TEST(MqttEncode, AcksPingAndDisconnect) {
    std::string out;
    encode_puback(out, Version::v311, 7);
    encode_pubrec(out, Version::v311, 7);
    encode_pubrel(out, Version::v311, 7);
    encode_pubcomp(out, Version::v311, 7);
    EXPECT_EQ(out, hex("40 02 0007 50 02 0007 62 02 0007 70 02 0007"));
    out.clear();
    encode_puback(out, Version::v5, 7);  // Success may be left out (5.0 §3.4.2.1)
    encode_puback(out, Version::v5, 7, 0x10);
    encode_pubrel(out, Version::v5, 8, 0x92);
    EXPECT_EQ(out, hex("40 02 0007 40 03 0007 10 62 03 0008 92"));
    out.clear();
    encode_pingreq(out);
    encode_disconnect(out, Version::v311);
    encode_disconnect(out, Version::v5);
    encode_disconnect(out, Version::v5, 0x04);
    EXPECT_EQ(out, hex("C0 00 E0 00 E0 00 E0 01 04"));
}

TEST(MqttEncode, AppendsWithoutAllocatingOnceTheBufferHasCapacity) {
    std::string out = "prefix";
    out.reserve(4096);
    const char* data = out.data();
    ConnectOptions c;
    c.client_id = "client-1";
    c.username = "user";
    c.password = "secret";
    for (int i = 0; i < 10; ++i) {
        ASSERT_EQ(encode_connect(out, c), Error::ok);
        ASSERT_EQ(encode_subscribe(out, Version::v5, 1, "sensors/+/temp", {1}), Error::ok);
        ASSERT_EQ(encode_publish(out, Version::v5, {"sensors/1/temp", "21.5", 1, 2}), Error::ok);
        encode_puback(out, Version::v5, 3);
        encode_pingreq(out);
    }
    EXPECT_EQ(out.data(), data);  // no reallocation
    EXPECT_EQ(out.substr(0, 6), "prefix");
}

TEST(MqttEncode, FieldsTooLongForTheWireAreRefusedAndLeaveTheBuffer) {
    const std::string long_topic(65536, 'a');
    std::string out = "keep";
    EXPECT_EQ(encode_publish(out, Version::v311, {long_topic, "x"}), Error::field_too_long);
    EXPECT_EQ(encode_subscribe(out, Version::v311, 1, long_topic), Error::field_too_long);
    EXPECT_EQ(encode_unsubscribe(out, Version::v5, 1, long_topic), Error::field_too_long);
    ConnectOptions c;
    c.password = long_topic;
    EXPECT_EQ(encode_connect(out, c), Error::field_too_long);
    EXPECT_EQ(out, "keep");
    // 65535 bytes is the longest string there is.
    EXPECT_EQ(encode_publish(out, Version::v311, {long_topic.substr(1), "x"}), Error::ok);
    EXPECT_EQ(out.size(), 4 + 1 + 3 + 2 + 65535 + 1);
}

TEST(MqttNames, ReasonCodesReadAsTheSpecWritesThem) {
    EXPECT_EQ(reason_name(Version::v311, PacketType::connack, 0), "connection accepted");
    EXPECT_EQ(reason_name(Version::v311, PacketType::connack, 4), "bad user name or password");
    EXPECT_EQ(reason_name(Version::v311, PacketType::connack, 5), "not authorized");
    EXPECT_EQ(reason_name(Version::v311, PacketType::connack, 6), "unknown reason code");
    EXPECT_EQ(reason_name(Version::v311, PacketType::suback, 1), "granted QoS 1");
    EXPECT_EQ(reason_name(Version::v311, PacketType::suback, 0x80), "failure");
    EXPECT_EQ(reason_name(Version::v5, PacketType::connack, 0x87), "Not authorized");
    EXPECT_EQ(reason_name(Version::v5, PacketType::connack, 0x86), "Bad User Name or Password");
    EXPECT_EQ(reason_name(Version::v5, PacketType::connack, 0), "Success");
    // A broker that does not speak MQTT 5 refuses with a 3.1.1 return code.
    EXPECT_EQ(reason_name(Version::v5, PacketType::connack, 1), "unacceptable protocol version");
    EXPECT_EQ(reason_name(Version::v5, PacketType::suback, 0), "Granted QoS 0");
    EXPECT_EQ(reason_name(Version::v5, PacketType::suback, 2), "Granted QoS 2");
    EXPECT_EQ(reason_name(Version::v5, PacketType::suback, 0x80), "Unspecified error");
    EXPECT_EQ(reason_name(Version::v5, PacketType::suback, 0xA2),
              "Wildcard Subscriptions not supported");
    EXPECT_EQ(reason_name(Version::v5, PacketType::puback, 0x10), "No matching subscribers");
    EXPECT_EQ(reason_name(Version::v5, PacketType::unsuback, 0x11), "No subscription existed");
    EXPECT_EQ(reason_name(Version::v5, PacketType::disconnect, 0), "Normal disconnection");
    EXPECT_EQ(reason_name(Version::v5, PacketType::disconnect, 4), "Disconnect with Will Message");
    EXPECT_EQ(reason_name(Version::v5, PacketType::disconnect, 0x8E), "Session taken over");
    EXPECT_EQ(reason_name(Version::v5, PacketType::auth, 0x18), "Continue authentication");
    EXPECT_EQ(reason_name(Version::v5, PacketType::puback, 0xA3), "unknown reason code");
    EXPECT_EQ(reason_name(Version::v5, PacketType::puback, 0x7F), "unknown reason code");
}

TEST(MqttNames, FailuresAreTheCodesFrom0x80AndRefusedConnacks) {
    EXPECT_FALSE(is_failure(Version::v311, PacketType::connack, 0));
    EXPECT_TRUE(is_failure(Version::v311, PacketType::connack, 5));
    EXPECT_TRUE(is_failure(Version::v5, PacketType::connack, 1));
    EXPECT_TRUE(is_failure(Version::v5, PacketType::connack, 0x87));
    EXPECT_FALSE(is_failure(Version::v311, PacketType::suback, 2));
    EXPECT_TRUE(is_failure(Version::v311, PacketType::suback, 0x80));
    EXPECT_FALSE(is_failure(Version::v5, PacketType::puback, 0x10));
    EXPECT_TRUE(is_failure(Version::v5, PacketType::puback, 0x97));
}

TEST(MqttNames, PacketTypesAndErrors) {
    EXPECT_EQ(packet_type_name(PacketType::connack), "CONNACK");
    EXPECT_EQ(packet_type_name(PacketType::auth), "AUTH");
    EXPECT_EQ(error_name(Error::malformed_remaining_length), "malformed remaining length");
    EXPECT_EQ(error_name(Error::invalid_qos), "QoS 3");
}

// 3.1.1 §4.7 and 5.0 §4.7: the examples of the specification, then edge cases.
struct MatchCase {
    const char* filter;
    const char* topic;
    bool matches;
};

class TopicMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(TopicMatch, AsTheSpecSays) {
    const MatchCase& c = GetParam();
    EXPECT_TRUE(valid_filter(c.filter)) << c.filter;
    EXPECT_TRUE(valid_topic_name(c.topic)) << c.topic;
    EXPECT_EQ(topic_matches(c.filter, c.topic), c.matches) << c.filter << " ~ " << c.topic;
}

INSTANTIATE_TEST_SUITE_P(
    Spec, TopicMatch,
    ::testing::Values(
        // §4.7.1.2 multi-level wildcard
        MatchCase{"sport/tennis/player1/#", "sport/tennis/player1", true},
        MatchCase{"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        MatchCase{"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        MatchCase{"sport/tennis/player1/#", "sport/tennis/player2", false},
        MatchCase{"sport/#", "sport", true}, MatchCase{"#", "sport/tennis", true},
        MatchCase{"#", "/", true},
        // §4.7.1.3 single-level wildcard
        MatchCase{"sport/tennis/+", "sport/tennis/player1", true},
        MatchCase{"sport/tennis/+", "sport/tennis/player2", true},
        MatchCase{"sport/tennis/+", "sport/tennis/player1/ranking", false},
        MatchCase{"sport/+", "sport", false}, MatchCase{"sport/+", "sport/", true},
        MatchCase{"+/+", "/finance", true}, MatchCase{"/+", "/finance", true},
        MatchCase{"+", "/finance", false}, MatchCase{"+/tennis/#", "sport/tennis/player1", true},
        MatchCase{"sport/+/player1", "sport/tennis/player1", true},
        // §4.7.2 topics beginning with $
        MatchCase{"#", "$SYS/monitor/Clients", false},
        MatchCase{"+/monitor/Clients", "$SYS/monitor/Clients", false},
        MatchCase{"$SYS/#", "$SYS/monitor/Clients", true},
        MatchCase{"$SYS/monitor/+", "$SYS/monitor/Clients", true}, MatchCase{"$SYS", "$SYS", true},
        // §4.7.3 case sensitive, levels exact
        MatchCase{"ACCOUNTS", "Accounts", false}, MatchCase{"a/b", "a/b", true},
        MatchCase{"a/b", "a/c", false}, MatchCase{"a", "a/b", false}, MatchCase{"a/b", "a", false},
        MatchCase{"a/b/", "a/b", false}, MatchCase{"a//c", "a//c", true},
        MatchCase{"a/+/c", "a//c", true}));

TEST(TopicRules, ValidFilters) {
    for (const char* f : {"sport/tennis/#", "#", "sport/#", "+", "+/tennis/#", "sport/+/player1",
                          "/+", "+/+", "/", "$SYS/#", "a//b", "é/ü"}) {
        EXPECT_TRUE(valid_filter(f)) << f;
    }
    for (const std::string& f :
         {""s, "sport/tennis#"s, "sport/tennis/#/ranking"s, "sport+"s, "+sport"s, "##"s, "a/#b"s,
          "a\0b"s, "\xC3\x28"s, std::string(65536, 'a')}) {
        EXPECT_FALSE(valid_filter(f)) << f;
    }
}

TEST(TopicRules, ValidTopicNames) {
    for (const char* t : {"a", "/", "a/b", "$SYS/broker", "sport/tennis/player1", "é"}) {
        EXPECT_TRUE(valid_topic_name(t)) << t;
    }
    for (const std::string& t :
         {""s, "a/+"s, "#"s, "a/#"s, "a\0"s, "\xFF"s, std::string(65536, 'a')}) {
        EXPECT_FALSE(valid_topic_name(t)) << t;
    }
    EXPECT_TRUE(valid_topic_name(std::string(65535, 'a')));
}

}  // namespace
}  // namespace wsb::mqtt
