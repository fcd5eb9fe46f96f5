// The texts of the wire log a Session records (Observation::wire_log): octets as a hex prefix,
// payloads as printable characters, frames as one summary line. Pure, no sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wsb::conformance {

/// The first `max` octets of `data` in lower-case hex, "..." after them when there are more.
std::string hex_prefix(const std::uint8_t* data, std::size_t size, std::size_t max = 24);

/// The first `max` characters of `payload`, each outside printable ASCII shown as '.', "..."
/// after them when there are more.
std::string printable(const std::string& payload, std::size_t max = 32);

/// What the wire log says of one frame.
struct FrameSummary {
    std::uint8_t opcode = 0;
    bool fin = true;
    unsigned rsv = 0;  ///< 3 bits: 4 = RSV1, 2 = RSV2, 1 = RSV3
    bool masked = false;
    std::uint64_t length = 0;
    std::string payload;   ///< shown (cut) when not empty
    std::size_t chop = 0;  ///< sent in pieces of this many octets
    bool sync = false;     ///< sent in a write of its own
};

/// "opcode=1 fin=1 rsv=0 masked=1 length=13 chop=1 sync payload='Hello, world!'", the parts
/// after length only when they apply.
std::string summary_line(const FrameSummary& frame);

}  // namespace wsb::conformance
