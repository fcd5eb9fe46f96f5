// GraphQL over WebSocket, the graphql-transport-ws protocol of graphql-ws
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md): client message encoders
// that append to a reused string, and a decoder of one server message that finds type, id and
// the payload's JSON text without building a DOM or allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsb::graphql_ws {

/// The WebSocket subprotocol.
constexpr std::string_view kSubprotocol = "graphql-transport-ws";

/// Appends `s` as a JSON string, quotes included: " and \ escaped, control characters as \n,
/// \t, ... or \u00XX; other bytes (UTF-8) as they are.
void append_json_string(std::string& out, std::string_view s);

/// Appends {"type":"connection_init"} with "payload": `payload_json` (JSON text, copied as it
/// is) when not empty.
void encode_connection_init(std::string& out, std::string_view payload_json = {});

/// Appends {"id":id,"type":"subscribe","payload":{"query":query,...}}: `query` and
/// `operation_name` are escaped as JSON strings; `variables_json` (JSON text) is copied as it
/// is; empty ones are left out.
void encode_subscribe(std::string& out, std::string_view id, std::string_view query,
                      std::string_view variables_json = {}, std::string_view operation_name = {});

/// Appends {"id":id,"type":"complete"}: we stop listening to the operation `id`.
void encode_complete(std::string& out, std::string_view id);

/// Appends {"type":"ping"} / {"type":"pong"}, with "payload": `payload_json` when not empty.
void encode_ping(std::string& out, std::string_view payload_json = {});
void encode_pong(std::string& out, std::string_view payload_json = {});

/// The message types a client receives, and the client's own.
enum class Type : std::uint8_t {
    unknown,  ///< any other "type" (Message::type_text has it)
    connection_init,
    connection_ack,
    ping,
    pong,
    subscribe,
    next,
    error,
    complete,
};

/// The type's name on the wire ("next"); "" for unknown.
std::string_view to_string(Type t) noexcept;

/// Why a message could not be decoded.
enum class Errc : std::uint8_t {
    ok = 0,
    bad_json,         ///< not well-formed JSON (error_offset says where)
    not_an_object,    ///< JSON, but not an object
    too_deep,         ///< nesting deeper than kMaxDepth
    missing_type,     ///< no "type"
    type_not_string,  ///< "type" is not a string
    id_not_string,    ///< "id" is present but not a string
    missing_id,       ///< a next, error or complete message without "id"
};

/// A short, stable identifier ("bad_json").
std::string_view to_string(Errc e) noexcept;

/// Deepest nesting of arrays and objects decode() accepts (the top-level object is depth 1).
constexpr std::size_t kMaxDepth = 256;

/// One decoded message. Views into the decoded text.
struct Message {
    Type type = Type::unknown;
    std::string_view type_text;  ///< the "type" string's contents, escapes left as they are
    std::string_view id;         ///< the "id" string's contents, escapes left as they are
    bool has_id = false;
    std::string_view payload;  ///< the JSON text of "payload" (object, array, ...); "" if absent
};

/// Decodes one text message. The top-level object is scanned key by key; values are skipped
/// by a validating scanner (strings and their escapes, numbers, literals, nested objects and
/// arrays up to kMaxDepth); the first of repeated keys wins. Errors: bad_json, not_an_object,
/// too_deep (with `*error_offset`, the byte where it was found, when given), missing_type,
/// type_not_string, id_not_string, missing_id. Allocates nothing.
Errc decode(std::string_view text, Message& out, std::size_t* error_offset = nullptr) noexcept;

/// The name of a close code graphql-ws uses ("forbidden" for 4403, ...); "" for others.
std::string_view close_code_name(std::uint16_t code) noexcept;

}  // namespace wsb::graphql_ws
