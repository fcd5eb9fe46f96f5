// Hex digits and escaped control characters (hex.hpp).
#include "wsbench/hex.hpp"

#include <cstdio>

namespace wsb {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string decode_hex(std::string_view text, std::string& err) {
    std::string out;
    out.reserve(text.size() / 2);
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == ':') {
            if (high >= 0) {
                err = "a lone hex digit before column " + std::to_string(i + 1);
                return {};
            }
            continue;
        }
        const int v = hex_value(c);
        if (v < 0) {
            err = "'" + std::string(1, c) + "' at column " + std::to_string(i + 1) +
                  " is not a hex digit";
            return {};
        }
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<char>((high << 4) | v));
            high = -1;
        }
    }
    if (high >= 0) {
        err = "odd number of hex digits";
        return {};
    }
    return out;
}

void append_hex(std::string& out, std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xF]);
    }
}

void append_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && c != '\t' && c != '\n') || b == 0x7F) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", b);
            out += buf;
        } else {
            out.push_back(c);
        }
    }
}

}  // namespace wsb
