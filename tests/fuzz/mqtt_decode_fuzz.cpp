// libFuzzer target for mqtt::Decoder: any byte stream, MQTT 3.1.1 or 5, a random maximum
// packet size, fed whole, byte by byte, in random chunks, and in chunks fed before the
// previous ones were read out. Checks the invariants of every packet, that every way of
// feeding yields the same packets and the same error, and that a decoded PUBLISH encodes and
// decodes back to itself.
//
// Input: [flags][max packet size][split seed: 2 bytes][stream...]
//   flags bit 0: MQTT 5.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/proto/mqtt.hpp"

namespace {

using wsb::mqtt::Decoder;
using wsb::mqtt::Error;
using wsb::mqtt::Packet;
using wsb::mqtt::PacketType;
using wsb::mqtt::Version;

/// A packet with its views copied.
struct Owned {
    PacketType type;
    std::uint8_t flags, qos, reason_code;
    std::uint32_t size;
    std::uint16_t packet_id, topic_alias;
    bool retain, dup, session_present;
    std::string topic, payload, reason_codes, properties, reason_string;

    explicit Owned(const Packet& p)
        : type(p.type),
          flags(p.flags),
          qos(p.qos),
          reason_code(p.reason_code),
          size(p.size),
          packet_id(p.packet_id),
          topic_alias(p.topic_alias),
          retain(p.retain),
          dup(p.dup),
          session_present(p.session_present),
          topic(p.topic),
          payload(p.payload),
          reason_codes(p.reason_codes),
          properties(p.properties),
          reason_string(p.reason_string) {}
    bool operator==(const Owned& o) const {
        return type == o.type && flags == o.flags && qos == o.qos && reason_code == o.reason_code &&
               size == o.size && packet_id == o.packet_id && topic_alias == o.topic_alias &&
               retain == o.retain && dup == o.dup && session_present == o.session_present &&
               topic == o.topic && payload == o.payload && reason_codes == o.reason_codes &&
               properties == o.properties && reason_string == o.reason_string;
    }
};

struct Outcome {
    std::vector<Owned> packets;
    Error error = Error::ok;
    std::string field;
};

/// The invariants of one decoded packet.
void check_packet(const Packet& p, Version v, std::uint32_t max) {
    FUZZ_CHECK(p.size >= 2 && p.size <= max);
    switch (p.type) {
        case PacketType::publish:
            FUZZ_CHECK(p.qos <= 2);
            FUZZ_CHECK(!(p.dup && p.qos == 0));
            FUZZ_CHECK((p.qos == 0) == (p.packet_id == 0));
            FUZZ_CHECK(wsb::mqtt::valid_topic_name(p.topic) ||
                       (v == Version::v5 && p.topic.empty() && p.topic_alias != 0));
            FUZZ_CHECK(p.topic.size() + p.payload.size() + 2 < p.size);
            break;
        case PacketType::suback:
            FUZZ_CHECK(!p.reason_codes.empty() && p.packet_id != 0);
            break;
        case PacketType::connack:
        case PacketType::pingresp:
            FUZZ_CHECK(p.flags == 0 && p.packet_id == 0);
            break;
        case PacketType::puback:
        case PacketType::pubrec:
        case PacketType::pubrel:
        case PacketType::pubcomp:
        case PacketType::unsuback:
            FUZZ_CHECK(p.packet_id != 0);
            break;
        case PacketType::disconnect:
        case PacketType::auth:
            FUZZ_CHECK(v == Version::v5);
            break;
        default:
            FUZZ_CHECK(false);  // a broker sends nothing else
    }
    FUZZ_CHECK(v == Version::v5 || p.properties.empty());
    FUZZ_CHECK(!wsb::mqtt::reason_name(v, p.type, p.reason_code).empty());
}

/// Encodes a decoded PUBLISH again and decodes it: the same fields come back.
void check_round_trip(const Packet& p, Version v) {
    if (p.type != PacketType::publish || (v == Version::v5 && p.topic.empty())) return;
    std::string wire;
    const wsb::mqtt::Publish pub{p.topic, p.payload, p.qos, p.packet_id, p.retain, p.dup};
    FUZZ_CHECK(wsb::mqtt::encode_publish(wire, v, pub) == Error::ok);
    Decoder d(v, Decoder::kDefaultMaxPacketSize * 2);
    d.feed(wire);
    Packet q;
    FUZZ_CHECK(d.next(q) == Decoder::Status::packet);
    FUZZ_CHECK(q.topic == p.topic && q.payload == p.payload && q.qos == p.qos &&
               q.packet_id == p.packet_id && q.retain == p.retain && q.dup == p.dup);
    FUZZ_CHECK(d.next(q) == Decoder::Status::need_more && d.at_packet_boundary());
}

/// Feeds `wire` in the chunks `sizes`, reading at most `reads` packets after each feed
/// (then every packet once the input is all fed).
Outcome run(Version v, std::uint32_t max, const std::vector<std::uint8_t>& wire,
            const std::vector<std::size_t>& sizes, std::optional<std::size_t> reads) {
    Decoder d(v, max);
    Outcome out;
    std::size_t begin = 0;
    // Two buffers taking turns: bytes fed stay valid until the next feed() has returned (it
    // copies what was left unread), and are overwritten after that.
    std::vector<std::uint8_t> pieces[2];
    int turn = 0;
    auto drain = [&](std::optional<std::size_t> limit) {
        Packet p;
        for (std::size_t n = 0; !limit || n < *limit; ++n) {
            const Decoder::Status s = d.next(p);
            if (s == Decoder::Status::need_more) return true;
            if (s == Decoder::Status::error) {
                FUZZ_CHECK(d.failed() && d.error() != Error::ok && !d.error_field().empty());
                out.error = d.error();
                out.field = std::string(d.error_field());
                FUZZ_CHECK(d.next(p) == Decoder::Status::error && d.error() == out.error);
                return false;
            }
            check_packet(p, v, max);
            check_round_trip(p, v);
            out.packets.emplace_back(p);
        }
        return true;
    };
    for (const std::size_t chunk : sizes) {
        std::vector<std::uint8_t>& piece = pieces[turn];
        turn ^= 1;
        piece.assign(wire.begin() + begin, wire.begin() + begin + chunk);
        d.feed(piece.empty() ? nullptr : piece.data(), piece.size());
        pieces[turn].assign(pieces[turn].size(), 0xAA);  // the previous feed, now stale
        if (!drain(reads)) return out;
        begin += chunk;
        if (!reads) FUZZ_CHECK(!d.failed());
    }
    d.feed(nullptr, 0);
    pieces[turn ^ 1].assign(pieces[turn ^ 1].size(), 0xAA);
    if (!drain(std::nullopt)) return out;
    FUZZ_CHECK(!d.failed());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    const Version v = (in.u8() & 1) ? Version::v5 : Version::v311;
    const std::uint8_t sel = in.u8();
    // 0: the default; else 2-255 bytes or a power of two.
    const std::uint32_t max = sel == 0    ? Decoder::kDefaultMaxPacketSize
                              : sel < 200 ? std::uint32_t{sel} + 1
                                          : std::uint32_t{1} << (sel - 200 + 8) % 29;
    std::uint16_t seed = in.u16();
    if (seed < 2) seed = static_cast<std::uint16_t>(seed + 2);
    const std::vector<std::uint8_t> wire(in.rest(), in.rest() + in.rest_size());

    const Outcome whole = run(v, max, wire, wsb::fuzz::chunk_sizes(wire.size(), 0), {});
    const Outcome bytewise = run(v, max, wire, wsb::fuzz::chunk_sizes(wire.size(), 1), {});
    const auto chunks = wsb::fuzz::chunk_sizes(wire.size(), seed);
    const Outcome chunked = run(v, max, wire, chunks, {});
    const Outcome hurried = run(v, max, wire, chunks, std::size_t{1});  // feeds before reading
    for (const Outcome* o : {&bytewise, &chunked, &hurried}) {
        FUZZ_CHECK(o->error == whole.error);
        FUZZ_CHECK(o->field == whole.field);
        FUZZ_CHECK(o->packets == whole.packets);
    }
    return 0;
}
