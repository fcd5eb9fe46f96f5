// UTF-8 validation as a shift-based DFA over a 256-entry table, with an ASCII fast path.
#include "wsbench/utf8.hpp"

#include <cstring>

namespace wsb {
namespace {

// The DFA of RFC 3629 §4 (the well-formed byte sequences table), one state per position in
// a sequence where the set of acceptable next bytes differs. Each state is a bit offset;
// row[b] holds, at bits [s, s+6), the state reached from state s on byte b. A step is one
// table load and one shift: s = row[b] >> s (mod 64), with no per-byte branch.
constexpr unsigned kReject = 0;    // sticky: every row has 0 at bits 0-5
constexpr unsigned kAccept = 6;    // between code points
constexpr unsigned kTail1 = 12;    // one continuation byte 80-BF still needed
constexpr unsigned kTail2 = 18;    // two needed
constexpr unsigned kTail3 = 24;    // three needed
constexpr unsigned kAfterE0 = 30;  // next must be A0-BF (80-9F would be overlong)
constexpr unsigned kAfterED = 36;  // next must be 80-9F (A0-BF would be a surrogate)
constexpr unsigned kAfterF0 = 42;  // next must be 90-BF (80-8F would be overlong)
constexpr unsigned kAfterF4 = 48;  // next must be 80-8F (90-BF would exceed U+10FFFF)

struct Table {
    std::uint64_t row[256];
};

constexpr void add(Table& t, unsigned lo, unsigned hi, unsigned from, unsigned to) {
    for (unsigned b = lo; b <= hi; ++b) t.row[b] |= static_cast<std::uint64_t>(to) << from;
}

constexpr Table make_table() {
    Table t{};  // all zero: every transition not listed below goes to kReject
    add(t, 0x00, 0x7F, kAccept, kAccept);
    add(t, 0xC2, 0xDF, kAccept, kTail1);  // C0 and C1 can only start overlong forms
    add(t, 0xE0, 0xE0, kAccept, kAfterE0);
    add(t, 0xE1, 0xEC, kAccept, kTail2);
    add(t, 0xED, 0xED, kAccept, kAfterED);
    add(t, 0xEE, 0xEF, kAccept, kTail2);
    add(t, 0xF0, 0xF0, kAccept, kAfterF0);
    add(t, 0xF1, 0xF3, kAccept, kTail3);
    add(t, 0xF4, 0xF4, kAccept, kAfterF4);  // F5-FF never appear (RFC 3629 §1)
    add(t, 0x80, 0xBF, kTail1, kAccept);
    add(t, 0x80, 0xBF, kTail2, kTail1);
    add(t, 0x80, 0xBF, kTail3, kTail2);
    add(t, 0xA0, 0xBF, kAfterE0, kTail1);
    add(t, 0x80, 0x9F, kAfterED, kTail1);
    add(t, 0x90, 0xBF, kAfterF0, kTail2);
    add(t, 0x80, 0x8F, kAfterF4, kTail2);
    return t;
}

constexpr Table kTable = make_table();

static_assert(kAfterF4 + 6 <= 64, "every state's 6-bit field must fit in a row");
static_assert((kTable.row[0x41] >> kAccept & 63) == kAccept, "ASCII keeps the accept state");
static_assert((kTable.row[0xED] >> kAccept & 63) == kAfterED, "ED has its own state");

inline std::uint64_t step(std::uint64_t s, std::uint8_t byte) noexcept {
    // x86 and AArch64 shifts take the count mod 64, so the mask costs nothing.
    return kTable.row[byte] >> (s & 63);
}

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

inline std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

/// Index of the first byte of `p` whose high bit is set in `mask` (mask = word & kHighBits,
/// non-zero).
inline std::size_t first_high_byte(const std::uint8_t* p, std::uint64_t mask) noexcept {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)p;
    return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#else
    (void)mask;
    std::size_t i = 0;
    while (p[i] < 0x80) ++i;
    return i;
#endif
}

/// Returns the first byte in [p, end) with the high bit set, or `end`: everything before it
/// is ASCII, which keeps the accept state.
inline const std::uint8_t* skip_ascii(const std::uint8_t* p, const std::uint8_t* end) noexcept {
    while (end - p >= 16) {
        const std::uint64_t a = load64(p);
        const std::uint64_t b = load64(p + 8);
        if (((a | b) & kHighBits) != 0) {
            if ((a & kHighBits) != 0) return p + first_high_byte(p, a & kHighBits);
            return p + 8 + first_high_byte(p + 8, b & kHighBits);
        }
        p += 16;
    }
    if (end - p >= 8) {
        const std::uint64_t a = load64(p);
        if ((a & kHighBits) != 0) return p + first_high_byte(p, a & kHighBits);
        p += 8;
    }
    while (p != end && *p < 0x80) ++p;
    return p;
}

}  // namespace

Utf8Status Utf8Validator::feed(const std::uint8_t* data, std::size_t size) noexcept {
    static_assert(Utf8Validator::kAccept == wsb::kAccept && Utf8Validator::kReject == wsb::kReject,
                  "header and table agree on the accept and reject states");
    std::uint64_t s = state_;
    if (s == kReject || size == 0) return status();

    const std::uint8_t* p = data;
    const std::uint8_t* const end = data + size;
    for (;;) {
        if (s == kAccept) {
            p = skip_ascii(p, end);
            if (p == end) break;
        }
        // Run the DFA over a block without testing each byte; kReject is sticky, so one test
        // after the block says whether some byte in it was invalid.
        const std::uint8_t* const block = p;
        const std::uint64_t block_state = s;
        if (end - p >= 16) {
            for (int i = 0; i < 16; ++i) s = step(s, p[i]);
            p += 16;
        } else {
            while (p != end) s = step(s, *p++);
        }
        s &= 63;
        if (s == kReject) {
            // Replay the block to find the byte that was rejected.
            const std::uint8_t* q = block;
            for (std::uint64_t t = block_state; (t & 63) != kReject; ++q) t = step(t, *q);
            offset_ += static_cast<std::uint64_t>(q - 1 - data);
            state_ = kReject;
            return Utf8Status::invalid;
        }
        if (p == end) break;
    }
    state_ = s;
    offset_ += size;
    return status();
}

Utf8Status Utf8Validator::status() const noexcept {
    if (state_ == kAccept) return Utf8Status::complete;
    if (state_ == kReject) return Utf8Status::invalid;
    return Utf8Status::incomplete;
}

Utf8Status validate_utf8(const void* data, std::size_t size) noexcept {
    Utf8Validator v;
    return v.feed(static_cast<const std::uint8_t*>(data), size);
}

}  // namespace wsb
