// libFuzzer target for the UTF-8 validator: differential against a slow reference derived
// from the definition of UTF-8 (RFC 3629 §3), fed whole (validate_utf8, Utf8Validator) and in
// random chunks; after every chunk the status and offset must match the reference's verdict
// on that prefix.
//
// Input: [split seed: 2 bytes][bytes...]
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/utf8.hpp"

namespace {

using wsb::Utf8Status;

/// The reference. A lead byte announces the length L of its sequence and some high bits of
/// the code point; the continuation bytes seen so far add 6 bits each. The prefix is valid
/// while some scalar value (U+0000-U+D7FF, U+E000-U+10FFFF) whose shortest encoding is L
/// bytes long has those bits: the candidates form one interval, checked against the scalar
/// values of that length. Slow and plain, with nothing shared with the DFA under test.
struct Reference {
    std::size_t invalid_at = SIZE_MAX;  ///< offset of the first byte that made it invalid
    std::vector<bool> boundary;         ///< boundary[k]: the first k bytes end a code point

    explicit Reference(const std::uint8_t* p, std::size_t n) : boundary(n + 1, false) {
        boundary[0] = true;
        std::size_t i = 0;
        while (i < n) {
            const std::uint8_t lead = p[i];
            int length = 0;
            std::uint32_t bits = 0;
            if (lead < 0x80) {
                length = 1, bits = lead;
            } else if ((lead & 0xE0) == 0xC0) {
                length = 2, bits = lead & 0x1F;
            } else if ((lead & 0xF0) == 0xE0) {
                length = 3, bits = lead & 0x0F;
            } else if ((lead & 0xF8) == 0xF0) {
                length = 4, bits = lead & 0x07;
            } else {
                invalid_at = i;  // a continuation byte without a lead, or F8-FF
                return;
            }
            for (int seen = 1;; ++seen) {
                if (!possible(length, bits, length - seen)) {
                    invalid_at = i + static_cast<std::size_t>(seen) - 1;
                    return;
                }
                if (seen == length) break;
                const std::size_t at = i + static_cast<std::size_t>(seen);
                if (at == n) return;  // ends inside the sequence: incomplete
                if ((p[at] & 0xC0) != 0x80) {
                    invalid_at = at;
                    return;
                }
                bits = (bits << 6) | (p[at] & 0x3F);
            }
            i += static_cast<std::size_t>(length);
            boundary[i] = true;
        }
    }

    /// Is there a scalar value encoded in exactly `length` bytes whose top bits are `bits`,
    /// with `missing` continuation bytes (6 bits each) still to come?
    static bool possible(int length, std::uint32_t bits, int missing) {
        const std::uint32_t lo = bits << (6 * missing);
        const std::uint32_t hi = lo | ((1u << (6 * missing)) - 1);
        auto overlaps = [&](std::uint32_t a, std::uint32_t b) { return lo <= b && hi >= a; };
        switch (length) {
            case 1:
                return overlaps(0x0, 0x7F);
            case 2:
                return overlaps(0x80, 0x7FF);
            case 3:
                return overlaps(0x800, 0xD7FF) || overlaps(0xE000, 0xFFFF);
            default:
                return overlaps(0x10000, 0x10FFFF);
        }
    }

    /// The verdict on the first k bytes.
    Utf8Status status(std::size_t k) const {
        if (invalid_at < k) return Utf8Status::invalid;
        return boundary[k] ? Utf8Status::complete : Utf8Status::incomplete;
    }
    /// What Utf8Validator::offset() must say after the first k bytes.
    std::uint64_t offset(std::size_t k) const { return invalid_at < k ? invalid_at : k; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    std::uint16_t seed = in.u16();
    if (seed < 2) seed = static_cast<std::uint16_t>(seed + 2);
    const std::uint8_t* text = in.rest();
    const std::size_t n = in.rest_size();
    const Reference ref(text, n);

    // One shot.
    FUZZ_CHECK(wsb::validate_utf8(text, n) == ref.status(n));
    FUZZ_CHECK(wsb::is_valid_utf8(text, n) == (ref.status(n) == Utf8Status::complete));

    // Whole, byte by byte, and in random chunks (an empty chunk passes a null pointer).
    for (const std::uint16_t s : {std::uint16_t{0}, std::uint16_t{1}, seed}) {
        wsb::Utf8Validator v;
        FUZZ_CHECK(v.status() == Utf8Status::complete && v.offset() == 0);
        std::size_t fed = 0;
        for (const std::size_t chunk : wsb::fuzz::chunk_sizes(n, s)) {
            const Utf8Status st = v.feed(chunk == 0 ? nullptr : text + fed, chunk);
            fed += chunk;
            FUZZ_CHECK(st == ref.status(fed));
            FUZZ_CHECK(v.status() == st);
            FUZZ_CHECK(v.complete() == (st == Utf8Status::complete));
            FUZZ_CHECK(v.offset() == ref.offset(fed));
        }
        FUZZ_CHECK(v.status() == ref.status(n));
        v.reset();
        FUZZ_CHECK(v.status() == Utf8Status::complete && v.offset() == 0);
        FUZZ_CHECK(v.feed(text, n) == ref.status(n));
    }
    return 0;
}
