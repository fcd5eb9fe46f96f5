// MQTT encoders: the packets a client sends (3.1.1 §3, 5.0 §3), appended to a reused buffer.
#include <cstdint>
#include <string>

#include "wsbench/proto/mqtt.hpp"

namespace wsb::mqtt {
namespace {

constexpr std::size_t kMaxString = 0xFFFF;

constexpr std::size_t varint_size(std::size_t n) noexcept {
    return n < 128 ? 1 : n < 16'384 ? 2 : n < 2'097'152 ? 3 : 4;
}

/// Variable Byte Integer (5.0 §1.5.5, 3.1.1 §2.2.3 Remaining Length).
void put_varint(std::string& out, std::size_t n) {
    do {
        auto byte = static_cast<std::uint8_t>(n & 0x7F);
        n >>= 7;
        if (n != 0) byte |= 0x80;
        out.push_back(static_cast<char>(byte));
    } while (n != 0);
}

void put_u16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xFF));
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

/// UTF-8 string or binary data: two length bytes, then the bytes (§1.5.4, §1.5.6).
void put_string(std::string& out, std::string_view s) {
    put_u16(out, static_cast<std::uint16_t>(s.size()));
    out.append(s);
}

/// Checks the size and appends the fixed header; the caller appends `remaining` bytes next.
Error begin(std::string& out, std::uint8_t first, std::size_t remaining) {
    if (remaining > kMaxRemainingLength) return Error::packet_too_large;
    out.reserve(out.size() + 1 + varint_size(remaining) + remaining);
    out.push_back(static_cast<char>(first));
    put_varint(out, remaining);
    return Error::ok;
}

constexpr std::uint8_t first_byte(PacketType t, std::uint8_t flags = 0) noexcept {
    return static_cast<std::uint8_t>((static_cast<std::uint8_t>(t) << 4) | (flags & 0x0F));
}

}  // namespace

Error encode_connect(std::string& out, const ConnectOptions& o) {
    const bool v5 = o.version == Version::v5;
    if (o.client_id.size() > kMaxString || (o.username && o.username->size() > kMaxString) ||
        (o.password && o.password->size() > kMaxString)) {
        return Error::field_too_long;
    }
    // Properties: Session Expiry Interval (0x11, four bytes) when asked for (5.0 §3.1.2.11.2).
    const std::size_t props = v5 && o.session_expiry_s != 0 ? 5 : 0;
    std::size_t remaining = 10 + 2 + o.client_id.size();  // name, level, flags, keepalive, id
    if (v5) remaining += varint_size(props) + props;
    if (o.username) remaining += 2 + o.username->size();
    if (o.password) remaining += 2 + o.password->size();
    if (const Error e = begin(out, first_byte(PacketType::connect), remaining); e != Error::ok)
        return e;

    put_string(out, "MQTT");
    out.push_back(static_cast<char>(o.version));
    std::uint8_t flags = o.clean_start ? 0x02 : 0x00;  // §3.1.2.3: bit 0 reserved
    if (o.username) flags |= 0x80;
    if (o.password) flags |= 0x40;
    out.push_back(static_cast<char>(flags));
    put_u16(out, o.keepalive_s);
    if (v5) {
        put_varint(out, props);
        if (props != 0) {
            out.push_back(0x11);
            put_u32(out, o.session_expiry_s);
        }
    }
    put_string(out, o.client_id);
    if (o.username) put_string(out, *o.username);
    if (o.password) put_string(out, *o.password);
    return Error::ok;
}

Error encode_subscribe(std::string& out, Version v, std::uint16_t packet_id,
                       std::string_view filter, const SubscribeOptions& o) {
    if (filter.size() > kMaxString) return Error::field_too_long;
    const bool v5 = v == Version::v5;
    const std::size_t remaining = 2 + (v5 ? 1 : 0) + 2 + filter.size() + 1;
    // §3.8.1: the flags of SUBSCRIBE are 0010.
    if (const Error e = begin(out, first_byte(PacketType::subscribe, 0x2), remaining);
        e != Error::ok)
        return e;
    put_u16(out, packet_id);
    if (v5) out.push_back(0);  // no properties
    put_string(out, filter);
    std::uint8_t options = o.qos & 0x3;
    if (v5) {
        if (o.no_local) options |= 0x04;
        if (o.retain_as_published) options |= 0x08;
        options |= static_cast<std::uint8_t>((o.retain_handling & 0x3) << 4);
    }
    out.push_back(static_cast<char>(options));
    return Error::ok;
}

Error encode_unsubscribe(std::string& out, Version v, std::uint16_t packet_id,
                         std::string_view filter) {
    if (filter.size() > kMaxString) return Error::field_too_long;
    const bool v5 = v == Version::v5;
    const std::size_t remaining = 2 + (v5 ? 1 : 0) + 2 + filter.size();
    // §3.10.1: the flags of UNSUBSCRIBE are 0010.
    if (const Error e = begin(out, first_byte(PacketType::unsubscribe, 0x2), remaining);
        e != Error::ok)
        return e;
    put_u16(out, packet_id);
    if (v5) out.push_back(0);
    put_string(out, filter);
    return Error::ok;
}

Error encode_publish(std::string& out, Version v, const Publish& p) {
    if (p.topic.size() > kMaxString) return Error::field_too_long;
    const bool v5 = v == Version::v5;
    const std::size_t remaining =
        2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + p.payload.size();
    const auto flags = static_cast<std::uint8_t>((p.dup ? 0x08 : 0) | ((p.qos & 0x3) << 1) |
                                                 (p.retain ? 0x01 : 0));
    if (const Error e = begin(out, first_byte(PacketType::publish, flags), remaining);
        e != Error::ok)
        return e;
    put_string(out, p.topic);
    if (p.qos > 0) put_u16(out, p.packet_id);
    if (v5) out.push_back(0);
    out.append(p.payload);
    return Error::ok;
}

Error encode_pub_ack(std::string& out, Version v, PacketType type, std::uint16_t packet_id,
                     std::uint8_t reason) {
    const bool with_reason = v == Version::v5 && reason != 0;
    // §3.6.1: the flags of PUBREL are 0010; the others' are 0.
    const std::uint8_t flags = type == PacketType::pubrel ? 0x2 : 0x0;
    begin(out, first_byte(type, flags), with_reason ? 3 : 2);
    put_u16(out, packet_id);
    if (with_reason) out.push_back(static_cast<char>(reason));
    return Error::ok;
}

void encode_pingreq(std::string& out) {
    out.push_back(static_cast<char>(first_byte(PacketType::pingreq)));
    out.push_back(0);
}

void encode_disconnect(std::string& out, Version v, std::uint8_t reason) {
    out.push_back(static_cast<char>(first_byte(PacketType::disconnect)));
    if (v == Version::v5 && reason != 0) {
        out.push_back(1);
        out.push_back(static_cast<char>(reason));
    } else {
        out.push_back(0);
    }
}

}  // namespace wsb::mqtt
