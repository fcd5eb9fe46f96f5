// The octets of a case's frames (see frame_bytes.hpp).
#include "conformance/frame_bytes.hpp"

#include <algorithm>
#include <cstring>

namespace wsb::conformance {

std::string encode_case_frame(const FrameHeader& h, const std::string& payload) {
    const std::uint64_t length = h.payload_length;
    std::string buf(kMaxFrameHeaderSize + length, '\0');
    auto* out = reinterpret_cast<std::uint8_t*>(buf.data());
    const std::size_t hl = encode_header(h, out, buf.size());
    std::uint8_t* p = out + hl;
    if (!payload.empty()) {
        for (std::uint64_t done = 0; done < length;) {
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(payload.size(), length - done));
            std::memcpy(p + done, payload.data(), n);
            done += n;
        }
    }
    if (h.masked) apply_mask(p, static_cast<std::size_t>(length), h.mask_key);
    buf.resize(hl + static_cast<std::size_t>(length));
    return buf;
}

std::string encode_message(bool binary, const std::uint8_t* payload, std::size_t size,
                           std::size_t fragment_size, bool rsv1,
                           const std::function<std::array<std::uint8_t, 4>()>& mask_key) {
    if (fragment_size == 0 || fragment_size > size) fragment_size = std::max<std::size_t>(size, 1);
    std::string buf;
    buf.reserve(size + (size / fragment_size + 1) * 14);
    std::uint8_t header[kMaxFrameHeaderSize];
    std::size_t off = 0;
    do {
        const std::size_t n = std::min(fragment_size, size - off);
        FrameHeader h;
        h.fin = off + n == size;
        h.rsv1 = rsv1 && off == 0;
        h.opcode = off == 0 ? (binary ? Opcode::binary : Opcode::text) : Opcode::continuation;
        h.masked = static_cast<bool>(mask_key);
        if (h.masked) h.mask_key = mask_key();
        h.payload_length = n;
        const std::size_t hl = encode_header(h, header, sizeof header);
        buf.append(reinterpret_cast<const char*>(header), hl);
        const std::size_t at = buf.size();
        buf.append(reinterpret_cast<const char*>(payload) + off, n);
        if (h.masked) apply_mask(reinterpret_cast<std::uint8_t*>(buf.data()) + at, n, h.mask_key);
        off += n;
    } while (off < size);
    return buf;
}

std::string encode_fragments(bool binary, const std::string& payload, std::size_t fragment_size,
                             const std::function<std::array<std::uint8_t, 4>()>& mask_key) {
    return encode_message(binary, reinterpret_cast<const std::uint8_t*>(payload.data()),
                          payload.size(), fragment_size, false, mask_key);
}

}  // namespace wsb::conformance
