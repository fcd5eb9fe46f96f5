// Error codes of libwsbench, with a std::error_category so they travel in std::error_code.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

namespace wsb {

/// Every failure libwsbench reports. Grouped by the module that raises it; the frame and
/// UTF-8 errors map to the close code RFC 6455 §7.4.1 calls for (see close_code_for()).
enum class Errc : int {
    ok = 0,

    // Frame codec and validation (RFC 6455 §5).
    reserved_bits_set = 1,     ///< RSV1-3 set without a negotiated extension (§5.2) -> 1002
    reserved_opcode,           ///< opcode 3-7 or 0xB-0xF (§5.2) -> 1002
    control_frame_too_long,    ///< control frame payload > 125 bytes (§5.5) -> 1002
    fragmented_control_frame,  ///< control frame without FIN (§5.5) -> 1002
    unexpected_continuation,   ///< continuation frame with no message in progress (§5.4) -> 1002
    expected_continuation,   ///< new data frame while a fragmented message is open (§5.4) -> 1002
    unmasked_client_frame,   ///< client-to-server frame not masked (§5.1) -> 1002
    masked_server_frame,     ///< server-to-client frame masked (§5.1) -> 1002
    invalid_payload_length,  ///< 64-bit length with the most significant bit set (§5.2) -> 1002
    non_minimal_length,      ///< length not in the minimal number of bytes (§5.2) -> 1002
    frame_too_large,         ///< frame payload above the configured limit -> 1009
    message_too_large,       ///< reassembled message above the configured limit -> 1009

    // Payload content.
    invalid_utf8 = 100,     ///< text message or close reason not valid UTF-8 (§8.1) -> 1007
    invalid_close_payload,  ///< close payload of exactly one byte (§5.5.1) -> 1002
    invalid_close_code,     ///< close code not allowed on the wire (§7.4) -> 1002

    // Opening handshake (RFC 6455 §4).
    http_incomplete = 200,         ///< more bytes are needed before the head is complete
    http_malformed,                ///< not a well-formed HTTP/1.1 request or response head
    http_head_too_large,           ///< head larger than the configured limit
    handshake_bad_status,          ///< response status is not 101
    handshake_bad_method,          ///< request method is not GET
    handshake_bad_http_version,    ///< request is not HTTP/1.1 or later
    handshake_missing_upgrade,     ///< Upgrade header missing or not "websocket"
    handshake_missing_connection,  ///< Connection header missing or lacks the "Upgrade" token
    handshake_missing_key,         ///< Sec-WebSocket-Key missing
    handshake_bad_key,             ///< Sec-WebSocket-Key is not 16 bytes of base64
    handshake_bad_version,         ///< Sec-WebSocket-Version missing or not 13 (answer 426)
    handshake_bad_accept,          ///< Sec-WebSocket-Accept missing or wrong
    handshake_bad_subprotocol,     ///< server chose a subprotocol the client did not offer
    handshake_bad_extension,       ///< server chose an extension the client did not offer

    // URL and unit parsing.
    url_malformed = 300,  ///< not a URL of the form scheme://host[:port][/path][?query]
    url_bad_scheme,       ///< scheme other than ws or wss
    url_bad_host,         ///< empty host or an unterminated IPv6 literal
    url_bad_port,         ///< port not a number in 1-65535
    unit_malformed,       ///< not a number with an optional known suffix
    unit_bad_suffix,      ///< the number is fine but the suffix is unknown
    unit_out_of_range,    ///< the value does not fit

    // Histogram.
    histogram_value_out_of_range = 400,  ///< value above the histogram's highest trackable
    histogram_bad_encoding,              ///< not a valid HdrHistogram V2 (compressed) encoding
    histogram_incompatible,              ///< histograms with different ranges or precision

    // Generic.
    invalid_argument = 900,  ///< a caller passed an argument outside the documented range
    buffer_too_small,        ///< the caller's output buffer cannot hold the result
    io_error,                ///< a file could not be created, written or renamed
};

/// The category of Errc; name() is "wsbench".
const std::error_category& wsbench_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), wsbench_category()};
}

/// The close status code (RFC 6455 §7.4.1) an endpoint sends when it fails the connection
/// because of `e`: 1002 for protocol errors, 1007 for invalid UTF-8, 1009 for size limits,
/// 1011 for anything else.
std::uint16_t close_code_for(Errc e) noexcept;

/// A short, stable identifier for reports ("reserved_bits_set").
std::string_view to_string(Errc e) noexcept;

}  // namespace wsb

template <>
struct std::is_error_code_enum<wsb::Errc> : std::true_type {};
