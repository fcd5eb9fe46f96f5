// The wsbench error category: messages, identifiers and close codes for every Errc.
#include "wsbench/error.hpp"

#include <string>

namespace wsb {
namespace {

struct Entry {
    Errc code;
    std::string_view id;
    std::string_view message;
    std::uint16_t close;
};

constexpr Entry kEntries[] = {
    {Errc::ok, "ok", "success", 1000},
    {Errc::reserved_bits_set, "reserved_bits_set", "reserved bits set without an extension", 1002},
    {Errc::reserved_opcode, "reserved_opcode", "reserved opcode", 1002},
    {Errc::control_frame_too_long, "control_frame_too_long",
     "control frame payload longer than 125 bytes", 1002},
    {Errc::fragmented_control_frame, "fragmented_control_frame", "fragmented control frame", 1002},
    {Errc::unexpected_continuation, "unexpected_continuation",
     "continuation frame without a message in progress", 1002},
    {Errc::expected_continuation, "expected_continuation",
     "new data frame while a fragmented message is in progress", 1002},
    {Errc::unmasked_client_frame, "unmasked_client_frame", "client frame is not masked", 1002},
    {Errc::masked_server_frame, "masked_server_frame", "server frame is masked", 1002},
    {Errc::invalid_payload_length, "invalid_payload_length",
     "64-bit payload length has its most significant bit set", 1002},
    {Errc::non_minimal_length, "non_minimal_length",
     "payload length not encoded in the minimal number of bytes", 1002},
    {Errc::frame_too_large, "frame_too_large", "frame larger than the configured limit", 1009},
    {Errc::message_too_large, "message_too_large", "message larger than the configured limit",
     1009},
    {Errc::invalid_utf8, "invalid_utf8", "invalid UTF-8 in text payload", 1007},
    {Errc::invalid_close_payload, "invalid_close_payload", "close payload of one byte", 1002},
    {Errc::invalid_close_code, "invalid_close_code", "close code not allowed on the wire", 1002},
    {Errc::http_incomplete, "http_incomplete", "HTTP head incomplete", 1011},
    {Errc::http_malformed, "http_malformed", "malformed HTTP head", 1002},
    {Errc::http_head_too_large, "http_head_too_large", "HTTP head too large", 1009},
    {Errc::handshake_bad_status, "handshake_bad_status", "handshake response status is not 101",
     1002},
    {Errc::handshake_bad_method, "handshake_bad_method", "handshake request method is not GET",
     1002},
    {Errc::handshake_bad_http_version, "handshake_bad_http_version",
     "handshake request is not HTTP/1.1 or later", 1002},
    {Errc::handshake_missing_upgrade, "handshake_missing_upgrade",
     "Upgrade header missing or not websocket", 1002},
    {Errc::handshake_missing_connection, "handshake_missing_connection",
     "Connection header missing or without Upgrade", 1002},
    {Errc::handshake_missing_key, "handshake_missing_key", "Sec-WebSocket-Key missing", 1002},
    {Errc::handshake_bad_key, "handshake_bad_key",
     "Sec-WebSocket-Key is not 16 base64-encoded bytes", 1002},
    {Errc::handshake_bad_version, "handshake_bad_version",
     "Sec-WebSocket-Version missing or not 13", 1002},
    {Errc::handshake_bad_accept, "handshake_bad_accept", "Sec-WebSocket-Accept missing or wrong",
     1002},
    {Errc::handshake_bad_subprotocol, "handshake_bad_subprotocol",
     "server selected a subprotocol that was not offered", 1002},
    {Errc::handshake_bad_extension, "handshake_bad_extension",
     "server selected an extension that was not offered", 1010},
    {Errc::url_malformed, "url_malformed", "malformed URL", 1011},
    {Errc::url_bad_scheme, "url_bad_scheme", "URL scheme must be ws or wss", 1011},
    {Errc::url_bad_host, "url_bad_host", "URL host missing or malformed", 1011},
    {Errc::url_bad_port, "url_bad_port", "URL port must be 1-65535", 1011},
    {Errc::unit_malformed, "unit_malformed", "not a number with an optional unit", 1011},
    {Errc::unit_bad_suffix, "unit_bad_suffix", "unknown unit suffix", 1011},
    {Errc::unit_out_of_range, "unit_out_of_range", "value out of range", 1011},
    {Errc::histogram_value_out_of_range, "histogram_value_out_of_range",
     "value above the histogram's highest trackable value", 1011},
    {Errc::histogram_bad_encoding, "histogram_bad_encoding", "invalid HdrHistogram encoding", 1011},
    {Errc::histogram_incompatible, "histogram_incompatible",
     "histograms have different ranges or precision", 1011},
    {Errc::invalid_argument, "invalid_argument", "invalid argument", 1011},
    {Errc::buffer_too_small, "buffer_too_small", "output buffer too small", 1011},
    {Errc::io_error, "io_error", "file I/O failed", 1011},
};

const Entry* find(Errc e) noexcept {
    for (const Entry& entry : kEntries) {
        if (entry.code == e) return &entry;
    }
    return nullptr;
}

class Category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "wsbench"; }
    std::string message(int ev) const override {
        const Entry* entry = find(static_cast<Errc>(ev));
        return entry ? std::string(entry->message) : "unknown wsbench error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& wsbench_category() noexcept {
    static const Category category;
    return category;
}

std::uint16_t close_code_for(Errc e) noexcept {
    const Entry* entry = find(e);
    return entry ? entry->close : 1011;
}

std::string_view to_string(Errc e) noexcept {
    const Entry* entry = find(e);
    return entry ? entry->id : "unknown";
}

}  // namespace wsb
