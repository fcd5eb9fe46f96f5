// The server console's output formats (console_format.hpp).
#include "echo_server/console_format.hpp"

#include <algorithm>
#include <cstdio>

#include "wsbench/hex.hpp"

namespace wsb::echo {
namespace {

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t n = max;
    // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

void pad(std::string& out, const std::string& cell, std::size_t width) {
    out += cell;
    out.append(width > cell.size() ? width - cell.size() : 0, ' ');
}

}  // namespace

void format_received(std::string& out, std::uint64_t id, bool text, std::string_view payload) {
    out += '#';
    out += std::to_string(id);
    out += " < ";
    if (text) {
        const std::string_view shown = utf8_prefix(payload, kShownBytes);
        std::string escaped;
        append_escaped(escaped, shown);
        // A newline inside a message would look like a line of its own.
        for (char c : escaped) {
            if (c == '\n') {
                out += "\\n";
            } else {
                out.push_back(c);
            }
        }
        if (shown.size() < payload.size()) {
            out += "... (" + std::to_string(payload.size()) + " B)";
        }
    } else {
        out += "[binary " + std::to_string(payload.size()) + " B] ";
        append_hex(out, payload.substr(0, kShownBytes));
        if (payload.size() > kShownBytes) out += "...";
    }
    out.push_back('\n');
}

void format_note(std::string& out, std::string_view text) {
    out += "* ";
    append_escaped(out, text);
    out.push_back('\n');
}

std::string format_duration(double seconds) {
    char buf[32];
    if (seconds < 0) seconds = 0;
    if (seconds < 60) {
        std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    } else if (seconds < 3600) {
        const auto s = static_cast<unsigned long>(seconds);
        std::snprintf(buf, sizeof buf, "%lum%02lus", s / 60, s % 60);
    } else {
        const auto m = static_cast<unsigned long>(seconds / 60);
        std::snprintf(buf, sizeof buf, "%luh%02lum", m / 60, m % 60);
    }
    return buf;
}

void format_list(std::string& out, std::vector<ClientRow> rows) {
    if (rows.empty()) {
        format_note(out, "no open clients");
        return;
    }
    std::sort(rows.begin(), rows.end(),
              [](const ClientRow& a, const ClientRow& b) { return a.id < b.id; });
    std::vector<std::vector<std::string>> cells;
    cells.push_back({"ID", "PEER", "RESOURCE", "SUBPROTOCOL", "CONNECTED", "IN", "OUT"});
    for (const ClientRow& r : rows) {
        std::string resource;
        append_escaped(resource, r.resource);
        std::string sub;
        append_escaped(sub, r.subprotocol.empty() ? "-" : r.subprotocol);
        cells.push_back({std::to_string(r.id), r.peer, resource, sub, format_duration(r.seconds),
                         std::to_string(r.in), std::to_string(r.out)});
    }
    std::vector<std::size_t> width(cells.front().size(), 0);
    for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    }
    for (const auto& line : cells) {
        for (std::size_t i = 0; i + 1 < line.size(); ++i) pad(out, line[i], width[i] + 2);
        out += line.back();
        out.push_back('\n');
    }
    format_note(out, std::to_string(rows.size()) + " open client(s)");
}

}  // namespace wsb::echo
