// Incremental UTF-8 validation (RFC 3629 §3-4) for text messages and close reasons, failing
// at the first byte that no valid continuation could follow (RFC 6455 §8.1, Autobahn 6.x).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsb {

/// Verdict on the bytes of one message fed so far.
enum class Utf8Status : std::uint8_t {
    complete,    ///< valid UTF-8 ending on a code point boundary (a text message may end here)
    incomplete,  ///< valid so far, but ends inside a multi-byte sequence (needs more bytes)
    invalid,     ///< no continuation can make it valid: fail the connection with 1007 (§8.1)
};

/// Validates one message of UTF-8 fed in pieces of any size, split anywhere (fragments, TCP
/// reads, single bytes). Reports `invalid` on the very byte that makes the input impossible
/// (an overlong lead like C0/C1 or E0 80, a surrogate ED A0, a value above U+10FFFF F4 90, the
/// bytes F5-FF, a continuation byte without a lead, a lead not followed by a continuation), so
/// a receiver can fail a text message before its end arrives (RFC 6455 §8.1, Autobahn
/// 6.4.x). Holds no pointers and allocates nothing; pure ASCII runs are checked 16 bytes at
/// a time.
class Utf8Validator {
  public:
    /// Validates the next `size` bytes of the message. Returns the status of everything fed
    /// since the last reset(); `invalid` is sticky. An empty feed returns the current status.
    Utf8Status feed(const std::uint8_t* data, std::size_t size) noexcept;

    /// feed() over the bytes of `bytes`.
    Utf8Status feed(std::string_view bytes) noexcept {
        return feed(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }

    /// Status of everything fed since the last reset() (`complete` for nothing at all).
    Utf8Status status() const noexcept;

    /// True when the bytes fed so far are a whole valid UTF-8 text: check it when the final
    /// fragment (FIN set) has been fed, since `incomplete` there is invalid (§8.1).
    bool complete() const noexcept { return status() == Utf8Status::complete; }

    /// Number of bytes of the message examined so far. Once `invalid`, it stops growing and
    /// is the offset within the message of the byte that made the input invalid.
    std::uint64_t offset() const noexcept { return offset_; }

    /// Starts a new message.
    void reset() noexcept {
        state_ = kAccept;
        offset_ = 0;
    }

  private:
    // DFA states; each is a bit offset into the 64-bit transition rows of the table in
    // utf8.cpp (a "shift DFA"). kReject is 0 so a byte with no transition lands there.
    static constexpr std::uint64_t kReject = 0;
    static constexpr std::uint64_t kAccept = 6;

    std::uint64_t state_ = kAccept;
    std::uint64_t offset_ = 0;
};

/// One-shot validation of a whole text (RFC 3629): `complete`, `incomplete` (truncated in a
/// multi-byte sequence, which is invalid as a whole message) or `invalid`.
Utf8Status validate_utf8(const void* data, std::size_t size) noexcept;

/// True when the `size` bytes at `data` are a whole valid UTF-8 text (RFC 3629; RFC 6455
/// §8.1 for text messages, §5.5.1 / §7.1.6 for close reasons).
inline bool is_valid_utf8(const void* data, std::size_t size) noexcept {
    return validate_utf8(data, size) == Utf8Status::complete;
}

/// is_valid_utf8() over the bytes of `text`.
inline bool is_valid_utf8(std::string_view text) noexcept {
    return is_valid_utf8(text.data(), text.size());
}

}  // namespace wsb
