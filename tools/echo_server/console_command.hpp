// The echo server console's command language: a typed line becomes a message to every open
// client (text by default) or one of the slash commands (/list, /send, /close ...). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsb::echo {

/// What one line typed at the server console asks for.
struct ConsoleCommand {
    enum class Kind : std::uint8_t {
        none,    ///< an empty line: nothing to do
        text,    ///< send `payload` as a text message (to `id`, or every client when 0)
        binary,  ///< send `payload` as a binary message (/binary, /hex)
        file,    ///< send the file at `payload` (a path) as a binary message to every client
        list,    ///< print the open clients
        close,   ///< close client `id` (every client when 0) with `code` and reason `payload`
        stats,   ///< print the /stats document
        help,    ///< print the commands
        quit,    ///< shut down as on SIGINT
        error,   ///< the line is not valid: `payload` says why, nothing is done
    };
    Kind kind = Kind::none;
    std::string payload;
    std::uint64_t id = 0;       ///< the client a /send or /close is for; 0: every client
    std::uint16_t code = 1000;  ///< for close
};

/// Parses one line typed at the console (without its newline). A line not starting with '/'
/// is text for every client as it is; "//..." is text starting with one '/'. Commands:
///   /binary TEXT          TEXT's bytes as a binary message to every client
///   /hex HEX              hex digits, optionally separated by spaces or ':' ("00ff 10:20")
///   /file PATH            the file's bytes as a binary message (read by the caller)
///   /send ID TEXT         TEXT as a text message to client ID only
///   /close ID [CODE [REASON]]   close client ID: a code a close frame may carry (RFC 6455
///                         §7.4; 1000 when none is given) and a UTF-8 reason of at most 123 bytes
///   /close-all [CODE [REASON]]  the same for every open client
///   /list, /stats, /help, /quit
/// Errors (Kind::error) name the command and what is wrong with its argument.
ConsoleCommand parse_console_command(std::string_view line);

/// The text /help prints: one line per command.
const char* console_help();

}  // namespace wsb::echo
