// MQTT Decoder: packet boundaries across feeds, then one decoding function per packet type a
// broker sends (3.1.1 §3, 5.0 §3), with the MQTT 5 properties walked and checked (§2.2.2).
#include "wsbench/proto/mqtt.hpp"

#include <algorithm>
#include <cstring>

#include "wsbench/utf8.hpp"

namespace wsb::mqtt {
namespace {

/// What a decoding function found: Error::ok, or an error and the field it is in.
struct Fault {
    Error error = Error::ok;
    std::string_view field;
};

constexpr Fault kOk{};

/// Bounds-checked big-endian reads over one packet's bytes.
struct Reader {
    const std::uint8_t* p;
    const std::uint8_t* end;

    std::size_t left() const noexcept { return static_cast<std::size_t>(end - p); }
    bool u8(std::uint8_t& v) noexcept {
        if (left() < 1) return false;
        v = *p++;
        return true;
    }
    bool u16(std::uint16_t& v) noexcept {
        if (left() < 2) return false;
        v = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
        p += 2;
        return true;
    }
    bool u32(std::uint32_t& v) noexcept {
        if (left() < 4) return false;
        v = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
            p[3];
        p += 4;
        return true;
    }
    /// Variable Byte Integer (5.0 §1.5.5): 1 read, 0 truncated, -1 more than 4 bytes.
    int varint(std::uint32_t& v) noexcept {
        v = 0;
        for (int i = 0; i < 4; ++i) {
            if (left() < 1) return 0;
            const std::uint8_t b = *p++;
            v |= std::uint32_t{b & 0x7Fu} << (7 * i);
            if ((b & 0x80) == 0) return 1;
        }
        return -1;
    }
    /// Two length bytes and that many bytes (§1.5.4 strings, §1.5.6 binary data).
    bool bytes(std::string_view& s) noexcept {
        std::uint16_t n = 0;
        if (!u16(n) || left() < n) return false;
        s = {reinterpret_cast<const char*>(p), n};
        p += n;
        return true;
    }
    std::string_view rest() noexcept {
        std::string_view s{reinterpret_cast<const char*>(p), left()};
        p = end;
        return s;
    }
};

/// An MQTT UTF-8 string: well-formed and without U+0000 (3.1.1 §1.5.3, 5.0 §1.5.4).
bool valid_string(std::string_view s) noexcept {
    return s.find('\0') == std::string_view::npos && is_valid_utf8(s);
}

bool one_of(std::uint8_t code, std::string_view allowed) noexcept {
    return allowed.find(static_cast<char>(code)) != std::string_view::npos;
}

// The reason codes each packet may carry (5.0 §2.4 and each packet's table).
constexpr std::string_view kConnackV5{
    "\x00\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8c\x90"
    "\x95\x97\x99\x9a\x9b\x9c\x9d\x9f",
    22};
constexpr std::string_view kPubackV5{"\x00\x10\x80\x83\x87\x90\x91\x97\x99", 9};
constexpr std::string_view kPubrelV5{"\x00\x92", 2};
constexpr std::string_view kSubackV311{"\x00\x01\x02\x80", 4};
constexpr std::string_view kSubackV5{"\x00\x01\x02\x80\x83\x87\x8f\x91\x97\x9e\xa1\xa2", 12};
constexpr std::string_view kUnsubackV5{"\x00\x11\x80\x83\x87\x8f\x91", 7};
constexpr std::string_view kDisconnectV5{
    "\x00\x04\x80\x81\x82\x83\x87\x89\x8b\x8d\x8e\x8f\x90"
    "\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
    "\xa0\xa1\xa2",
    29};
constexpr std::string_view kAuthV5{"\x00\x18\x19", 3};

enum class PropType : std::uint8_t { none, byte, two, four, varint, string, binary, pair };

/// The type of MQTT 5 property `id` (5.0 §2.2.2.2); none for an unknown identifier.
PropType prop_type(std::uint8_t id) noexcept {
    switch (id) {
        case 0x01:
        case 0x17:
        case 0x19:
        case 0x24:
        case 0x25:
        case 0x28:
        case 0x29:
        case 0x2A:
            return PropType::byte;
        case 0x13:
        case 0x21:
        case 0x22:
        case 0x23:
            return PropType::two;
        case 0x02:
        case 0x11:
        case 0x18:
        case 0x27:
            return PropType::four;
        case 0x0B:
            return PropType::varint;
        case 0x03:
        case 0x08:
        case 0x12:
        case 0x15:
        case 0x1A:
        case 0x1C:
        case 0x1F:
            return PropType::string;
        case 0x09:
        case 0x16:
            return PropType::binary;
        case 0x26:
            return PropType::pair;
        default:
            return PropType::none;
    }
}

/// Reads one property value of `type` into `num` / `str`; false when it runs past the end.
bool read_value(Reader& r, PropType type, std::uint32_t& num, std::string_view& str,
                bool& bad) noexcept {
    std::uint8_t b = 0;
    std::uint16_t w = 0;
    std::string_view second;
    switch (type) {
        case PropType::byte:
            if (!r.u8(b)) return false;
            num = b;
            return true;
        case PropType::two:
            if (!r.u16(w)) return false;
            num = w;
            return true;
        case PropType::four:
            return r.u32(num);
        case PropType::varint: {
            const int got = r.varint(num);
            bad = got < 0;
            return got != 0;
        }
        case PropType::string:
            if (!r.bytes(str)) return false;
            bad = !valid_string(str);
            return true;
        case PropType::binary:
            return r.bytes(str);
        case PropType::pair:  // User Property: two strings
            if (!r.bytes(str) || !r.bytes(second)) return false;
            bad = !valid_string(str) || !valid_string(second);
            return true;
        case PropType::none:
            break;
    }
    return false;
}

/// Keeps the properties a client acts upon; false for a value the spec forbids.
bool keep_property(std::uint8_t id, std::uint32_t num, std::string_view str, Packet& p) noexcept {
    switch (id) {
        case 0x12:
            p.assigned_client_id = str;
            break;
        case 0x13:
            p.server_keep_alive = static_cast<std::uint16_t>(num);
            break;
        case 0x1C:
            p.server_reference = str;
            break;
        case 0x1F:
            p.reason_string = str;
            break;
        case 0x21:
            p.receive_maximum = static_cast<std::uint16_t>(num);
            return num != 0;
        case 0x22:
            p.topic_alias_maximum = static_cast<std::uint16_t>(num);
            break;
        case 0x23:
            p.topic_alias = static_cast<std::uint16_t>(num);
            return num != 0;
        case 0x27:
            p.maximum_packet_size = num;
            return num != 0;
        case 0x0B:
            return num != 0;  // Subscription Identifier 0 is a Protocol Error
        default:
            return prop_type(id) != PropType::byte || num <= 1;  // byte flags: 0 or 1
    }
    return true;
}

/// "PUBACK properties", ...: the field named in a property error.
std::string_view properties_field(PacketType t) noexcept {
    switch (t) {
        case PacketType::connack:
            return "CONNACK properties";
        case PacketType::publish:
            return "PUBLISH properties";
        case PacketType::puback:
            return "PUBACK properties";
        case PacketType::pubrec:
            return "PUBREC properties";
        case PacketType::pubrel:
            return "PUBREL properties";
        case PacketType::pubcomp:
            return "PUBCOMP properties";
        case PacketType::suback:
            return "SUBACK properties";
        case PacketType::unsuback:
            return "UNSUBACK properties";
        case PacketType::disconnect:
            return "DISCONNECT properties";
        case PacketType::auth:
            return "AUTH properties";
        default:
            return "properties";
    }
}

/// The Property Length and the properties of a v5 packet (5.0 §2.2.2).
Fault read_properties(Reader& r, Packet& p) {
    const std::string_view what = properties_field(p.type);
    const std::string_view what_length = what;
    std::uint32_t length = 0;
    const int got = r.varint(length);
    if (got == 0) return {Error::truncated_field, what_length};
    if (got < 0) return {Error::malformed_properties, what_length};
    if (length > r.left()) return {Error::truncated_field, what};
    Reader props{r.p, r.p + length};
    r.p += length;
    p.properties = {reinterpret_cast<const char*>(props.p), length};
    while (props.left() > 0) {
        const std::uint8_t id = *props.p++;
        const PropType type = prop_type(id);
        if (type == PropType::none) return {Error::malformed_properties, what};
        std::uint32_t num = 0;
        std::string_view str;
        bool bad = false;
        if (!read_value(props, type, num, str, bad)) return {Error::truncated_field, what};
        if (bad) {
            return {type == PropType::varint ? Error::malformed_properties : Error::invalid_utf8,
                    what};
        }
        if (!keep_property(id, num, str, p)) return {Error::malformed_properties, what};
    }
    return kOk;
}

Fault at_end(const Reader& r, std::string_view what) {
    return r.left() == 0 ? kOk : Fault{Error::trailing_bytes, what};
}

Fault decode_connack(Reader& r, Version v, Packet& p) {
    if (p.flags != 0) return {Error::reserved_flags, "CONNACK fixed header flags"};
    std::uint8_t ack = 0;
    if (!r.u8(ack)) return {Error::truncated_field, "CONNACK acknowledge flags"};
    if ((ack & 0xFE) != 0) return {Error::invalid_connack_flags, "CONNACK acknowledge flags"};
    p.session_present = (ack & 1) != 0;
    if (!r.u8(p.reason_code)) return {Error::truncated_field, "CONNACK return code"};
    if (v == Version::v5 && r.left() > 0) {
        if (!one_of(p.reason_code, kConnackV5)) {
            return {Error::invalid_reason_code, "CONNACK reason code"};
        }
        if (Fault f = read_properties(r, p); f.error != Error::ok) return f;
    } else if (p.reason_code > 5 && !(v == Version::v5 && one_of(p.reason_code, kConnackV5))) {
        // 3.1.1 return codes 0-5; a v5 client may get them from a broker that refuses v5.
        return {Error::invalid_reason_code, "CONNACK return code"};
    }
    return at_end(r, "CONNACK");
}

Fault decode_publish(Reader& r, Version v, Packet& p) {
    p.dup = (p.flags & 0x08) != 0;
    p.qos = (p.flags >> 1) & 0x3;
    p.retain = (p.flags & 0x01) != 0;
    if (p.qos == 3) return {Error::invalid_qos, "PUBLISH QoS"};
    if (p.dup && p.qos == 0) return {Error::dup_on_qos0, "PUBLISH DUP flag"};
    if (!r.bytes(p.topic)) return {Error::truncated_field, "PUBLISH topic"};
    if (!valid_string(p.topic)) return {Error::invalid_utf8, "PUBLISH topic"};
    if (p.topic.find_first_of("+#") != std::string_view::npos) {
        return {Error::invalid_topic_name, "PUBLISH topic"};
    }
    if (p.qos > 0) {
        if (!r.u16(p.packet_id)) return {Error::truncated_field, "PUBLISH packet identifier"};
        if (p.packet_id == 0) return {Error::zero_packet_id, "PUBLISH packet identifier"};
    }
    if (v == Version::v5) {
        if (Fault f = read_properties(r, p); f.error != Error::ok) return f;
    }
    // An empty topic is allowed only with a Topic Alias (5.0 §3.3.2.3.4).
    if (p.topic.empty() && p.topic_alias == 0) return {Error::invalid_topic_name, "PUBLISH topic"};
    p.payload = r.rest();
    return kOk;
}

/// PUBACK, PUBREC, PUBREL, PUBCOMP (§3.4-3.7).
Fault decode_pub_ack(Reader& r, Version v, Packet& p) {
    const bool rel_or_comp = p.type == PacketType::pubrel || p.type == PacketType::pubcomp;
    const std::uint8_t want = p.type == PacketType::pubrel ? 0x2 : 0x0;
    const std::string_view name = packet_type_name(p.type);
    if (p.flags != want) return {Error::reserved_flags, name};
    if (!r.u16(p.packet_id)) return {Error::truncated_field, name};
    if (p.packet_id == 0) return {Error::zero_packet_id, name};
    if (v == Version::v5 && r.left() > 0) {
        r.u8(p.reason_code);
        if (!one_of(p.reason_code, rel_or_comp ? kPubrelV5 : kPubackV5)) {
            return {Error::invalid_reason_code, name};
        }
        if (r.left() > 0) {
            if (Fault f = read_properties(r, p); f.error != Error::ok) return f;
        }
    }
    return at_end(r, name);
}

/// SUBACK (§3.9) and UNSUBACK (§3.11).
Fault decode_sub_ack(Reader& r, Version v, Packet& p) {
    const bool sub = p.type == PacketType::suback;
    const std::string_view name = sub ? "SUBACK" : "UNSUBACK";
    if (p.flags != 0) return {Error::reserved_flags, name};
    if (!r.u16(p.packet_id)) return {Error::truncated_field, name};
    if (p.packet_id == 0) return {Error::zero_packet_id, name};
    if (v == Version::v5) {
        if (Fault f = read_properties(r, p); f.error != Error::ok) return f;
    } else if (!sub) {
        return at_end(r, name);  // 3.1.1 UNSUBACK is the packet identifier alone
    }
    p.reason_codes = r.rest();
    if (p.reason_codes.empty()) return {Error::missing_reason_codes, name};
    const std::string_view allowed = !sub               ? kUnsubackV5
                                     : v == Version::v5 ? kSubackV5
                                                        : kSubackV311;
    for (const char c : p.reason_codes) {
        if (!one_of(static_cast<std::uint8_t>(c), allowed)) {
            return {Error::invalid_reason_code,
                    sub ? "SUBACK reason codes" : "UNSUBACK reason codes"};
        }
    }
    return kOk;
}

/// PINGRESP, and the v5-only DISCONNECT and AUTH: an optional reason code and properties.
Fault decode_short(Reader& r, Version v, Packet& p) {
    const std::string_view name = packet_type_name(p.type);
    if (p.flags != 0) return {Error::reserved_flags, name};
    if (p.type == PacketType::pingresp) return at_end(r, name);
    if (v != Version::v5) return {Error::unexpected_packet_type, name};
    if (r.left() > 0) {
        r.u8(p.reason_code);
        if (!one_of(p.reason_code, p.type == PacketType::auth ? kAuthV5 : kDisconnectV5)) {
            return {Error::invalid_reason_code, name};
        }
        if (r.left() > 0) {
            if (Fault f = read_properties(r, p); f.error != Error::ok) return f;
        }
    }
    return at_end(r, name);
}

}  // namespace

void Decoder::reset() noexcept {
    error_ = Error::ok;
    error_field_ = {};
    in_ = nullptr;
    in_size_ = in_pos_ = 0;
    buf_.clear();
    buf_pos_ = 0;
}

void Decoder::feed(const std::uint8_t* data, std::size_t size) {
    if (buf_pos_ == buf_.size()) {
        buf_.clear();
        buf_pos_ = 0;
    }
    if (in_pos_ < in_size_) {
        // Unread bytes of the previous feed: keep a copy, the caller may reuse its buffer.
        buf_.erase(0, buf_pos_);
        buf_pos_ = 0;
        buf_.append(reinterpret_cast<const char*>(in_ + in_pos_), in_size_ - in_pos_);
    }
    in_ = data;
    in_size_ = size;
    in_pos_ = 0;
}

Decoder::Status Decoder::fail(Error e, std::string_view field) {
    error_ = e;
    error_field_ = field;
    return Status::error;
}

std::size_t Decoder::packet_size(const std::uint8_t* data, std::size_t size, bool& bad) {
    bad = false;
    std::uint32_t length = 0;
    for (std::size_t i = 1; i <= 4; ++i) {
        if (i >= size) return 0;
        length |= std::uint32_t{data[i] & 0x7Fu} << (7 * (i - 1));
        if ((data[i] & 0x80) == 0) {
            const std::size_t total = 1 + i + length;
            if (total > max_packet_size_) {
                bad = true;
                fail(Error::packet_too_large, packet_type_name(PacketType(data[0] >> 4)));
            }
            return total;
        }
    }
    bad = true;
    fail(Error::malformed_remaining_length, "remaining length");
    return 0;
}

Decoder::Status Decoder::next(Packet& p) {
    if (error_ != Error::ok) return Status::error;
    if (buf_pos_ < buf_.size()) return next_buffered(p);
    buf_.clear();
    buf_pos_ = 0;
    const std::size_t avail = in_size_ - in_pos_;
    if (avail == 0) return Status::need_more;
    const std::uint8_t* data = in_ + in_pos_;
    bool bad = false;
    const std::size_t total = packet_size(data, avail, bad);
    if (bad) return Status::error;
    if (total == 0 || total > avail) {
        // The feed ends inside this packet: keep its start for the next feed.
        buf_.append(reinterpret_cast<const char*>(data), avail);
        in_pos_ = in_size_;
        return Status::need_more;
    }
    in_pos_ += total;
    return decode(data, total, p);
}

Decoder::Status Decoder::next_buffered(Packet& p) {
    std::size_t total = 0;
    for (;;) {
        const std::size_t have = buf_.size() - buf_pos_;
        const auto* start = reinterpret_cast<const std::uint8_t*>(buf_.data()) + buf_pos_;
        bool bad = false;
        total = packet_size(start, have, bad);
        if (bad) return Status::error;
        const std::size_t avail = in_size_ - in_pos_;
        if (total != 0 && have >= total) break;
        if (avail == 0) return Status::need_more;
        // A header arrives a byte at a time (at most 5); a body in one piece.
        const std::size_t take = total == 0 ? 1 : std::min(total - have, avail);
        buf_.append(reinterpret_cast<const char*>(in_ + in_pos_), take);
        in_pos_ += take;
    }
    const auto* start = reinterpret_cast<const std::uint8_t*>(buf_.data()) + buf_pos_;
    buf_pos_ += total;
    return decode(start, total, p);
}

Decoder::Status Decoder::decode(const std::uint8_t* data, std::size_t size, Packet& p) {
    p = Packet{};
    p.type = static_cast<PacketType>(data[0] >> 4);
    p.flags = data[0] & 0x0F;
    p.size = static_cast<std::uint32_t>(size);
    std::size_t header = 2;
    while (data[header - 1] & 0x80) ++header;
    Reader r{data + header, data + size};
    Fault f;
    switch (p.type) {
        case PacketType::connack:
            f = decode_connack(r, version_, p);
            break;
        case PacketType::publish:
            f = decode_publish(r, version_, p);
            break;
        case PacketType::puback:
        case PacketType::pubrec:
        case PacketType::pubrel:
        case PacketType::pubcomp:
            f = decode_pub_ack(r, version_, p);
            break;
        case PacketType::suback:
        case PacketType::unsuback:
            f = decode_sub_ack(r, version_, p);
            break;
        case PacketType::pingresp:
        case PacketType::disconnect:
        case PacketType::auth:
            f = decode_short(r, version_, p);
            break;
        case PacketType::reserved:
            f = {Error::reserved_packet_type, "packet type 0"};
            break;
        default:
            f = {Error::unexpected_packet_type, packet_type_name(p.type)};
            break;
    }
    if (f.error != Error::ok) return fail(f.error, f.field);
    return Status::packet;
}

}  // namespace wsb::mqtt
