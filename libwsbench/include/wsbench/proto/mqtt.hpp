// MQTT 3.1.1 and 5 client codec: encoders that append a client's packets to a reused buffer,
// an incremental decoder of what a broker sends (MQTT over WebSocket, where packets and
// WebSocket messages need not line up), reason code names and topic filter matching.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsb::mqtt {

/// Protocol level in CONNECT: 4 is MQTT 3.1.1, 5 is MQTT 5.0 (§3.1.2.2 in both).
enum class Version : std::uint8_t { v311 = 4, v5 = 5 };

/// MQTT Control Packet types (3.1.1 §2.2.1, 5.0 §2.1.2); 0 is reserved, AUTH is MQTT 5 only.
enum class PacketType : std::uint8_t {
    reserved = 0,
    connect = 1,
    connack = 2,
    publish = 3,
    puback = 4,
    pubrec = 5,
    pubrel = 6,
    pubcomp = 7,
    subscribe = 8,
    suback = 9,
    unsubscribe = 10,
    unsuback = 11,
    pingreq = 12,
    pingresp = 13,
    disconnect = 14,
    auth = 15,
};

/// "CONNACK", "PUBLISH", ... as the spec writes them.
std::string_view packet_type_name(PacketType type) noexcept;

/// What the decoder or an encoder found wrong. Each is a Malformed Packet or Protocol Error
/// (5.0 §4.13) a client closes the connection for.
enum class Error : std::uint8_t {
    ok = 0,
    malformed_remaining_length,  ///< Remaining Length of more than 4 bytes (§2.2.3 / §2.1.4)
    packet_too_large,            ///< packet above the decoder's maximum packet size
    reserved_packet_type,        ///< packet type 0 (§2.2.1)
    unexpected_packet_type,  ///< a packet a broker never sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE,
                             ///< PINGREQ; AUTH and DISCONNECT under 3.1.1)
    reserved_flags,          ///< fixed header flags other than the ones the type requires (§2.2.2)
    invalid_qos,             ///< PUBLISH with QoS 3 (§3.3.1.2)
    dup_on_qos0,             ///< PUBLISH with DUP set and QoS 0 (§3.3.1.1)
    truncated_field,         ///< a field runs past the end of the packet (error_field() names it)
    trailing_bytes,          ///< bytes after the last field of a fixed-size packet
    invalid_utf8,            ///< a UTF-8 string that is not well-formed or holds U+0000 (§1.5.3)
    invalid_topic_name,      ///< PUBLISH topic empty (without a v5 Topic Alias) or with + or #
    zero_packet_id,          ///< Packet Identifier 0 where a non-zero one is required (§2.3.1)
    malformed_properties,    ///< unknown property identifier or a bad property value (5.0 §2.2.2)
    invalid_reason_code,     ///< a return/reason code the packet cannot carry
    missing_reason_codes,    ///< SUBACK (or v5 UNSUBACK) without a single reason code
    invalid_connack_flags,   ///< CONNACK acknowledge flags with reserved bits set (§3.2.2.1)
    field_too_long,          ///< encoder: a string or binary field above 65535 bytes
};

/// Short description of an error ("malformed remaining length", ...).
std::string_view error_name(Error e) noexcept;

/// Largest Remaining Length a packet can announce (4 bytes of Variable Byte Integer).
inline constexpr std::uint32_t kMaxRemainingLength = 268'435'455;

// ---------------------------------------------------------------------------------------------
// Encoders. Each appends one packet to `out` (never clears it), computes lengths first and
// appends in place, so a reused buffer with enough capacity allocates nothing. They return
// Error::ok, or field_too_long / packet_too_large (a string above 65535 bytes, a packet above
// kMaxRemainingLength) and then leave `out` as it was. Values are not checked beyond what the
// wire format can hold (a QoS of 3 is encoded as given): validation is the caller's.

/// CONNECT (§3.1) options.
struct ConnectOptions {
    Version version = Version::v311;
    std::string_view client_id;  ///< may be empty with clean_start (broker assigns one)
    std::uint16_t keepalive_s = 60;
    bool clean_start = true;  ///< Clean Session in 3.1.1, Clean Start in 5.0
    std::optional<std::string_view> username;
    std::optional<std::string_view> password;  ///< 3.1.1 allows it only with a username
    std::uint32_t session_expiry_s = 0;  ///< v5: sent as a property when non-zero (§3.1.2.11.2)
};
Error encode_connect(std::string& out, const ConnectOptions& o);

/// Subscription options (5.0 §3.8.3.1); 3.1.1 sends only the QoS.
struct SubscribeOptions {
    std::uint8_t qos = 0;
    bool no_local = false;             ///< v5
    bool retain_as_published = false;  ///< v5
    std::uint8_t retain_handling = 0;  ///< v5: 0 send retained, 1 only if new, 2 never
};
/// SUBSCRIBE (§3.8) of one topic filter; v5 with empty properties.
Error encode_subscribe(std::string& out, Version v, std::uint16_t packet_id,
                       std::string_view filter, const SubscribeOptions& o = {});
/// UNSUBSCRIBE (§3.10) of one topic filter; v5 with empty properties.
Error encode_unsubscribe(std::string& out, Version v, std::uint16_t packet_id,
                         std::string_view filter);

/// PUBLISH (§3.3) fields.
struct Publish {
    std::string_view topic;
    std::string_view payload;
    std::uint8_t qos = 0;
    std::uint16_t packet_id = 0;  ///< written only when qos > 0
    bool retain = false;
    bool dup = false;
};
/// PUBLISH; v5 with empty properties.
Error encode_publish(std::string& out, Version v, const Publish& p);

/// PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4-3.7) for `packet_id`; v5 adds `reason` when it is
/// not 0 (Success), which 5.0 §3.4.2.1 lets a sender leave out. Any other `type` is encoded
/// with the flags of PUBACK, as given.
Error encode_pub_ack(std::string& out, Version v, PacketType type, std::uint16_t packet_id,
                     std::uint8_t reason = 0);
inline Error encode_puback(std::string& out, Version v, std::uint16_t id, std::uint8_t r = 0) {
    return encode_pub_ack(out, v, PacketType::puback, id, r);
}
inline Error encode_pubrec(std::string& out, Version v, std::uint16_t id, std::uint8_t r = 0) {
    return encode_pub_ack(out, v, PacketType::pubrec, id, r);
}
inline Error encode_pubrel(std::string& out, Version v, std::uint16_t id, std::uint8_t r = 0) {
    return encode_pub_ack(out, v, PacketType::pubrel, id, r);
}
inline Error encode_pubcomp(std::string& out, Version v, std::uint16_t id, std::uint8_t r = 0) {
    return encode_pub_ack(out, v, PacketType::pubcomp, id, r);
}

/// PINGREQ (§3.12): C0 00.
void encode_pingreq(std::string& out);
/// DISCONNECT (§3.14): E0 00, and under v5 with a non-zero `reason` E0 01 reason.
void encode_disconnect(std::string& out, Version v, std::uint8_t reason = 0);

// ---------------------------------------------------------------------------------------------
// Decoder.

/// One packet from a broker. Views point into the bytes given to Decoder::feed(), or into the
/// decoder's own buffer for a packet that arrived split across feeds; they stay valid until
/// the next call to next() or feed(). Fields a packet type lacks keep their defaults.
struct Packet {
    PacketType type = PacketType::reserved;
    std::uint8_t flags = 0;       ///< low 4 bits of the fixed header
    std::uint32_t size = 0;       ///< whole packet on the wire, fixed header included
    std::uint16_t packet_id = 0;  ///< PUBLISH (QoS > 0), PUB*, SUBACK, UNSUBACK

    // PUBLISH
    std::string_view topic;
    std::string_view payload;
    std::uint8_t qos = 0;
    bool retain = false;
    bool dup = false;

    // CONNACK: Session Present; the return code (3.1.1) or reason code (5.0).
    bool session_present = false;
    /// CONNACK, PUB*, DISCONNECT and AUTH (0 when the packet leaves it out, i.e. Success)
    std::uint8_t reason_code = 0;
    /// SUBACK (and v5 UNSUBACK): one return/reason code per topic filter, in order.
    std::string_view reason_codes;

    // MQTT 5 properties: the raw property bytes, plus the few a client acts upon.
    std::string_view properties;
    std::string_view reason_string;                  ///< 0x1F, any packet
    std::string_view assigned_client_id;             ///< 0x12, CONNACK
    std::optional<std::uint16_t> server_keep_alive;  ///< 0x13, CONNACK
    std::uint32_t maximum_packet_size = 0;           ///< 0x27, CONNACK (0: not given)
    std::uint16_t receive_maximum = 0;               ///< 0x21, CONNACK (0: not given)
    std::uint16_t topic_alias_maximum = 0;           ///< 0x22, CONNACK
    std::uint16_t topic_alias = 0;                   ///< 0x23, PUBLISH (0: none)
    std::string_view server_reference;               ///< 0x1C, CONNACK / DISCONNECT
};

/// Incremental decoder of the packets a broker sends to a client (MQTT over WebSocket: 5.0
/// §6 and 3.1.1 §6 let a packet span WebSocket messages and a message hold several packets).
///
/// ```
/// decoder.feed(message_bytes);
/// Packet p;
/// while (decoder.next(p) == Decoder::Status::packet) handle(p);
/// if (decoder.failed()) close with decoder.error(), decoder.error_field()
/// ```
/// next() decodes in place in the fed bytes; only the tail of a packet that the feed ends
/// inside is copied, into a buffer the decoder reuses (it grows to the largest split packet,
/// never beyond the maximum packet size). Feeding again before next() said need_more is
/// allowed: the unread bytes are copied into that buffer first.
///
/// Errors are sticky: once next() returned `error`, it returns it again and reads nothing.
class Decoder {
  public:
    enum class Status : std::uint8_t {
        packet,     ///< `p` holds a packet
        need_more,  ///< every byte fed was used; feed more
        error,      ///< the stream broke a rule: error() and error_field() say which
    };

    /// Default maximum packet size: 1 MiB (above it: Error::packet_too_large).
    static constexpr std::uint32_t kDefaultMaxPacketSize = 1u << 20;

    explicit Decoder(Version version = Version::v311,
                     std::uint32_t max_packet_size = kDefaultMaxPacketSize) noexcept
        : version_(version), max_packet_size_(max_packet_size) {}

    /// Hands the decoder the next bytes of the stream; they must stay unchanged until next()
    /// returns need_more, or else until the next feed() has returned (it copies the bytes
    /// left unread).
    void feed(const std::uint8_t* data, std::size_t size);
    void feed(std::string_view bytes) {
        feed(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    /// A temporary string would be gone before next() reads it.
    void feed(std::string&&) = delete;

    /// Decodes the next packet into `p`.
    Status next(Packet& p);

    /// Back to the start of a stream (keeps the version, the limit and the buffer's capacity).
    void reset() noexcept;
    /// The version that decides the v5 fields (properties, reason codes); set it before the
    /// CONNACK arrives when a broker may answer a v5 CONNECT with a 3.1.1 refusal.
    void set_version(Version v) noexcept { version_ = v; }
    Version version() const noexcept { return version_; }

    bool failed() const noexcept { return error_ != Error::ok; }
    Error error() const noexcept { return error_; }
    /// The packet and field the error was found in ("PUBLISH topic", "SUBACK reason codes").
    std::string_view error_field() const noexcept { return error_field_; }
    /// No partial packet is buffered and every fed byte was read.
    bool at_packet_boundary() const noexcept {
        return buf_pos_ == buf_.size() && in_pos_ == in_size_;
    }

  private:
    Status fail(Error e, std::string_view field);
    /// Header of the packet at `data` (`size` bytes available): 0 when incomplete, else the
    /// whole packet size; fails on a bad Remaining Length or size.
    std::size_t packet_size(const std::uint8_t* data, std::size_t size, bool& bad);
    Status next_buffered(Packet& p);
    Status decode(const std::uint8_t* data, std::size_t size, Packet& p);

    Version version_;
    std::uint32_t max_packet_size_;
    Error error_ = Error::ok;
    std::string_view error_field_;

    const std::uint8_t* in_ = nullptr;  // bytes of the last feed()
    std::size_t in_size_ = 0;
    std::size_t in_pos_ = 0;
    std::string buf_;          // a packet split across feeds (and unread bytes fed over)
    std::size_t buf_pos_ = 0;  // start of the first unread byte in buf_
};

// ---------------------------------------------------------------------------------------------
// Reason codes and topics.

/// The name of a return/reason code in a packet of `type`: under 3.1.1 the CONNACK return
/// codes ("not authorized" for 5) and SUBACK's ("granted QoS 1", "failure" for 0x80); under
/// 5.0 the reason code table of §2.4 ("Not authorized" for 0x87), where 0x00 reads "Success",
/// "Normal disconnection" or "Granted QoS 0" by packet. "unknown reason code" otherwise.
std::string_view reason_name(Version v, PacketType type, std::uint8_t code) noexcept;

/// True when `code` in a CONNACK, PUB*, SUBACK entry, UNSUBACK entry, DISCONNECT or AUTH is
/// a failure (>= 0x80; non-zero CONNACK return codes under 3.1.1).
bool is_failure(Version v, PacketType type, std::uint8_t code) noexcept;

/// A Topic Name a client may PUBLISH to (§4.7): 1-65535 bytes of UTF-8 without U+0000,
/// without the wildcards + and #.
bool valid_topic_name(std::string_view topic) noexcept;

/// A Topic Filter a client may SUBSCRIBE to (§4.7.1): 1-65535 bytes of UTF-8 without U+0000,
/// `+` alone in its level, `#` alone in the last level.
bool valid_filter(std::string_view filter) noexcept;

/// Whether `topic` (a Topic Name) matches `filter` (§4.7): `+` matches one level, `#` the
/// parent level and any below; a filter starting with a wildcard does not match a topic
/// starting with `$` (§4.7.2). Shared subscriptions ($share/...) are not resolved. Both are
/// assumed valid (valid_filter, valid_topic_name).
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

}  // namespace wsb::mqtt
