// The interactive client's command language: a typed line becomes a message to send (text by
// default) or one of the slash commands (/hex, /base64, /json, /ping, /close ...). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wsbench/hex.hpp"

namespace wsb::client {

/// What one typed line asks for.
struct Command {
    enum class Kind : std::uint8_t {
        text,       ///< send `payload` as a text message
        binary,     ///< send `payload` as a binary message (/binary, /hex, /base64)
        file,       ///< send the file at `payload` (a path) as a binary message
        json,       ///< send `payload` (validated, compacted JSON) as a text message
        ping,       ///< send a ping with `payload` (may be empty: the session picks one)
        close,      ///< start the closing handshake with `code` and `payload` as the reason
        reconnect,  ///< drop the connection and open a new one
        help,       ///< print the commands
        quit,       ///< close with 1000 and exit
        error,      ///< the line is not valid: `payload` says why, nothing is sent
    };
    Kind kind = Kind::text;
    std::string payload;
    std::uint16_t code = 1000;  ///< for close
};

/// Parses one line typed at the console (without its newline). A line not starting with '/'
/// is text as it is; "//..." is text starting with one '/'. Commands:
///   /binary TEXT    the bytes of TEXT as a binary message
///   /hex HEX        hex digits, optionally separated by spaces or ':' ("00ff 10:20")
///   /base64 B64     standard padded base64 (RFC 4648 §4)
///   /file PATH      the file's bytes as a binary message (read by the caller)
///   /json JSON      checked, then sent compact as text
///   /ping [TEXT]    a ping with TEXT (at most 125 bytes, RFC 6455 §5.5)
///   /close [CODE [REASON]]  a close code valid on the wire (RFC 6455 §7.4) and a UTF-8
///                   reason of at most 123 bytes; 1000 when no code is given
///   /reconnect, /help, /quit
/// Errors (Kind::error) name the command and what is wrong with its argument.
Command parse_command(std::string_view line);

// decode_hex (hex digits separated by optional spaces or ':') lives in libwsbench
// (wsbench/hex.hpp), shared with the echo server's console.
using wsb::decode_hex;

/// The text /help prints: one line per command.
const char* command_help();

}  // namespace wsb::client
