// Frame header encoding, word-at-a-time masking and the §5 frame rules (validate()).
#include "wsbench/frame.hpp"

#include <cstring>

namespace wsb {
namespace {

/// The 4-byte key repeated over 8 bytes in memory order, rotated so that its first byte is
/// key byte `phase % 4`.
inline std::uint64_t key_word(std::array<std::uint8_t, 4> key, std::size_t phase) noexcept {
    std::uint32_t k;
    std::memcpy(&k, key.data(), 4);
    const unsigned shift = static_cast<unsigned>(phase & 3) * 8;
    if (shift != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        k = (k << shift) | (k >> (32 - shift));
#else
        k = (k >> shift) | (k << (32 - shift));
#endif
    }
    return (std::uint64_t{k} << 32) | k;
}

inline void mask_impl(std::uint8_t* dst, const std::uint8_t* src, std::size_t size,
                      std::array<std::uint8_t, 4> key, std::size_t phase) noexcept {
    const std::uint64_t k = key_word(key, phase);
    std::size_t i = 0;
    // Four words per iteration: independent loads and stores the compiler can keep in
    // registers or vectorise. memcpy keeps unaligned access well defined.
    for (; i + 32 <= size; i += 32) {
        std::uint64_t w[4];
        std::memcpy(w, src + i, 32);
        w[0] ^= k;
        w[1] ^= k;
        w[2] ^= k;
        w[3] ^= k;
        std::memcpy(dst + i, w, 32);
    }
    for (; i + 8 <= size; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, src + i, 8);
        w ^= k;
        std::memcpy(dst + i, &w, 8);
    }
    // Bytes past the last whole word: i is a multiple of 8, so the key word still lines up.
    if (i < size) {
        std::uint64_t w = 0;
        std::memcpy(&w, src + i, size - i);
        w ^= k;
        std::memcpy(dst + i, &w, size - i);
    }
}

/// Bytes of extended payload length after the first two header bytes: 0, 2 or 8 (§5.2).
inline std::size_t length_field_size(const FrameHeader& h, LengthEncoding enc) noexcept {
    if (enc == LengthEncoding::bits64 || h.payload_length > 0xFFFF) return 8;
    if (enc == LengthEncoding::bits16 || h.payload_length > 125) return 2;
    return 0;
}

}  // namespace

std::size_t encoded_header_size(const FrameHeader& h, LengthEncoding enc) noexcept {
    return 2 + length_field_size(h, enc) + (h.masked ? 4 : 0);
}

std::size_t encode_header(const FrameHeader& h, std::uint8_t* out, std::size_t capacity,
                          LengthEncoding enc) noexcept {
    if (enc == LengthEncoding::bits16 && h.payload_length > 0xFFFF) return 0;
    const std::size_t length_size = length_field_size(h, enc);
    if (capacity < 2 + length_size + (h.masked ? 4 : 0)) return 0;
    out[0] = static_cast<std::uint8_t>((h.fin ? 0x80 : 0) | (h.rsv1 ? 0x40 : 0) |
                                       (h.rsv2 ? 0x20 : 0) | (h.rsv3 ? 0x10 : 0) |
                                       (static_cast<std::uint8_t>(h.opcode) & 0x0F));
    const std::uint8_t mask_bit = h.masked ? 0x80 : 0;
    std::size_t pos = 2;
    if (length_size == 8) {
        out[1] = mask_bit | 127;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out[pos++] = static_cast<std::uint8_t>(h.payload_length >> shift);
        }
    } else if (length_size == 2) {
        out[1] = mask_bit | 126;
        out[pos++] = static_cast<std::uint8_t>(h.payload_length >> 8);
        out[pos++] = static_cast<std::uint8_t>(h.payload_length);
    } else {
        out[1] = static_cast<std::uint8_t>(mask_bit | h.payload_length);
    }
    if (h.masked) {
        std::memcpy(out + pos, h.mask_key.data(), 4);
        pos += 4;
    }
    return pos;
}

std::size_t encode_frame(FrameHeader h, const void* payload, std::size_t size, std::uint8_t* out,
                         std::size_t capacity, LengthEncoding enc) noexcept {
    h.payload_length = size;
    const std::size_t header = encoded_header_size(h, enc);
    if (capacity < header || capacity - header < size) return 0;
    if (encode_header(h, out, capacity, enc) != header) return 0;
    const auto* src = static_cast<const std::uint8_t*>(payload);
    if (h.masked) {
        mask_impl(out + header, src, size, h.mask_key, 0);
    } else if (size > 0) {
        std::memcpy(out + header, src, size);
    }
    return header + size;
}

void apply_mask(std::uint8_t* data, std::size_t size, std::array<std::uint8_t, 4> key,
                std::size_t phase) noexcept {
    mask_impl(data, data, size, key, phase);
}

void apply_mask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t size,
                     std::array<std::uint8_t, 4> key, std::size_t phase) noexcept {
    mask_impl(dst, src, size, key, phase);
}

}  // namespace wsb
