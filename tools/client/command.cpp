// The console's command language (command.hpp): slash commands parsed into what to send.
#include "client/command.hpp"

#include <nlohmann/json.hpp>

#include "wsbench/base64.hpp"
#include "wsbench/close.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::client {
namespace {

Command error(std::string message) { return {Command::Kind::error, std::move(message), 0}; }

Command with_payload(Command::Kind kind, std::string payload) {
    return {kind, std::move(payload), 1000};
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// "/close [CODE [REASON]]": the code must be one a close frame may carry (RFC 6455 §7.4).
Command parse_close(std::string_view arg) {
    Command c{Command::Kind::close, {}, 1000};
    if (arg.empty()) return c;
    const std::size_t space = arg.find_first_of(" \t");
    const std::string_view digits = arg.substr(0, space);
    unsigned long code = 0;
    for (char ch : digits) {
        if (ch < '0' || ch > '9' || code > 99999) {
            return error("/close '" + std::string(digits) +
                         "': expected a close code such as "
                         "1000 or 4000");
        }
        code = code * 10 + static_cast<unsigned long>(ch - '0');
    }
    if (code > 65535 || !is_valid_wire_close_code(static_cast<std::uint16_t>(code))) {
        return error("/close " + std::string(digits) +
                     ": not a code a close frame may carry (1000-1003, 1007-1014, 3000-4999)");
    }
    c.code = static_cast<std::uint16_t>(code);
    if (space != std::string_view::npos) c.payload = std::string(trim(arg.substr(space)));
    if (c.payload.size() > kMaxCloseReason) {
        return error("/close: the reason is " + std::to_string(c.payload.size()) +
                     " bytes; at most " + std::to_string(kMaxCloseReason) + " fit a close frame");
    }
    if (!is_valid_utf8(c.payload)) return error("/close: the reason is not valid UTF-8");
    return c;
}

Command parse_json(std::string_view arg) {
    try {
        return with_payload(Command::Kind::json, nlohmann::json::parse(arg).dump());
    } catch (const nlohmann::json::exception& e) {
        // parse_error ("[json.exception.parse_error.101] parse error at line 1, column 5: ...")
        // and out_of_range ("...[json.exception.out_of_range.406] number overflow parsing
        // '1e999'", found by client_command_fuzz)
        const std::string what = e.what();
        const std::size_t at = what.find("] ");
        return error("/json: invalid JSON: " +
                     (at == std::string::npos ? what : what.substr(at + 2)));
    }
}

}  // namespace

Command parse_command(std::string_view line) {
    if (line.empty() || line.front() != '/')
        return with_payload(Command::Kind::text, std::string(line));
    if (line.size() > 1 && line[1] == '/') {
        return with_payload(Command::Kind::text, std::string(line.substr(1)));
    }
    const std::size_t space = line.find_first_of(" \t");
    const std::string_view name = line.substr(0, space);
    // The argument keeps its inner and trailing spaces for /binary and /ping (exact bytes);
    // only the single separator after the name goes.
    const std::string_view raw =
        space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    const std::string_view arg = trim(raw);
    using K = Command::Kind;
    if (name == "/binary") return with_payload(K::binary, std::string(raw));
    if (name == "/hex") {
        std::string err;
        std::string bytes = decode_hex(arg, err);
        if (!err.empty()) return error("/hex: " + err);
        return with_payload(K::binary, std::move(bytes));
    }
    if (name == "/base64") {
        auto bytes = base64_decode(arg);
        if (!bytes) return error("/base64: not padded standard base64 (RFC 4648 §4)");
        return with_payload(K::binary, std::string(bytes->begin(), bytes->end()));
    }
    if (name == "/file") {
        if (arg.empty()) return error("/file: which file? (/file PATH)");
        return with_payload(K::file, std::string(arg));
    }
    if (name == "/json") {
        if (arg.empty()) return error("/json: no JSON given (/json {\"a\":1})");
        return parse_json(arg);
    }
    if (name == "/ping") {
        if (raw.size() > 125) {
            return error("/ping: the payload is " + std::to_string(raw.size()) +
                         " bytes; a ping carries at most 125");
        }
        return with_payload(K::ping, std::string(raw));
    }
    if (name == "/close") return parse_close(arg);
    if (!arg.empty() && (name == "/reconnect" || name == "/help" || name == "/quit")) {
        return error(std::string(name) + " takes no argument");
    }
    if (name == "/reconnect") return with_payload(K::reconnect, {});
    if (name == "/help") return with_payload(K::help, {});
    if (name == "/quit") return with_payload(K::quit, {});
    return error("unknown command " + std::string(name) + " (/help lists them; // sends a '/')");
}

const char* command_help() {
    return "TEXT                   send TEXT as a text message (//TEXT sends /TEXT)\n"
           "/binary TEXT           send TEXT's bytes as a binary message\n"
           "/hex 00ff 10:20        send these bytes as a binary message\n"
           "/base64 AAEC           send the decoded bytes as a binary message\n"
           "/file PATH             send the file as a binary message\n"
           "/json {\"a\": 1}         check the JSON and send it compact as text\n"
           "/ping [TEXT]           send a ping; the pong prints the round-trip time\n"
           "/close [CODE [REASON]] close (1000 by default) and exit when the server answers\n"
           "/reconnect             drop the connection and connect again\n"
           "/help                  this list\n"
           "/quit                  close with 1000 and exit (also Ctrl-D, Ctrl-C)\n";
}

}  // namespace wsb::client
