// WebSocket frame header model and encoder (RFC 6455 §5.2), plus validate(), the frame rules
// of §5 kept apart from decoding so the conformance runner can build frames that break them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "wsbench/error.hpp"

namespace wsb {

/// Frame opcodes (RFC 6455 §5.2, §11.8). Reserved values 0x3-0x7 and 0xB-0xF are
/// representable with static_cast<Opcode>(n) so bad frames can be built.
enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// True for close, ping, pong and the reserved control opcodes 0xB-0xF (§5.5).
constexpr bool is_control(Opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

/// True for 0x3-0x7 and 0xB-0xF (§5.2: "reserved for further ... frames").
constexpr bool is_reserved(Opcode op) noexcept {
    const auto v = static_cast<std::uint8_t>(op) & 0xF;
    return (v >= 0x3 && v <= 0x7) || v >= 0xB;
}

/// The endpoint that receives a frame: a server requires masked frames, a client unmasked
/// ones (§5.1).
enum class Role : std::uint8_t { client, server };

/// One frame header as on the wire. Any combination can be encoded, including invalid ones.
struct FrameHeader {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    Opcode opcode = Opcode::text;
    bool masked = false;
    std::array<std::uint8_t, 4> mask_key{};  ///< in wire order; meaningful when masked
    std::uint64_t payload_length = 0;
};

/// How the payload length is written (§5.2). `minimal` picks the 7-bit, 16-bit or 64-bit
/// form the RFC requires; the others force a longer form (a conformant peer may reject it).
enum class LengthEncoding : std::uint8_t { minimal, bits16, bits64 };

/// Largest possible header: 2 + 8 (64-bit length) + 4 (mask key).
inline constexpr std::size_t kMaxFrameHeaderSize = 14;

/// Size in bytes of `h` once encoded with `enc`.
std::size_t encoded_header_size(const FrameHeader& h,
                                LengthEncoding enc = LengthEncoding::minimal) noexcept;

/// Writes the header `h` to `out`. Returns the bytes written, or 0 when `capacity` is too
/// small or `enc` cannot hold the length (bits16 with a length above 65535). Never refuses a
/// header for being invalid: reserved bits, reserved opcodes, long or unfinished control
/// frames and lengths with the top bit set are all written as given.
std::size_t encode_header(const FrameHeader& h, std::uint8_t* out, std::size_t capacity,
                          LengthEncoding enc = LengthEncoding::minimal) noexcept;

/// Writes a whole frame: the header (with payload_length set to `size`) then the payload,
/// masked with h.mask_key when h.masked. Returns the bytes written or 0 when `capacity` is
/// too small. `payload` and `out` must not overlap.
std::size_t encode_frame(FrameHeader h, const void* payload, std::size_t size, std::uint8_t* out,
                         std::size_t capacity,
                         LengthEncoding enc = LengthEncoding::minimal) noexcept;

/// XORs `size` bytes at `data` with `key` (§5.3), starting at key byte `phase % 4` (the
/// offset of `data` within the payload, so a payload can be unmasked in pieces). Works a
/// machine word at a time. Masking twice restores the input.
void apply_mask(std::uint8_t* data, std::size_t size, std::array<std::uint8_t, 4> key,
                std::size_t phase = 0) noexcept;

/// Like apply_mask, but reads `src` and writes the masked bytes to `dst` in one pass.
/// `dst` and `src` must not partially overlap (equal pointers are fine).
void apply_mask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t size,
                     std::array<std::uint8_t, 4> key, std::size_t phase = 0) noexcept;

/// What validate() needs to know beyond the header.
struct ValidateContext {
    Role receiver = Role::server;      ///< who receives the frame (decides masking)
    bool message_in_progress = false;  ///< a fragmented data message is open (§5.4)
    bool allow_rsv1 = false;           ///< an extension (permessage-deflate) defines RSV1
    bool allow_rsv2 = false;
    bool allow_rsv3 = false;
};

/// Checks a received header against RFC 6455 §5: reserved opcodes (reserved_opcode),
/// reserved bits (reserved_bits_set), masking direction (unmasked_client_frame,
/// masked_server_frame), control frames longer than 125 bytes (control_frame_too_long) or
/// fragmented (fragmented_control_frame), continuation without a message
/// (unexpected_continuation), a new data frame inside a message (expected_continuation),
/// and a 64-bit length with its top bit set (invalid_payload_length). Returns Errc::ok or
/// the first rule broken, in that order; close_code_for() gives the close code.
/// Defined inline: the frame parser calls it once per frame on the hot path.
inline Errc validate(const FrameHeader& h, const ValidateContext& ctx) noexcept {
    if (is_reserved(h.opcode)) return Errc::reserved_opcode;
    if ((h.rsv1 && !ctx.allow_rsv1) || (h.rsv2 && !ctx.allow_rsv2) || (h.rsv3 && !ctx.allow_rsv3)) {
        return Errc::reserved_bits_set;
    }
    // Extensions such as permessage-deflate (RFC 7692 §6) define RSV1 for the first frame
    // of a data message only: on control and continuation frames it stays an error.
    if (h.rsv1 && (is_control(h.opcode) || h.opcode == Opcode::continuation)) {
        return Errc::reserved_bits_set;
    }
    if (ctx.receiver == Role::server && !h.masked) return Errc::unmasked_client_frame;
    if (ctx.receiver == Role::client && h.masked) return Errc::masked_server_frame;
    if (h.payload_length >> 63) return Errc::invalid_payload_length;
    if (is_control(h.opcode)) {
        if (h.payload_length > 125) return Errc::control_frame_too_long;
        if (!h.fin) return Errc::fragmented_control_frame;
        return Errc::ok;
    }
    if (h.opcode == Opcode::continuation) {
        if (!ctx.message_in_progress) return Errc::unexpected_continuation;
    } else if (ctx.message_in_progress) {
        return Errc::expected_continuation;
    }
    return Errc::ok;
}

}  // namespace wsb
