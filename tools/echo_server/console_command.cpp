// The server console's command language (console_command.hpp).
#include "echo_server/console_command.hpp"

#include "wsbench/close.hpp"
#include "wsbench/hex.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::echo {
namespace {

using Kind = ConsoleCommand::Kind;

ConsoleCommand error(std::string message) { return {Kind::error, std::move(message), 0, 0}; }

ConsoleCommand with_payload(Kind kind, std::string payload) {
    return {kind, std::move(payload), 0, 1000};
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Splits `s` at its first space or tab: the word before, the rest after the one separator.
std::string_view next_word(std::string_view& s) {
    const std::size_t space = s.find_first_of(" \t");
    const std::string_view word = s.substr(0, space);
    s = space == std::string_view::npos ? std::string_view{} : s.substr(space + 1);
    return word;
}

// Decimal digits only, at most `max`; false for anything else (signs, spaces, overflow).
bool parse_number(std::string_view digits, std::uint64_t max, std::uint64_t& value) {
    if (digits.empty() || digits.size() > 20) return false;
    std::uint64_t v = 0;
    for (char ch : digits) {
        if (ch < '0' || ch > '9') return false;
        const auto d = static_cast<std::uint64_t>(ch - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    value = v;
    return true;
}

// A client id as /list prints it: a whole number from 1.
bool parse_id(std::string_view word, std::uint64_t& id) {
    return parse_number(word, UINT64_MAX, id) && id > 0;
}

// "[CODE [REASON]]" of /close and /close-all: a code a close frame may carry (RFC 6455 §7.4)
// and a reason that fits one (§5.5).
ConsoleCommand parse_close_args(std::string_view name, std::string_view arg, std::uint64_t id) {
    ConsoleCommand c{Kind::close, {}, id, 1000};
    arg = trim(arg);
    if (arg.empty()) return c;
    const std::string_view digits = next_word(arg);
    std::uint64_t code = 0;
    if (!parse_number(digits, 65535, code)) {
        return error(std::string(name) + " '" + std::string(digits) +
                     "': expected a close code such as 1000 or 4000");
    }
    if (!is_valid_wire_close_code(static_cast<std::uint16_t>(code))) {
        return error(std::string(name) + " " + std::string(digits) +
                     ": not a code a close frame may carry (1000-1003, 1007-1014, 3000-4999)");
    }
    c.code = static_cast<std::uint16_t>(code);
    c.payload = std::string(trim(arg));
    if (c.payload.size() > kMaxCloseReason) {
        return error(std::string(name) + ": the reason is " + std::to_string(c.payload.size()) +
                     " bytes; at most " + std::to_string(kMaxCloseReason) + " fit a close frame");
    }
    if (!is_valid_utf8(c.payload)) return error(std::string(name) + ": the reason is not UTF-8");
    return c;
}

ConsoleCommand parse_close(std::string_view arg) {
    std::string_view rest = trim(arg);
    const std::string_view word = next_word(rest);
    if (word.empty()) return error("/close: which client? (/close ID [CODE [REASON]]; /list)");
    std::uint64_t id = 0;
    if (!parse_id(word, id)) {
        return error("/close '" + std::string(word) + "': expected a client id as /list shows");
    }
    return parse_close_args("/close", rest, id);
}

ConsoleCommand parse_send(std::string_view arg) {
    std::string_view rest = arg;
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    const std::string_view word = next_word(rest);
    if (word.empty()) return error("/send: which client? (/send ID TEXT; /list)");
    std::uint64_t id = 0;
    if (!parse_id(word, id)) {
        return error("/send '" + std::string(word) + "': expected a client id as /list shows");
    }
    if (!is_valid_utf8(rest)) return error("/send: the text is not UTF-8");
    ConsoleCommand c = with_payload(Kind::text, std::string(rest));
    c.id = id;
    return c;
}

}  // namespace

ConsoleCommand parse_console_command(std::string_view line) {
    if (line.empty()) return {};
    if (line.front() != '/' || (line.size() > 1 && line[1] == '/')) {
        if (line.front() == '/') line.remove_prefix(1);
        // A text message must be UTF-8 (RFC 6455 §5.6): clients would fail the connection.
        if (!is_valid_utf8(line)) return error("not UTF-8: use /hex or /binary for bytes");
        return with_payload(Kind::text, std::string(line));
    }
    std::string_view raw = line;
    const std::string_view name = next_word(raw);
    // /binary keeps its argument's inner and trailing spaces (exact bytes); only the single
    // separator after the name goes.
    const std::string_view arg = trim(raw);
    if (name == "/binary") return with_payload(Kind::binary, std::string(raw));
    if (name == "/hex") {
        std::string err;
        std::string bytes = decode_hex(arg, err);
        if (!err.empty()) return error("/hex: " + err);
        return with_payload(Kind::binary, std::move(bytes));
    }
    if (name == "/file") {
        if (arg.empty()) return error("/file: which file? (/file PATH)");
        return with_payload(Kind::file, std::string(arg));
    }
    if (name == "/send") return parse_send(raw);
    if (name == "/close") return parse_close(arg);
    if (name == "/close-all") return parse_close_args("/close-all", arg, 0);
    const bool bare = name == "/list" || name == "/stats" || name == "/help" || name == "/quit";
    if (bare && !arg.empty()) return error(std::string(name) + " takes no argument");
    if (name == "/list") return with_payload(Kind::list, {});
    if (name == "/stats") return with_payload(Kind::stats, {});
    if (name == "/help") return with_payload(Kind::help, {});
    if (name == "/quit") return with_payload(Kind::quit, {});
    return error("unknown command " + std::string(name) + " (/help lists them; // sends a '/')");
}

const char* console_help() {
    return "TEXT                        send TEXT to every open client (//TEXT sends /TEXT)\n"
           "/binary TEXT                send TEXT's bytes as a binary message to every client\n"
           "/hex 00ff 10:20             send these bytes as a binary message to every client\n"
           "/file PATH                  send the file as a binary message to every client\n"
           "/send ID TEXT               send TEXT to client ID only\n"
           "/list                       the open clients: id, peer, resource, subprotocol, "
           "connected for, messages in/out\n"
           "/close ID [CODE [REASON]]   close client ID (1000 by default)\n"
           "/close-all [CODE [REASON]]  close every open client\n"
           "/stats                      the server's counters (as GET /stats)\n"
           "/help                       this list\n"
           "/quit                       close every client with 1001 and exit (as SIGINT)\n";
}

}  // namespace wsb::echo
