// Encoding, search and payload filler of the 24-byte message marker; on the hot path of every
// worker, so nothing here allocates.
#include "loadgen/marker.hpp"

#include <array>
#include <cstring>

namespace wsb::loadgen {
namespace {

// connection LE32, sequence LE32, send_ns LE64
constexpr std::size_t kRawSize = 16;
constexpr std::size_t kTextSize = kMarkerSize - 2;  // 22 base64url characters
static_assert(kTextSize == (kRawSize * 4 + 2) / 3, "22 characters hold 16 bytes");

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Decoding table: the 6-bit value of a base64url character, or kInvalid (bit 7 set, so one OR
// over all decoded characters tells whether any was outside the alphabet).
constexpr std::uint8_t kInvalid = 0x80;
constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> t{};
    for (auto& v : t) v = kInvalid;
    for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
    return t;
}
constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

// The marker's 16 bytes (connection LE32, sequence LE32, send_ns LE64) read as one big-endian
// bit stream, the order base64 consumes them in: `hi` holds bytes 0-7, `lo` bytes 8-15.
// Working on two words instead of a byte array keeps encode and decode to shifts and masks.
constexpr std::uint32_t bswap32(std::uint32_t v) noexcept {
    return ((v & 0xFFu) << 24) | ((v & 0xFF00u) << 8) | ((v >> 8) & 0xFF00u) | (v >> 24);
}
constexpr std::uint64_t bswap64(std::uint64_t v) noexcept {
    return (std::uint64_t{bswap32(static_cast<std::uint32_t>(v))} << 32) |
           bswap32(static_cast<std::uint32_t>(v >> 32));
}

// Decodes the 22 characters at `text`; false when one is not base64url or the last one
// carries bits beyond the 16th byte (a non-canonical encoding, RFC 4648 §3.5).
bool decode(const std::uint8_t* text, Marker& out) noexcept {
    std::uint8_t v[kTextSize];
    std::uint8_t any = 0;
#pragma GCC unroll 22
    for (std::size_t i = 0; i < kTextSize; ++i) {
        v[i] = kDecode[text[i]];
        any |= v[i];
    }
    if ((any & kInvalid) != 0 || (v[kTextSize - 1] & 0x0F) != 0) return false;
    // Characters 0-9 and the top 4 bits of character 10 make `hi`; the rest make `lo`. Each
    // character's bits go straight to their place, so the shifts run in parallel.
    auto at = [&](std::size_t i, unsigned shift) { return std::uint64_t{v[i]} << shift; };
    const std::uint64_t hi = at(0, 58) | at(1, 52) | at(2, 46) | at(3, 40) | at(4, 34) | at(5, 28) |
                             at(6, 22) | at(7, 16) | at(8, 10) | at(9, 4) | (v[10] >> 2);
    const std::uint64_t lo = (std::uint64_t{v[10] & 3u} << 62) | at(11, 56) | at(12, 50) |
                             at(13, 44) | at(14, 38) | at(15, 32) | at(16, 26) | at(17, 20) |
                             at(18, 14) | at(19, 8) | at(20, 2) | (v[21] >> 4);
    out.connection = bswap32(static_cast<std::uint32_t>(hi >> 32));
    out.sequence = bswap32(static_cast<std::uint32_t>(hi));
    out.send_ns = bswap64(lo);
    return true;
}

// The filler pattern, long enough that most payloads take one or two copies.
constexpr std::size_t kPatternSize = 26 * 10;
constexpr std::array<std::uint8_t, kPatternSize> make_pattern() {
    std::array<std::uint8_t, kPatternSize> p{};
    for (std::size_t i = 0; i < kPatternSize; ++i) p[i] = static_cast<std::uint8_t>('a' + i % 26);
    return p;
}
constexpr std::array<std::uint8_t, kPatternSize> kPattern = make_pattern();

}  // namespace

void write_marker(const Marker& m, std::uint8_t* out) noexcept {
    const std::uint64_t hi = (std::uint64_t{bswap32(m.connection)} << 32) | bswap32(m.sequence);
    const std::uint64_t lo = bswap64(m.send_ns);
    out[0] = '~';
    out[1] = 'W';
    std::uint8_t* text = out + 2;
    // Unrolled so every shift is by a constant (GCC leaves these loops rolled at -O2).
#pragma GCC unroll 10
    for (std::size_t i = 0; i < 10; ++i) {
        text[i] = static_cast<std::uint8_t>(kAlphabet[(hi >> (58 - 6 * i)) & 63]);
    }
    text[10] = static_cast<std::uint8_t>(kAlphabet[((hi & 15) << 2) | (lo >> 62)]);
#pragma GCC unroll 10
    for (std::size_t i = 11; i < 21; ++i) {
        text[i] = static_cast<std::uint8_t>(kAlphabet[(lo >> (56 - 6 * (i - 11))) & 63]);
    }
    text[21] = static_cast<std::uint8_t>(kAlphabet[(lo & 3) << 4]);
}

bool find_marker(const std::uint8_t* data, std::size_t size, Marker& out,
                 std::size_t* offset) noexcept {
    const std::uint8_t* p = data;
    const std::uint8_t* const end = data + size;
    // A marker can start only where all of its bytes fit before the end.
    while (static_cast<std::size_t>(end - p) >= kMarkerSize) {
        // Plain echoes start with their marker: test the first byte before calling memchr.
        const std::uint8_t* q = p;
        if (*p != '~') {
            const std::size_t starts = static_cast<std::size_t>(end - p) - kMarkerSize + 1;
            q = static_cast<const std::uint8_t*>(std::memchr(p, '~', starts));
            if (q == nullptr) return false;
        }
        Marker m;
        if (q[1] == 'W' && decode(q + 2, m)) {
            out = m;
            if (offset != nullptr) *offset = static_cast<std::size_t>(q - data);
            return true;
        }
        p = q + 1;
    }
    return false;
}

void fill_payload(std::uint8_t* out, std::size_t size) noexcept {
    while (size > 0) {
        const std::size_t n = size < kPatternSize ? size : kPatternSize;
        std::memcpy(out, kPattern.data(), n);
        out += n;
        size -= n;
    }
}

}  // namespace wsb::loadgen
