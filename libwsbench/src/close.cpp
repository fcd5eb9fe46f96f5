// Parsing and formatting of close frame payloads (RFC 6455 §5.5.1, §7.4).
#include "wsbench/close.hpp"

#include <cstring>

#include "wsbench/utf8.hpp"

namespace wsb {

Errc parse_close_payload(const std::uint8_t* data, std::size_t size, ClosePayload& out) noexcept {
    out = ClosePayload{};
    if (size == 0) return Errc::ok;
    if (size == 1) return Errc::invalid_close_payload;
    if (size > kMaxClosePayload) return Errc::control_frame_too_long;
    out.has_code = true;
    out.code = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    out.reason = std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2);
    if (!is_valid_wire_close_code(out.code)) return Errc::invalid_close_code;
    if (!is_valid_utf8(out.reason)) return Errc::invalid_utf8;
    return Errc::ok;
}

std::size_t format_close_payload(std::uint16_t code, std::string_view reason, std::uint8_t* out,
                                 std::size_t capacity) noexcept {
    std::size_t keep = reason.size();
    if (keep > kMaxCloseReason) {
        keep = kMaxCloseReason;
        // Back up over continuation bytes (10xxxxxx) to the lead byte of the code point that
        // would be cut, and drop it too. At most 3 steps: longer runs are not UTF-8 anyway.
        for (int i = 0; i < 3 && (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80; ++i) {
            --keep;
        }
    }
    const std::size_t size = 2 + keep;
    if (capacity < size) return 0;
    out[0] = static_cast<std::uint8_t>(code >> 8);
    out[1] = static_cast<std::uint8_t>(code & 0xFF);
    if (keep != 0) std::memcpy(out + 2, reason.data(), keep);
    return size;
}

}  // namespace wsb
