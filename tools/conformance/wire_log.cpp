// The wire log's texts (see wire_log.hpp).
#include "conformance/wire_log.hpp"

#include <algorithm>

namespace wsb::conformance {

std::string hex_prefix(const std::uint8_t* data, std::size_t size, std::size_t max) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    const std::size_t n = std::min(size, max);
    out.reserve(n * 2 + 4);
    for (std::size_t i = 0; i < n; ++i) {
        out += hex[data[i] >> 4];
        out += hex[data[i] & 15];
    }
    if (size > max) out += "...";
    return out;
}

std::string printable(const std::string& payload, std::size_t max) {
    std::string out;
    for (std::size_t i = 0; i < payload.size() && i < max; ++i) {
        const auto c = static_cast<unsigned char>(payload[i]);
        out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '.';
    }
    if (payload.size() > max) out += "...";
    return out;
}

std::string summary_line(const FrameSummary& f) {
    std::string s = "opcode=" + std::to_string(f.opcode) + " fin=" + (f.fin ? "1" : "0") +
                    " rsv=" + std::to_string(f.rsv) + " masked=" + (f.masked ? "1" : "0") +
                    " length=" + std::to_string(f.length);
    if (f.chop) s += " chop=" + std::to_string(f.chop);
    if (f.sync) s += " sync";
    if (!f.payload.empty()) s += " payload='" + printable(f.payload) + "'";
    return s;
}

}  // namespace wsb::conformance
