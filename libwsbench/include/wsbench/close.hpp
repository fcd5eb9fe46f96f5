// Close status codes (RFC 6455 §7.4) and the payload of a close frame (§5.5.1): parse and format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wsbench/error.hpp"

namespace wsb {

/// Close status codes defined by RFC 6455 §7.4.1 and the IANA "WebSocket Close Code Number
/// Registry" (§11.7). Codes 3000-4999 (§7.4.2) have no names here but are valid on the wire.
enum class CloseCode : std::uint16_t {
    normal = 1000,               ///< §7.4.1: normal closure, the purpose was fulfilled
    going_away = 1001,           ///< §7.4.1: server going down or browser leaving the page
    protocol_error = 1002,       ///< §7.4.1: terminating due to a protocol error
    unsupported_data = 1003,     ///< §7.4.1: received a data type it cannot accept
    no_status = 1005,            ///< §7.4.1: reserved, no status code was present; never sent
    abnormal = 1006,             ///< §7.4.1: reserved, closed without a close frame; never sent
    invalid_payload = 1007,      ///< §7.4.1: message data not consistent with its type (UTF-8)
    policy_violation = 1008,     ///< §7.4.1: message violates the endpoint's policy
    message_too_big = 1009,      ///< §7.4.1: message too big to process
    mandatory_extension = 1010,  ///< §7.4.1: client expected an extension the server did not
                                 ///< negotiate (sent by clients only)
    internal_error = 1011,       ///< §7.4.1: unexpected condition prevented fulfilling the request
    service_restart = 1012,      ///< IANA registry (§11.7): the service is restarting
    try_again_later = 1013,      ///< IANA registry (§11.7): temporary overload, try later
    bad_gateway = 1014,          ///< IANA registry (§11.7): a gateway got an invalid response
    tls_handshake = 1015,        ///< §7.4.1: reserved, TLS handshake failed; never sent
};

/// Largest close frame payload: control frames carry at most 125 bytes (§5.5).
inline constexpr std::size_t kMaxClosePayload = 125;

/// Largest close reason: the payload minus the 2-byte status code (§5.5.1).
inline constexpr std::size_t kMaxCloseReason = kMaxClosePayload - 2;

/// True when `code` may appear in a close frame (§7.4.1, §7.4.2): 1000-1003, 1007-1014 and
/// 3000-4999. False for 0-999 (unused, §7.4.2), 1004 (reserved), 1005, 1006 and 1015 (reserved
/// for reporting, "MUST NOT be set as a status code in a Close control frame"), 1016-2999
/// (reserved for future RFCs and extensions) and 5000 and above (not defined).
///
/// 1012-1014 are accepted because the IANA registry (§11.7) assigns them. Autobahn no longer
/// sends them (7.7 sends 1000-1003, 1007-1011, 3000, 3999, 4000, 4999 as valid; 7.9 sends 0,
/// 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999 as invalid; 1012-1015 left 7.9 in 2016 and
/// 2018), so either answer passes the suite. Implementations differ here: Boost.Beast rejects
/// 1014 and accepts 5000 and above; Autobahn's own receiver rejects 1012-2999.
constexpr bool is_valid_wire_close_code(std::uint16_t code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

/// The parsed body of a close frame (§5.5.1). `reason` points into the parsed payload.
struct ClosePayload {
    bool has_code = false;    ///< false for an empty payload: the receiver reports 1005 (§7.1.5)
    std::uint16_t code = 0;   ///< status code in network byte order on the wire; valid if has_code
    std::string_view reason;  ///< UTF-8 reason, possibly empty
};

/// Parses the payload of a received close frame (§5.5.1) into `out`:
/// - empty: ok, `has_code` false (the close code to report is 1005, §7.1.5);
/// - one byte: Errc::invalid_close_payload (a code needs two);
/// - more than 125 bytes: Errc::control_frame_too_long (§5.5; normally caught by validate()
///   on the header first);
/// - a code that is not is_valid_wire_close_code(): Errc::invalid_close_code;
/// - a reason that is not valid UTF-8: Errc::invalid_utf8 (§5.5.1, Autobahn 7.5.1).
/// close_code_for() maps each error to the code to fail the connection with. On error `out`
/// holds what was parsed before the failing check.
Errc parse_close_payload(const std::uint8_t* data, std::size_t size, ClosePayload& out) noexcept;

/// Writes a close payload, `code` in network byte order then `reason` (§5.5.1), to `out`.
/// The reason is cut so the payload fits 125 bytes (§5.5), at a code point boundary so a
/// valid UTF-8 reason stays valid. Returns the bytes written (2 + the reason kept), or 0 when
/// `capacity` is smaller than that. Never refuses a code, so invalid ones can be sent on
/// purpose; check is_valid_wire_close_code() first when that is not the intent. An empty
/// close payload needs no formatting: send a close frame with no payload.
std::size_t format_close_payload(std::uint16_t code, std::string_view reason, std::uint8_t* out,
                                 std::size_t capacity) noexcept;

}  // namespace wsb
