// mqtt::Decoder: every packet type a broker sends, in 3.1.1 and 5.0, from bytes written out
// by hand from the specifications; streams fed whole, split at every byte and at every pair
// of positions; several packets in one feed; and each malformed input with its named error.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "wsbench/proto/mqtt.hpp"

namespace wsb::mqtt {
namespace {

using namespace std::string_literals;

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

/// A decoded packet with its views copied, to compare across feeds.
struct Owned {
    PacketType type = PacketType::reserved;
    std::uint32_t size = 0;
    std::uint16_t packet_id = 0;
    std::string topic, payload, reason_codes, properties, reason_string, assigned_client_id;
    std::uint8_t qos = 0, reason_code = 0;
    bool retain = false, dup = false, session_present = false;
    std::optional<std::uint16_t> server_keep_alive;
    std::uint16_t topic_alias = 0, receive_maximum = 0;

    explicit Owned(const Packet& p)
        : type(p.type),
          size(p.size),
          packet_id(p.packet_id),
          topic(p.topic),
          payload(p.payload),
          reason_codes(p.reason_codes),
          properties(p.properties),
          reason_string(p.reason_string),
          assigned_client_id(p.assigned_client_id),
          qos(p.qos),
          reason_code(p.reason_code),
          retain(p.retain),
          dup(p.dup),
          session_present(p.session_present),
          server_keep_alive(p.server_keep_alive),
          topic_alias(p.topic_alias),
          receive_maximum(p.receive_maximum) {}
    bool operator==(const Owned& o) const {
        return type == o.type && size == o.size && packet_id == o.packet_id && topic == o.topic &&
               payload == o.payload && reason_codes == o.reason_codes &&
               properties == o.properties && reason_string == o.reason_string &&
               assigned_client_id == o.assigned_client_id && qos == o.qos &&
               reason_code == o.reason_code && retain == o.retain && dup == o.dup &&
               session_present == o.session_present && server_keep_alive == o.server_keep_alive &&
               topic_alias == o.topic_alias && receive_maximum == o.receive_maximum;
    }
};

struct Result {
    std::vector<Owned> packets;
    Error error = Error::ok;
    std::string field;
};

/// Feeds `wire` in pieces that end at `cuts` (ascending), reading packets after each feed.
Result decode(Version v, const std::string& wire, const std::vector<std::size_t>& cuts = {},
              std::uint32_t max = Decoder::kDefaultMaxPacketSize) {
    Decoder d(v, max);
    Result r;
    std::size_t begin = 0;
    std::vector<std::size_t> ends = cuts;
    ends.push_back(wire.size());
    for (const std::size_t end : ends) {
        // Each piece in a buffer of its own that is overwritten after use, as a reused read
        // buffer would be: packets must not point into old feeds.
        std::string piece = wire.substr(begin, end - begin);
        d.feed(piece);
        Packet p;
        Decoder::Status s;
        while ((s = d.next(p)) == Decoder::Status::packet) r.packets.emplace_back(p);
        if (s == Decoder::Status::error) {
            r.error = d.error();
            r.field = std::string(d.error_field());
            EXPECT_EQ(d.next(p), Decoder::Status::error);  // sticky
            return r;
        }
        piece.assign(piece.size(), '\xAA');
        begin = end;
    }
    return r;
}

Owned one(Version v, const std::string& wire) {
    const Result r = decode(v, wire);
    EXPECT_EQ(r.error, Error::ok) << error_name(r.error) << " in " << r.field;
    EXPECT_EQ(r.packets.size(), 1u);
    return r.packets.empty() ? Owned(Packet{}) : r.packets[0];
}

TEST(MqttDecoder, Connack311) {
    Owned p = one(Version::v311, hex("20 02 00 00"));
    EXPECT_EQ(p.type, PacketType::connack);
    EXPECT_FALSE(p.session_present);
    EXPECT_EQ(p.reason_code, 0);
    EXPECT_EQ(p.size, 4u);
    p = one(Version::v311, hex("20 02 01 00"));
    EXPECT_TRUE(p.session_present);
    p = one(Version::v311, hex("20 02 00 05"));
    EXPECT_EQ(p.reason_code, 5);
    EXPECT_EQ(reason_name(Version::v311, p.type, p.reason_code), "not authorized");
}

TEST(MqttDecoder, Connack5ReadsTheUsefulProperties) {
    // Assigned Client Identifier "abc", Server Keep Alive 30, Reason String "ok", Receive
    // Maximum 10, Maximum Packet Size 1024, Topic Alias Maximum 5, and a User Property.
    const std::string props =
        hex("12 0003 616263  13 001E  1F 0002 6F6B  21 000A  27 00000400"
            "22 0005  26 0001 6B 0001 76");
    const std::string wire =
        hex("20") + char(3 + props.size()) + hex("01 00") + char(props.size()) + props;
    const Result r = decode(Version::v5, wire);
    ASSERT_EQ(r.error, Error::ok) << error_name(r.error) << " in " << r.field;
    ASSERT_EQ(r.packets.size(), 1u);
    const Owned& p = r.packets[0];
    EXPECT_TRUE(p.session_present);
    EXPECT_EQ(p.assigned_client_id, "abc");
    EXPECT_EQ(p.server_keep_alive, 30);
    EXPECT_EQ(p.reason_string, "ok");
    EXPECT_EQ(p.receive_maximum, 10);
    EXPECT_EQ(p.properties, props);
    Decoder d(Version::v5);
    d.feed(wire);
    Packet raw;
    ASSERT_EQ(d.next(raw), Decoder::Status::packet);
    EXPECT_EQ(raw.maximum_packet_size, 1024u);
    EXPECT_EQ(raw.topic_alias_maximum, 5);
}

TEST(MqttDecoder, Connack5RefusalsAndA311Answer) {
    Owned p = one(Version::v5, hex("20 03 00 87 00"));
    EXPECT_EQ(reason_name(Version::v5, p.type, p.reason_code), "Not authorized");
    EXPECT_FALSE(p.server_keep_alive);
    // A broker without MQTT 5 answers a v5 CONNECT with a 3.1.1 CONNACK (5.0 §3.1.2.2).
    p = one(Version::v5, hex("20 02 00 01"));
    EXPECT_EQ(p.reason_code, 1);
    EXPECT_EQ(reason_name(Version::v5, p.type, p.reason_code), "unacceptable protocol version");
}

TEST(MqttDecoder, Publish311) {
    Owned p = one(Version::v311, hex("30 07 0003 612F62 6869"));
    EXPECT_EQ(p.type, PacketType::publish);
    EXPECT_EQ(p.topic, "a/b");
    EXPECT_EQ(p.payload, "hi");
    EXPECT_EQ(p.qos, 0);
    EXPECT_EQ(p.packet_id, 0);
    p = one(Version::v311, hex("3B 06 0001 61 000A 78"));  // DUP, QoS 1, RETAIN
    EXPECT_EQ(p.qos, 1);
    EXPECT_TRUE(p.dup);
    EXPECT_TRUE(p.retain);
    EXPECT_EQ(p.packet_id, 10);
    EXPECT_EQ(p.payload, "x");
    p = one(Version::v311, hex("34 05 0001 74 0102"));  // QoS 2, empty payload
    EXPECT_EQ(p.qos, 2);
    EXPECT_EQ(p.packet_id, 0x0102);
    EXPECT_EQ(p.payload, "");
}

TEST(MqttDecoder, Publish5SkipsPropertiesAndReadsTheTopicAlias) {
    // Payload Format Indicator 1, Topic Alias 3, User Property k=v, Subscription Identifier
    // 200 (two-byte Variable Byte Integer).
    const std::string props = hex("01 01  23 0003  26 0001 6B 0001 76  0B C801");
    const std::string wire = hex("32") + char(2 + 1 + 2 + 1 + props.size() + 4) +
                             hex("0001 61 0009") + char(props.size()) + props + "data";
    Owned p = one(Version::v5, wire);
    EXPECT_EQ(p.topic, "a");
    EXPECT_EQ(p.packet_id, 9);
    EXPECT_EQ(p.topic_alias, 3);
    EXPECT_EQ(p.payload, "data");
    // An empty topic name with a Topic Alias (5.0 §3.3.2.3.4).
    p = one(Version::v5, hex("30 08 0000 03 23 0003 7879"));
    EXPECT_EQ(p.topic, "");
    EXPECT_EQ(p.topic_alias, 3);
    EXPECT_EQ(p.payload, "xy");
}

TEST(MqttDecoder, PublishAcknowledgements) {
    const Result r = decode(Version::v311, hex("40 02 0007 50 02 0008 62 02 0009 70 02 000A"));
    ASSERT_EQ(r.error, Error::ok) << r.field;
    ASSERT_EQ(r.packets.size(), 4u);
    const PacketType types[] = {PacketType::puback, PacketType::pubrec, PacketType::pubrel,
                                PacketType::pubcomp};
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(r.packets[i].type, types[i]);
        EXPECT_EQ(r.packets[i].packet_id, 7 + i);
        EXPECT_EQ(r.packets[i].reason_code, 0);
    }
    // v5: reason code left out, given, given with properties (Reason String).
    Owned p = one(Version::v5, hex("40 02 0007"));
    EXPECT_EQ(p.reason_code, 0);
    p = one(Version::v5, hex("40 03 0007 10"));
    EXPECT_EQ(p.reason_code, 0x10);
    p = one(Version::v5, hex("40 09 0007 97 05 1F 0002 6E6F"));
    EXPECT_EQ(p.reason_code, 0x97);
    EXPECT_EQ(p.reason_string, "no");
    p = one(Version::v5, hex("70 03 0007 92"));
    EXPECT_EQ(p.reason_code, 0x92);
    p = one(Version::v5, hex("40 04 0007 00 00"));  // Success with empty properties
    EXPECT_EQ(p.reason_code, 0);
}

TEST(MqttDecoder, SubackAndUnsuback) {
    Owned p = one(Version::v311, hex("90 05 0001 01 80 00"));
    EXPECT_EQ(p.type, PacketType::suback);
    EXPECT_EQ(p.packet_id, 1);
    EXPECT_EQ(p.reason_codes, hex("01 80 00"));
    p = one(Version::v5, hex("90 05 0002 00 87 01"));
    EXPECT_EQ(p.reason_codes, hex("87 01"));
    p = one(Version::v5, hex("90 08 0002 04 1F 0001 78 A2"));
    EXPECT_EQ(p.reason_string, "x");
    EXPECT_EQ(p.reason_codes, hex("A2"));
    p = one(Version::v311, hex("B0 02 0003"));
    EXPECT_EQ(p.type, PacketType::unsuback);
    EXPECT_EQ(p.packet_id, 3);
    EXPECT_EQ(p.reason_codes, "");
    p = one(Version::v5, hex("B0 05 0003 00 11 00"));
    EXPECT_EQ(p.reason_codes, hex("11 00"));
}

TEST(MqttDecoder, PingrespDisconnectAndAuth) {
    EXPECT_EQ(one(Version::v311, hex("D0 00")).type, PacketType::pingresp);
    EXPECT_EQ(one(Version::v5, hex("D0 00")).type, PacketType::pingresp);
    Owned p = one(Version::v5, hex("E0 00"));
    EXPECT_EQ(p.type, PacketType::disconnect);
    EXPECT_EQ(p.reason_code, 0);
    p = one(Version::v5, hex("E0 01 8E"));
    EXPECT_EQ(reason_name(Version::v5, p.type, p.reason_code), "Session taken over");
    Decoder d(Version::v5);
    const std::string moved = hex("E0 0A 9C 08 1C 0005 6F74686572");  // Server Reference
    d.feed(moved);
    Packet raw;
    ASSERT_EQ(d.next(raw), Decoder::Status::packet);
    EXPECT_EQ(raw.reason_code, 0x9C);
    EXPECT_EQ(raw.server_reference, "other");
    p = one(Version::v5, hex("F0 00"));
    EXPECT_EQ(p.type, PacketType::auth);
    p = one(Version::v5, hex("F0 02 18 00"));
    EXPECT_EQ(p.reason_code, 0x18);
}

/// A stream of every packet type, for the split tests.
std::string stream311() {
    return hex("20 02 00 00  90 04 0001 01 80  30 07 0003 612F62 6869  32 06 0001 61 000A 78"
               "40 02 0001  50 02 0002  62 02 0003  70 02 0004  B0 02 0005  D0 00") +
           hex("30") + hex("C801") + hex("0001 74") + std::string(197, 'p') + hex("D0 00");
}

std::string stream5() {
    return hex(
        "20 0B 00 00 08 13 001E 12 0002 6964  90 05 0002 00 87 01"
        "32 0F 0001 61 0009 05 01 01 23 0003 64617461  30 08 0000 03 23 0003 7879"
        "40 09 0007 97 05 1F 0002 6E6F  40 02 0008  70 03 0007 92  B0 05 0003 00 11 00"
        "D0 00  F0 02 18 00  E0 01 8E");
}

TEST(MqttDecoder, StreamsSplitAtEveryByteGiveTheSamePackets) {
    for (const Version v : {Version::v311, Version::v5}) {
        const std::string wire = v == Version::v5 ? stream5() : stream311();
        const Result whole = decode(v, wire);
        ASSERT_EQ(whole.error, Error::ok) << whole.field;
        ASSERT_GE(whole.packets.size(), 10u);
        std::vector<std::size_t> bytewise;
        for (std::size_t i = 1; i < wire.size(); ++i) bytewise.push_back(i);
        EXPECT_TRUE(decode(v, wire, bytewise).packets == whole.packets);
        for (std::size_t i = 0; i <= wire.size(); ++i) {
            const Result r = decode(v, wire, {i});
            ASSERT_EQ(r.error, Error::ok) << "split at " << i;
            ASSERT_TRUE(r.packets == whole.packets) << "split at " << i;
        }
    }
}

TEST(MqttDecoder, StreamsSplitAtEveryPairOfPositionsGiveTheSamePackets) {
    const std::string wire = stream5();
    const Result whole = decode(Version::v5, wire);
    for (std::size_t i = 0; i <= wire.size(); ++i) {
        for (std::size_t j = i; j <= wire.size(); ++j) {
            const Result r = decode(Version::v5, wire, {i, j});
            ASSERT_TRUE(r.error == Error::ok && r.packets == whole.packets) << i << ", " << j;
        }
    }
}

TEST(MqttDecoder, PacketsWholeInAFeedAreViewsIntoIt) {
    const std::string wire = stream311();
    Decoder d(Version::v311);
    d.feed(wire);
    Packet p;
    int n = 0;
    while (d.next(p) == Decoder::Status::packet) {
        ++n;
        if (p.type == PacketType::publish) {
            EXPECT_GE(p.topic.data(), wire.data());
            EXPECT_LE(p.payload.data() + p.payload.size(), wire.data() + wire.size());
        }
    }
    EXPECT_EQ(n, 12);
    EXPECT_FALSE(d.failed());
    EXPECT_TRUE(d.at_packet_boundary());
}

TEST(MqttDecoder, FeedingAgainBeforeNeedMoreKeepsTheUnreadBytes) {
    const std::string first = hex("D0 00  40 02 0001  40 02 0002  30 04 0001 61");
    const std::string second = hex("78  D0 00");
    Decoder d;
    d.feed(first);
    Packet p;
    ASSERT_EQ(d.next(p), Decoder::Status::packet);
    EXPECT_EQ(p.type, PacketType::pingresp);
    d.feed(second);  // two PUBACKs and half a PUBLISH were unread
    std::vector<Owned> rest;
    while (d.next(p) == Decoder::Status::packet) rest.emplace_back(p);
    ASSERT_EQ(rest.size(), 4u);
    EXPECT_EQ(rest[0].packet_id, 1);
    EXPECT_EQ(rest[1].packet_id, 2);
    EXPECT_EQ(rest[2].payload, "x");
    EXPECT_EQ(rest[3].type, PacketType::pingresp);
    EXPECT_TRUE(d.at_packet_boundary());
}

TEST(MqttDecoder, PacketsAboveTheMaximumSizeAreRefusedFromTheirHeader) {
    const std::string wire = hex("30 0D 0001 61") + "0123456789";  // 15 bytes
    EXPECT_EQ(decode(Version::v311, wire, {}, 15).packets.size(), 1u);
    const Result r = decode(Version::v311, wire.substr(0, 2), {}, 14);
    EXPECT_EQ(r.error, Error::packet_too_large);  // before the body arrives
    EXPECT_EQ(r.field, "PUBLISH");
}

TEST(MqttDecoder, ResetStartsANewStream) {
    Decoder d;
    const std::string bad = hex("00 00");
    d.feed(bad);
    Packet p;
    EXPECT_EQ(d.next(p), Decoder::Status::error);
    d.reset();
    const std::string good = hex("D0 00 D0");
    d.feed(good);
    EXPECT_EQ(d.next(p), Decoder::Status::packet);
    EXPECT_EQ(d.next(p), Decoder::Status::need_more);
    EXPECT_FALSE(d.at_packet_boundary());
    d.reset();
    EXPECT_TRUE(d.at_packet_boundary());
}

struct BadCase {
    const char* name;
    Version version;
    std::string wire;
    Error error;
    const char* field;
};

class MqttDecoderMalformed : public ::testing::TestWithParam<BadCase> {};

TEST_P(MqttDecoderMalformed, GivesItsNamedError) {
    const BadCase& c = GetParam();
    // Whole, and byte by byte: the same error.
    std::vector<std::size_t> bytewise;
    for (std::size_t i = 1; i < c.wire.size(); ++i) bytewise.push_back(i);
    for (const auto& cuts : {std::vector<std::size_t>{}, bytewise}) {
        const Result r = decode(c.version, c.wire, cuts);
        EXPECT_EQ(r.error, c.error) << error_name(r.error) << " in " << r.field;
        EXPECT_EQ(r.field, c.field);
    }
}

const Version v3 = Version::v311;
const Version v5 = Version::v5;

INSTANTIATE_TEST_SUITE_P(
    Table, MqttDecoderMalformed,
    ::testing::Values(
        BadCase{"RemainingLength5Bytes", v3, hex("30 FF FF FF FF 01"),
                Error::malformed_remaining_length, "remaining length"},
        BadCase{"ReservedType", v3, hex("00 00"), Error::reserved_packet_type, "packet type 0"},
        BadCase{"Connect", v3, hex("10 00"), Error::unexpected_packet_type, "CONNECT"},
        BadCase{"Subscribe", v3, hex("82 00"), Error::unexpected_packet_type, "SUBSCRIBE"},
        BadCase{"Pingreq", v5, hex("C0 00"), Error::unexpected_packet_type, "PINGREQ"},
        BadCase{"Disconnect311", v3, hex("E0 00"), Error::unexpected_packet_type, "DISCONNECT"},
        BadCase{"Auth311", v3, hex("F0 00"), Error::unexpected_packet_type, "AUTH"},
        BadCase{"ConnackFlags", v3, hex("21 02 00 00"), Error::reserved_flags,
                "CONNACK fixed header flags"},
        BadCase{"ConnackAckFlags", v3, hex("20 02 02 00"), Error::invalid_connack_flags,
                "CONNACK acknowledge flags"},
        BadCase{"ConnackCode6", v3, hex("20 02 00 06"), Error::invalid_reason_code,
                "CONNACK return code"},
        BadCase{"ConnackShort", v3, hex("20 01 00"), Error::truncated_field, "CONNACK return code"},
        BadCase{"ConnackLong", v3, hex("20 03 00 00 00"), Error::trailing_bytes, "CONNACK"},
        BadCase{"Connack5Code", v5, hex("20 03 00 10 00"), Error::invalid_reason_code,
                "CONNACK reason code"},
        BadCase{"Qos3", v3, hex("36 05 0001 61 0001"), Error::invalid_qos, "PUBLISH QoS"},
        BadCase{"DupQos0", v3, hex("38 04 0001 61 78"), Error::dup_on_qos0, "PUBLISH DUP flag"},
        BadCase{"TopicTruncated", v3, hex("30 02 0005"), Error::truncated_field, "PUBLISH topic"},
        BadCase{"PacketIdTruncated", v3, hex("32 04 0001 61 00"), Error::truncated_field,
                "PUBLISH packet identifier"},
        BadCase{"TopicBadUtf8", v3, hex("30 04 0002 C328"), Error::invalid_utf8, "PUBLISH topic"},
        BadCase{"TopicNul", v3, hex("30 04 0002 6100"), Error::invalid_utf8, "PUBLISH topic"},
        BadCase{"TopicWildcard", v3, hex("30 04 0002 612B"), Error::invalid_topic_name,
                "PUBLISH topic"},
        BadCase{"TopicEmpty", v3, hex("30 02 0000"), Error::invalid_topic_name, "PUBLISH topic"},
        BadCase{"TopicEmptyNoAlias", v5, hex("30 03 0000 00"), Error::invalid_topic_name,
                "PUBLISH topic"},
        BadCase{"PublishId0", v3, hex("32 05 0001 61 0000"), Error::zero_packet_id,
                "PUBLISH packet identifier"},
        BadCase{"TopicAlias0", v5, hex("30 07 0001 61 03 23 0000"), Error::malformed_properties,
                "PUBLISH properties"},
        BadCase{"PropertiesLength5Bytes", v5, hex("30 07 0001 61 FF FF FF FF"),
                Error::malformed_properties, "PUBLISH properties"},
        BadCase{"PropertiesTooLong", v5, hex("40 05 0001 00 05 1F"), Error::truncated_field,
                "PUBACK properties"},
        BadCase{"PropertyTruncated", v5, hex("40 06 0001 00 02 1F 00"), Error::truncated_field,
                "PUBACK properties"},
        BadCase{"UnknownProperty", v5, hex("40 06 0001 00 02 05 00"), Error::malformed_properties,
                "PUBACK properties"},
        BadCase{"ReasonStringBadUtf8", v5, hex("40 08 0001 00 04 1F 0001 FF"), Error::invalid_utf8,
                "PUBACK properties"},
        BadCase{"MaximumQosTwo", v5, hex("20 05 00 00 02 24 02"), Error::malformed_properties,
                "CONNACK properties"},
        BadCase{"PubackLong311", v3, hex("40 03 0001 00"), Error::trailing_bytes, "PUBACK"},
        BadCase{"PubackShort", v3, hex("40 01 00"), Error::truncated_field, "PUBACK"},
        BadCase{"PubackId0", v3, hex("40 02 0000"), Error::zero_packet_id, "PUBACK"},
        BadCase{"PubrelFlags", v3, hex("60 02 0001"), Error::reserved_flags, "PUBREL"},
        BadCase{"PubcompFlags", v3, hex("72 02 0001"), Error::reserved_flags, "PUBCOMP"},
        BadCase{"PubackReason", v5, hex("40 03 0001 05"), Error::invalid_reason_code, "PUBACK"},
        BadCase{"PubcompReason", v5, hex("70 03 0001 10"), Error::invalid_reason_code, "PUBCOMP"},
        BadCase{"SubackNoCodes", v3, hex("90 02 0001"), Error::missing_reason_codes, "SUBACK"},
        BadCase{"SubackCode3", v3, hex("90 03 0001 03"), Error::invalid_reason_code,
                "SUBACK reason codes"},
        BadCase{"SubackCode5Only", v3, hex("90 03 0001 87"), Error::invalid_reason_code,
                "SUBACK reason codes"},
        BadCase{"SubackFlags", v3, hex("92 03 0001 00"), Error::reserved_flags, "SUBACK"},
        BadCase{"Unsuback311Long", v3, hex("B0 03 0001 00"), Error::trailing_bytes, "UNSUBACK"},
        BadCase{"Unsuback5NoCodes", v5, hex("B0 03 0001 00"), Error::missing_reason_codes,
                "UNSUBACK"},
        BadCase{"Unsuback5Code", v5, hex("B0 04 0001 00 01"), Error::invalid_reason_code,
                "UNSUBACK reason codes"},
        BadCase{"PingrespLong", v3, hex("D0 01 00"), Error::trailing_bytes, "PINGRESP"},
        BadCase{"PingrespFlags", v3, hex("D1 00"), Error::reserved_flags, "PINGRESP"},
        BadCase{"DisconnectReason", v5, hex("E0 01 01"), Error::invalid_reason_code, "DISCONNECT"},
        BadCase{"AuthReason", v5, hex("F0 01 87"), Error::invalid_reason_code, "AUTH"}),
    [](const ::testing::TestParamInfo<BadCase>& param) { return std::string(param.param.name); });

TEST(MqttDecoder, AnErrorIsStickyAcrossFeeds) {
    Decoder d;
    const std::string qos3 = hex("36 05 0001 61 0001");
    d.feed(qos3);
    Packet p;
    EXPECT_EQ(d.next(p), Decoder::Status::error);
    EXPECT_EQ(d.error(), Error::invalid_qos);
    const std::string ping = hex("D0 00");
    d.feed(ping);
    EXPECT_EQ(d.next(p), Decoder::Status::error);
    EXPECT_EQ(d.error(), Error::invalid_qos);
    EXPECT_TRUE(d.failed());
}

}  // namespace
}  // namespace wsb::mqtt
