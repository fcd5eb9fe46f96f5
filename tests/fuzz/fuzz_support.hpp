// Helpers shared by the libFuzzer targets: a fatal check that names the broken invariant, a
// small reader for the option bytes at the front of an input, and the random chunk sizes the
// targets split their input with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

/// Aborts with the failed condition and its location: libFuzzer records the input as a crash.
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

namespace wsb::fuzz {

/// Reads option bytes from the front of a fuzz input; past the end it reads zeros, so every
/// input, however short, is a valid test case. rest() is what follows the options.
class OptionBytes {
  public:
    OptionBytes(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

    std::uint8_t u8() noexcept { return pos_ < size_ ? data_[pos_++] : (++pos_, 0); }
    std::uint16_t u16() noexcept {
        const auto hi = u8();
        return static_cast<std::uint16_t>((hi << 8) | u8());
    }
    const std::uint8_t* rest() const noexcept {
        return pos_ < size_ ? data_ + pos_ : data_ + size_;
    }
    std::size_t rest_size() const noexcept { return pos_ < size_ ? size_ - pos_ : 0; }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

/// The chunk sizes a stream of `total` bytes is fed in, drawn from `seed` (xorshift32):
/// mostly small pieces (1-16 bytes) that split headers and code points, some large ones, and
/// an occasional empty read. Seed 0 means the whole stream at once, seed 1 byte by byte.
inline std::vector<std::size_t> chunk_sizes(std::size_t total, std::uint16_t seed) {
    std::vector<std::size_t> sizes;
    if (seed == 0) {
        sizes.push_back(total);
        return sizes;
    }
    if (seed == 1) {
        sizes.assign(total, 1);
        return sizes;
    }
    std::uint32_t x = 0x9E3779B9u ^ seed;
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    };
    for (std::size_t left = total; left > 0;) {
        const std::uint32_t r = next();
        const std::uint32_t kind = r & 7;
        std::size_t n = 0;  // kind 0: an empty read
        if (kind == 0) {
            n = 0;
        } else if (kind <= 2) {
            n = 1 + (r >> 8) % 3;
        } else if (kind <= 5) {
            n = 1 + (r >> 8) % 16;
        } else {
            n = 1 + (r >> 8) % 512;
        }
        if (n > left) n = left;
        sizes.push_back(n);
        left -= n;
    }
    return sizes;
}

}  // namespace wsb::fuzz
