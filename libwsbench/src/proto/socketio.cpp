// Socket.IO v5 / Engine.IO v4 packets: see wsbench/proto/socketio.hpp.
#include "wsbench/proto/socketio.hpp"

#include <charconv>

namespace wsb::socketio {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
    while (i < s.size() && is_space(s[i])) ++i;
    return i;
}

// The end of the JSON string starting at s[i] == '"' (the index after its closing quote), or
// npos when it is not terminated.
std::size_t string_end(std::string_view s, std::size_t i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// The end of the JSON value at s[i] (strings, nested objects and arrays skipped whole;
// scalars up to the next delimiter), or npos when unterminated.
std::size_t value_end(std::string_view s, std::size_t i) {
    if (i >= s.size()) return std::string_view::npos;
    if (s[i] == '"') return string_end(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                i = string_end(s, i);
                if (i == std::string_view::npos) return i;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if ((c == '}' || c == ']') && --depth == 0) return i + 1;
            ++i;
        }
        return std::string_view::npos;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) ++i;
    return i;
}

bool parse_int(std::string_view text, std::int64_t& out) {
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

bool decode(std::string_view text, Packet& out, std::string_view& error) {
    out = Packet{};
    if (text.empty()) {
        error = "an empty Engine.IO packet";
        return false;
    }
    if (!is_digit(text[0]) || text[0] > '6') {
        error = "not an Engine.IO packet (the type is not 0-6)";
        return false;
    }
    out.eio = static_cast<EioType>(text[0] - '0');
    if (out.eio != EioType::message) {
        out.data = text.substr(1);
        return true;
    }
    if (text.size() < 2 || !is_digit(text[1]) || text[1] > '6') {
        error = "not a Socket.IO packet (the type after '4' is not 0-6)";
        return false;
    }
    out.sio = static_cast<SioType>(text[1] - '0');
    std::size_t i = 2;
    if (out.sio == SioType::binary_event || out.sio == SioType::binary_ack) {
        const std::size_t start = i;
        while (i < text.size() && is_digit(text[i])) ++i;
        std::int64_t n = 0;
        if (i == start || i >= text.size() || text[i] != '-' ||
            !parse_int(text.substr(start, i - start), n) || n > 0xFFFF) {
            error = "a binary packet without its attachment count";
            return false;
        }
        out.attachments = static_cast<std::uint32_t>(n);
        ++i;
    }
    if (i < text.size() && text[i] == '/') {
        const std::size_t comma = text.find(',', i);
        const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
        out.nsp = text.substr(i, end - i);
        i = comma == std::string_view::npos ? text.size() : comma + 1;
    }
    const std::size_t id_start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i > id_start) {
        if (i - id_start > 18) {
            error = "an ack id of more than 18 digits";
            return false;
        }
        std::int64_t id = 0;
        parse_int(text.substr(id_start, i - id_start), id);
        out.has_id = true;
        out.id = static_cast<std::uint64_t>(id);
        out.id_text = text.substr(id_start, i - id_start);
    }
    out.data = text.substr(i);
    return true;
}

bool parse_open(std::string_view json, OpenInfo& out) {
    out = OpenInfo{};
    std::size_t i = skip_space(json, 0);
    if (i >= json.size() || json[i] != '{') return false;
    i = skip_space(json, i + 1);
    if (i < json.size() && json[i] == '}') return true;
    while (i < json.size()) {
        if (json[i] != '"') return false;
        const std::size_t key_end = string_end(json, i);
        if (key_end == std::string_view::npos) return false;
        const std::string_view key = json.substr(i + 1, key_end - i - 2);
        i = skip_space(json, key_end);
        if (i >= json.size() || json[i] != ':') return false;
        i = skip_space(json, i + 1);
        const std::size_t end = value_end(json, i);
        if (end == std::string_view::npos || end == i) return false;
        const std::string_view value = json.substr(i, end - i);
        if (key == "sid" && value.size() >= 2 && value.front() == '"') {
            out.sid = value.substr(1, value.size() - 2);
        } else if (key == "pingInterval") {
            if (!parse_int(value, out.ping_interval_ms)) return false;
        } else if (key == "pingTimeout") {
            if (!parse_int(value, out.ping_timeout_ms)) return false;
        } else if (key == "maxPayload") {
            if (!parse_int(value, out.max_payload)) return false;
        }
        i = skip_space(json, end);
        if (i < json.size() && json[i] == '}') return true;
        if (i >= json.size() || json[i] != ',') return false;
        i = skip_space(json, i + 1);
    }
    return false;
}

bool split_event(std::string_view data, std::string_view& name, std::size_t& args_at) {
    std::size_t i = skip_space(data, 0);
    if (i >= data.size() || data[i] != '[') return false;
    i = skip_space(data, i + 1);
    if (i >= data.size() || data[i] != '"') return false;
    const std::size_t end = string_end(data, i);
    if (end == std::string_view::npos) return false;
    name = data.substr(i + 1, end - i - 2);
    i = skip_space(data, end);
    if (i >= data.size()) return false;
    if (data[i] == ']') {
        args_at = i;
        return true;
    }
    if (data[i] != ',') return false;
    args_at = skip_space(data, i + 1);
    return args_at < data.size();
}

std::string_view connect_error_message(std::string_view data) {
    const std::size_t key = data.find("\"message\"");
    if (key != std::string_view::npos) {
        std::size_t i = skip_space(data, key + 9);
        if (i < data.size() && data[i] == ':') {
            i = skip_space(data, i + 1);
            const std::size_t end =
                i < data.size() && data[i] == '"' ? string_end(data, i) : std::string_view::npos;
            if (end != std::string_view::npos) return data.substr(i + 1, end - i - 2);
        }
    }
    return data;
}

namespace {
void append_nsp(std::string& out, std::string_view nsp) {
    if (nsp.empty() || nsp == "/") return;
    out += nsp;
    out += ',';
}
}  // namespace

void append_connect(std::string& out, std::string_view nsp, std::string_view auth) {
    out += "40";
    append_nsp(out, nsp);
    out += auth;
}

void append_event_start(std::string& out, std::string_view nsp, std::int64_t id) {
    out += "42";
    append_nsp(out, nsp);
    if (id >= 0) {
        char digits[24];
        const auto r = std::to_chars(digits, digits + sizeof digits, id);
        out.append(digits, r.ptr);
    }
    out += '[';
}

void append_disconnect(std::string& out, std::string_view nsp) {
    out += "41";
    append_nsp(out, nsp);
}

void append_pong(std::string& out, std::string_view probe) {
    out += '3';
    out += probe;
}

std::string_view to_string(SioType t) {
    switch (t) {
        case SioType::connect:
            return "connect";
        case SioType::disconnect:
            return "disconnect";
        case SioType::event:
            return "event";
        case SioType::ack:
            return "ack";
        case SioType::connect_error:
            return "connect_error";
        case SioType::binary_event:
            return "binary_event";
        case SioType::binary_ack:
            return "binary_ack";
    }
    return "?";
}

std::string_view to_string(EioType t) {
    switch (t) {
        case EioType::open:
            return "open";
        case EioType::close:
            return "close";
        case EioType::ping:
            return "ping";
        case EioType::pong:
            return "pong";
        case EioType::message:
            return "message";
        case EioType::upgrade:
            return "upgrade";
        case EioType::noop:
            return "noop";
    }
    return "?";
}

}  // namespace wsb::socketio
