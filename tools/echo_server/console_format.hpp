// How the server console prints: received messages with the client's id, the /list table and
// its notes. Pure: output is appended to a caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsb::echo {

/// One open client as /list shows it.
struct ClientRow {
    std::uint64_t id = 0;
    std::string peer;         ///< "IP:PORT"
    std::string resource;     ///< the request target of the opening handshake ("/chat?x=1")
    std::string subprotocol;  ///< Sec-WebSocket-Protocol as the client offered it, or empty
    double seconds = 0;       ///< connected for
    std::uint64_t in = 0;     ///< data messages received from it
    std::uint64_t out = 0;    ///< data messages sent to it (replies, broadcasts, the console's)
};

/// The most payload bytes a received message prints; longer ones end in "... (N B)".
inline constexpr std::size_t kShownBytes = 1024;

/// Appends "#ID < TEXT\n" (control characters escaped as \xNN) or, for binary,
/// "#ID < [binary N B] HEX\n"; at most kShownBytes of the payload, cut at a UTF-8 boundary.
void format_received(std::string& out, std::uint64_t id, bool text, std::string_view payload);

/// Appends a console note: "* TEXT\n".
void format_note(std::string& out, std::string_view text);

/// Appends the /list table, one client a line sorted by id under a header, or the note
/// "* no open clients".
void format_list(std::string& out, std::vector<ClientRow> rows);

/// "0.4s", "12.0s", "3m05s", "2h01m": how long a client has been connected.
std::string format_duration(double seconds);

}  // namespace wsb::echo
