// The 24-byte marker each load-generator message carries (connection, sequence, intended send
// time), and the search that finds it wherever a server put it in the reply.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsb::loadgen {

/// Bytes a marker takes in a message: "~W" then 22 characters of base64url.
inline constexpr std::size_t kMarkerSize = 24;

/// What a message says about itself, so replies are matched exactly, out of order and across
/// connections (DESIGN.md §6).
struct Marker {
    std::uint32_t connection = 0;  ///< index of the sending connection in the run
    std::uint32_t sequence = 0;    ///< per-connection message number
    std::uint64_t send_ns = 0;     ///< intended send time, ns since the run's start

    /// Field-wise equality.
    friend bool operator==(const Marker& a, const Marker& b) noexcept {
        return a.connection == b.connection && a.sequence == b.sequence && a.send_ns == b.send_ns;
    }
    /// Field-wise inequality.
    friend bool operator!=(const Marker& a, const Marker& b) noexcept { return !(a == b); }
};

/// Writes `m` as kMarkerSize bytes at `out`: the ASCII bytes "~W", then the 16 bytes
/// connection (little-endian 32), sequence (LE32), send_ns (LE64) in base64url (RFC 4648 §5)
/// without padding. Every byte is printable ASCII, so the marker is valid UTF-8 and can sit in
/// a text message (RFC 6455 §5.6). Allocates nothing; never fails.
void write_marker(const Marker& m, std::uint8_t* out) noexcept;

/// Finds the first valid marker in the `size` bytes at `data`, wherever it sits (a server may
/// prefix or wrap the echo, e.g. "回答" + message). A candidate is "~W" followed by 22
/// base64url characters whose last one has its unused low four bits zero (the canonical
/// encoding write_marker() produces); "~W" followed by anything else, or cut short by the end
/// of the data, is skipped. On success fills `out`, stores the marker's offset in `*offset`
/// when `offset` is not null, and returns true; otherwise returns false and leaves both
/// alone. Allocates nothing; scans with memchr for '~'.
bool find_marker(const std::uint8_t* data, std::size_t size, Marker& out,
                 std::size_t* offset = nullptr) noexcept;

/// Fills the `size` bytes at `out` (the part of a message after its marker) with a repeating
/// lowercase ASCII pattern: valid UTF-8, and free of '~', so it can never form a false marker
/// or extend a real one. Allocates nothing.
void fill_payload(std::uint8_t* out, std::size_t size) noexcept;

}  // namespace wsb::loadgen
