// The client's output formats (format.hpp).
#include "client/format.hpp"

#include <time.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "wsbench/base64.hpp"

namespace wsb::client {
namespace {

void append_clock(std::string& out, ClockTime t) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", t.hour, t.minute, t.second,
                  t.millisecond);
    out += buf;
}

// The text to print for a text message: the JSON re-indented when asked and it parses.
bool append_json(std::string& out, std::string_view payload, bool terminal) {
    nlohmann::json doc = nlohmann::json::parse(payload, nullptr, false);
    if (doc.is_discarded()) return false;
    const std::string pretty = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    if (terminal) {
        append_escaped(out, pretty);
    } else {
        out += pretty;
    }
    return true;
}

void append_binary(std::string& out, std::string_view payload, BinaryAs as, bool terminal) {
    if (as == BinaryAs::base64) {
        out += base64_encode(payload);
    } else if (as == BinaryAs::raw && !terminal) {
        out += payload;
    } else {
        append_hex(out, payload);
    }
}

}  // namespace

ClockTime clock_time(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    const time_t secs = static_cast<time_t>(ms.count() / 1000);
    struct tm local {};
    localtime_r(&secs, &local);
    return {local.tm_hour, local.tm_min, local.tm_sec, static_cast<int>(ms.count() % 1000)};
}

void format_message(std::string& out, Direction dir, bool binary, std::string_view payload,
                    const FormatOptions& options, ClockTime at) {
    if (options.terminal) {
        append_clock(out, at);
        out += dir == Direction::in ? " < " : " > ";
        if (binary) {
            out += "[binary " + std::to_string(payload.size()) + " B] ";
            append_binary(out, payload, options.binary_as, true);
        } else if (!options.json || !append_json(out, payload, true)) {
            append_escaped(out, payload);
        }
        out.push_back('\n');
        return;
    }
    if (binary) {
        append_binary(out, payload, options.binary_as, false);
        if (options.binary_as != BinaryAs::raw) out.push_back('\n');
        return;
    }
    if (!options.json || !append_json(out, payload, false)) out += payload;
    out.push_back('\n');
}

void format_note(std::string& out, std::string_view text, ClockTime at) {
    append_clock(out, at);
    out += " * ";
    append_escaped(out, text);
    out.push_back('\n');
}

}  // namespace wsb::client
