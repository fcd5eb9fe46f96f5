// The octets of the frames a case sends: any header as prescribed (valid or not, RFC 6455 §5.2),
// payloads repeated to a length, masked or not (§5.3). Pure, no sockets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "wsbench/frame.hpp"

namespace wsb::conformance {

/// One frame: `h` encoded as given, then `payload` repeated cyclically up to
/// h.payload_length octets (zeros when `payload` is empty), masked with h.mask_key when
/// h.masked.
std::string encode_case_frame(const FrameHeader& h, const std::string& payload);

/// A data message (text, or binary when `binary`) in frames of `fragment_size` octets (not 0),
/// encoded back to back for one write: the first frame text or binary, the others
/// continuations, the last with fin. Each frame is masked with a key from `mask_key` when it
/// is set, unmasked otherwise.
std::string encode_fragments(bool binary, const std::string& payload, std::size_t fragment_size,
                             const std::function<std::array<std::uint8_t, 4>()>& mask_key);

/// A data message in frames of `fragment_size` octets (0: one frame), back to back for one
/// write, RSV1 on the first frame when `rsv1` (a permessage-deflate message, RFC 7692 §6.1).
/// An empty payload is one empty frame.
std::string encode_message(bool binary, const std::uint8_t* payload, std::size_t size,
                           std::size_t fragment_size, bool rsv1,
                           const std::function<std::array<std::uint8_t, 4>()>& mask_key);

}  // namespace wsb::conformance
