// Base64 (RFC 4648 §4, standard alphabet, padded), used by the handshake and histogram codecs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsb {

/// Encodes `size` bytes as padded standard base64.
std::string base64_encode(const void* data, std::size_t size);
inline std::string base64_encode(std::string_view bytes) {
    return base64_encode(bytes.data(), bytes.size());
}

/// Decodes padded standard base64. Returns nullopt on a character outside the alphabet,
/// bad padding or a length that is not a multiple of four. ASCII whitespace is not allowed.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace wsb
