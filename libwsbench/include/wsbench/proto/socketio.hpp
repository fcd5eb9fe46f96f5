// Socket.IO v5 over Engine.IO v4, WebSocket transport only (issue 15): one Engine.IO packet
// per WebSocket message, text packets only (binary attachments are not decoded). Pure: text
// in, packets out, and encoders that append to a caller's reused buffer.
//
//   Engine.IO:  <type digit><data>       0 open, 1 close, 2 ping, 3 pong, 4 message, 6 noop
//   Socket.IO:  4<type>[<nsp>,][<id>][<json>]   0 connect, 1 disconnect, 2 event, 3 ack,
//                                               4 connect_error, 5/6 binary event/ack
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsb::socketio {

/// Engine.IO v4 packet types (the first character).
enum class EioType : std::uint8_t {
    open = 0,
    close = 1,
    ping = 2,
    pong = 3,
    message = 4,
    upgrade = 5,
    noop = 6
};

/// Socket.IO v5 packet types (the character after an Engine.IO message's '4').
enum class SioType : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6
};

/// One decoded packet; the views point into the decoded text.
struct Packet {
    EioType eio = EioType::noop;
    SioType sio = SioType::connect;  ///< when eio == message
    std::string_view nsp = "/";      ///< the namespace ("/" when the packet names none)
    bool has_id = false;             ///< an ack id was given
    std::uint64_t id = 0;
    std::string_view id_text;       ///< the id's digits as written
    std::uint32_t attachments = 0;  ///< binary event/ack: the announced attachment count
    /// eio open: the handshake JSON; ping/pong: the probe text; message: the JSON after the
    /// namespace and id (empty when none).
    std::string_view data;
};

/// Decodes one Engine.IO packet (one WebSocket text message). False with `error` naming the
/// problem (an empty message, an unknown type, a namespace without its comma, an id too large).
bool decode(std::string_view text, Packet& out, std::string_view& error);

/// What an Engine.IO open packet announces.
struct OpenInfo {
    std::string_view sid;
    std::int64_t ping_interval_ms = -1;  ///< -1: not given
    std::int64_t ping_timeout_ms = -1;
    std::int64_t max_payload = -1;
};

/// Reads the open packet's JSON object (top-level keys sid, pingInterval, pingTimeout,
/// maxPayload; others skipped). False when it is not a JSON object.
bool parse_open(std::string_view json, OpenInfo& out);

/// An event's data `["name", arg...]` split: the name (the JSON string's raw text, without
/// its quotes; escapes are left as written) and the offset in `data` of the first argument's
/// text, or of the closing ']' when there is none. False when `data` does not start with an
/// array whose first element is a string.
bool split_event(std::string_view data, std::string_view& name, std::size_t& args_at);

/// A connect error's message: the "message" string of its data object, or the data as written.
std::string_view connect_error_message(std::string_view data);

/// Appends "40" [nsp ","] [auth]: the namespace connect, with `auth` (a JSON object's text,
/// or empty for none).
void append_connect(std::string& out, std::string_view nsp, std::string_view auth);
/// Appends "42" [nsp ","] [id] "[": an event's start; the caller appends the JSON-escaped
/// name in quotes, its arguments, and "]". `id` < 0: no ack wanted.
void append_event_start(std::string& out, std::string_view nsp, std::int64_t id);
/// Appends "41" [nsp ","]: leaving the namespace.
void append_disconnect(std::string& out, std::string_view nsp);
/// Engine.IO pong: "3" followed by the ping's probe data.
void append_pong(std::string& out, std::string_view probe);

/// The name of a packet type, for messages ("event", "connect_error", "ping", ...).
std::string_view to_string(SioType t);
std::string_view to_string(EioType t);

}  // namespace wsb::socketio
