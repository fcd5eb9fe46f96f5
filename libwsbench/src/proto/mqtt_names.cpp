// MQTT names (packet types, decoder errors, return and reason codes) and topic rules: valid
// names and filters, and wildcard matching (3.1.1 §4.7, 5.0 §4.7).
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "wsbench/proto/mqtt.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::mqtt {

std::string_view packet_type_name(PacketType type) noexcept {
    static constexpr std::string_view kNames[] = {
        "reserved", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
        "PUBREL",   "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
        "PINGREQ",  "PINGRESP", "DISCONNECT", "AUTH"};
    return kNames[static_cast<std::uint8_t>(type) & 0x0F];
}

std::string_view error_name(Error e) noexcept {
    switch (e) {
        case Error::ok:
            return "ok";
        case Error::malformed_remaining_length:
            return "malformed remaining length";
        case Error::packet_too_large:
            return "packet too large";
        case Error::reserved_packet_type:
            return "reserved packet type";
        case Error::unexpected_packet_type:
            return "unexpected packet type";
        case Error::reserved_flags:
            return "reserved flags";
        case Error::invalid_qos:
            return "QoS 3";
        case Error::dup_on_qos0:
            return "DUP flag on QoS 0";
        case Error::truncated_field:
            return "truncated field";
        case Error::trailing_bytes:
            return "trailing bytes";
        case Error::invalid_utf8:
            return "invalid UTF-8 string";
        case Error::invalid_topic_name:
            return "invalid topic name";
        case Error::zero_packet_id:
            return "packet identifier 0";
        case Error::malformed_properties:
            return "malformed properties";
        case Error::invalid_reason_code:
            return "invalid reason code";
        case Error::missing_reason_codes:
            return "missing reason codes";
        case Error::invalid_connack_flags:
            return "invalid CONNACK flags";
        case Error::field_too_long:
            return "field too long";
    }
    return "unknown error";
}

namespace {

/// 3.1.1 CONNACK return codes (§3.2.2.3).
std::string_view connack_v311(std::uint8_t code) noexcept {
    static constexpr std::string_view kNames[] = {
        "connection accepted", "unacceptable protocol version", "identifier rejected",
        "server unavailable",  "bad user name or password",     "not authorized"};
    return code < 6 ? kNames[code] : "unknown reason code";
}

/// MQTT 5 reason codes 0x80 and above (5.0 §2.4), the same in every packet.
std::string_view failure_v5(std::uint8_t code) noexcept {
    static constexpr std::string_view kNames[] = {
        "Unspecified error",
        "Malformed Packet",
        "Protocol Error",
        "Implementation specific error",
        "Unsupported Protocol Version",
        "Client Identifier not valid",
        "Bad User Name or Password",
        "Not authorized",
        "Server unavailable",
        "Server busy",
        "Banned",
        "Server shutting down",
        "Bad authentication method",
        "Keep Alive timeout",
        "Session taken over",
        "Topic Filter invalid",
        "Topic Name invalid",
        "Packet Identifier in use",
        "Packet Identifier not found",
        "Receive Maximum exceeded",
        "Topic Alias invalid",
        "Packet too large",
        "Message rate too high",
        "Quota exceeded",
        "Administrative action",
        "Payload format invalid",
        "Retain not supported",
        "QoS not supported",
        "Use another server",
        "Server moved",
        "Shared Subscriptions not supported",
        "Connection rate exceeded",
        "Maximum connect time",
        "Subscription Identifiers not supported",
        "Wildcard Subscriptions not supported",
    };
    // 0x80-0xA2 are all defined.
    const unsigned i = code - 0x80u;
    return code >= 0x80 && i < std::size(kNames) ? kNames[i] : "unknown reason code";
}

}  // namespace

std::string_view reason_name(Version v, PacketType type, std::uint8_t code) noexcept {
    if (v == Version::v311) {
        if (type == PacketType::connack) return connack_v311(code);
        if (type == PacketType::suback) {
            if (code <= 2) {
                static constexpr std::string_view kGranted[] = {"granted QoS 0", "granted QoS 1",
                                                                "granted QoS 2"};
                return kGranted[code];
            }
            return code == 0x80 ? "failure" : "unknown reason code";
        }
        return "unknown reason code";
    }
    if (code >= 0x80) return failure_v5(code);
    switch (code) {
        case 0x00:
            if (type == PacketType::disconnect) return "Normal disconnection";
            if (type == PacketType::suback) return "Granted QoS 0";
            return "Success";
        case 0x01:
            return type == PacketType::suback ? "Granted QoS 1" : connack_v311(code);
        case 0x02:
            return type == PacketType::suback ? "Granted QoS 2" : connack_v311(code);
        case 0x04:
            return type == PacketType::disconnect ? "Disconnect with Will Message"
                                                  : connack_v311(code);
        case 0x10:
            return "No matching subscribers";
        case 0x11:
            return "No subscription existed";
        case 0x18:
            return "Continue authentication";
        case 0x19:
            return "Re-authenticate";
        default:
            // A broker that refuses MQTT 5 answers with a 3.1.1 return code (1-5).
            return type == PacketType::connack ? connack_v311(code) : "unknown reason code";
    }
}

bool is_failure(Version v, PacketType type, std::uint8_t code) noexcept {
    if (type == PacketType::connack) return code != 0;
    return v == Version::v311 ? code == 0x80 : code >= 0x80;
}

namespace {

/// 1-65535 bytes of UTF-8 without U+0000 (§1.5.3 / §1.5.4).
bool valid_topic_string(std::string_view s) noexcept {
    return !s.empty() && s.size() <= 0xFFFF && s.find('\0') == std::string_view::npos &&
           is_valid_utf8(s);
}

}  // namespace

bool valid_topic_name(std::string_view topic) noexcept {
    return valid_topic_string(topic) && topic.find_first_of("+#") == std::string_view::npos;
}

bool valid_filter(std::string_view filter) noexcept {
    if (!valid_topic_string(filter)) return false;
    for (std::size_t i = 0; i < filter.size(); ++i) {
        const char c = filter[i];
        if (c != '+' && c != '#') continue;
        // A wildcard occupies its whole level; # only the last one (§4.7.1.2, §4.7.1.3).
        const bool level_start = i == 0 || filter[i - 1] == '/';
        const bool level_end = i + 1 == filter.size() || filter[i + 1] == '/';
        if (!level_start || !level_end) return false;
        if (c == '#' && i + 1 != filter.size()) return false;
    }
    return true;
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
    // §4.7.2: a filter starting with a wildcard does not match topics starting with $.
    if (!topic.empty() && topic[0] == '$' && !filter.empty() &&
        (filter[0] == '+' || filter[0] == '#')) {
        return false;
    }
    std::size_t f = 0;
    std::size_t t = 0;
    for (;;) {
        // One level of each: [f, f_end) and [t, t_end).
        const std::size_t f_end = std::min(filter.find('/', f), filter.size());
        const std::string_view level = filter.substr(f, f_end - f);
        if (level == "#") return true;  // this level and everything below, or the parent
        const std::size_t t_end = std::min(topic.find('/', t), topic.size());
        if (level != "+" && level != topic.substr(t, t_end - t)) return false;
        const bool f_last = f_end == filter.size();
        const bool t_last = t_end == topic.size();
        if (f_last && t_last) return true;
        if (f_last) return false;
        if (t_last) {
            // The topic has no more levels: only a trailing "/#" still matches ("sport/#"
            // matches "sport").
            return filter.substr(f_end) == "/#";
        }
        f = f_end + 1;
        t = t_end + 1;
    }
}

}  // namespace wsb::mqtt
