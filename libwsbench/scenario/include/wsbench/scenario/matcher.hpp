// What an `expect` or a `listen` rule waits for (json subset, contains, regex, type) and what a
// capture takes from the message (a JSON path or a regex group). Incoming JSON is read with
// simdjson's On-Demand API: the keys a rule names are looked up, no DOM is built.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "wsbench/scenario/template.hpp"

namespace wsb::scenario {

/// The data frame type of a message (RFC 6455 §5.6).
enum class MessageType : std::uint8_t { text, binary };

/// A header of a received frame (stomp), name and value unescaped.
struct MessageHeader {
    std::string_view name;
    std::string_view value;
};

/// A received message. `capacity` is how many bytes may be read from payload.data() (at
/// least payload.size()); with 64 spare bytes simdjson reads in place, without it copies.
struct IncomingMessage {
    IncomingMessage() = default;
    IncomingMessage(MessageType t, std::string_view p, std::size_t cap)
        : type(t), payload(p), capacity(cap) {}

    MessageType type = MessageType::text;
    std::string_view payload;
    std::size_t capacity = 0;
    /// Under a protocol (Scenario::protocol): the packet's kind (socketio: its packet type),
    /// its name (socketio: the event) and its id (socketio: the ack id, digits); `payload` is
    /// then the part rules look into (socketio: the arguments, as a JSON array).
    std::uint8_t kind = 0;
    std::string_view event;
    std::string_view id;
    /// A protocol's error reply (graphql-ws: an error message): a rule that takes it counts a
    /// protocol error instead of a latency.
    bool is_error = false;
    /// stomp: the frame's headers (the first of a repeated name first).
    const MessageHeader* headers = nullptr;
    std::size_t header_count = 0;
    /// The caller lets the session rewrite the payload's bytes in place (the buffer is its
    /// own and the message consumed); else a protocol that must reshape it copies.
    bool writable = false;
};

/// Compiles a JSON path of the forms $, $.a.b, $.a[0], $['a b'] into a JSON pointer
/// (RFC 6901: "/a/b", "/a/0"). On error returns false with the offset and the message.
bool json_path_to_pointer(std::string_view path, std::string& pointer, TemplateError& err);

/// Per-thread state for reading incoming JSON: simdjson's parser and a padded copy buffer.
/// One per worker; not shared between threads.
class JsonScratch {
  public:
    JsonScratch();
    ~JsonScratch();
    JsonScratch(const JsonScratch&) = delete;
    JsonScratch& operator=(const JsonScratch&) = delete;

    /// A new message is about to be offered to the rules: the one indexed last (kept so that
    /// every rule looking at one message shares one simdjson pass) is forgotten. Call it per
    /// message: a later message may sit at the same address with the same size.
    void new_message() noexcept;

    struct Impl;
    Impl& impl() noexcept { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

/// One expected key of a json match; scalars compare by text (a string's unescaped text, a
/// number's, true's, false's or null's token), objects by subset, arrays element by element.
struct JsonField {
    enum class Kind : std::uint8_t { scalar, object, array };
    std::string key;  ///< empty for array elements
    Kind kind = Kind::scalar;
    std::uint32_t value_index = 0;  ///< scalar: its rendered value in the bound values
    std::vector<JsonField> children;
};

/// The expected values of one waiting expect, rendered when the expect starts waiting.
using BoundValues = std::vector<std::string>;

/// A message rule; every part given must hold.
class Matcher {
  public:
    std::optional<MessageType> type;
    bool has_json = false;
    std::vector<JsonField> json;   ///< the top-level object's expected fields
    std::vector<Template> values;  ///< the scalar templates, by value_index; then `contains`
    bool has_contains = false;
    std::int32_t contains_index = -1;  ///< values[i]: the contains text
    std::uint32_t kinds = 0;           ///< bit k set: IncomingMessage::kind k matches (0: any kind)
    std::int32_t event_index = -1;     ///< values[i]: IncomingMessage::event must equal it
    bool event_is_filter = false;      ///< ... or match it as an MQTT topic filter (+ and #)
    std::int32_t id_index = -1;        ///< values[i]: IncomingMessage::id must equal it
    std::string json_base;  ///< the JSON pointer the json fields apply at ("": the payload)
    /// stomp: header name -> values[i], each present and equal (the first of its name)
    std::vector<std::pair<std::string, std::int32_t>> headers;
    std::optional<std::regex> regex;
    std::string regex_text;
    std::string shown;  ///< for the plan: the rule as written ("json {...}, contains '...'")

    /// True when nothing in the rule depends on the session (no variable template).
    bool is_static() const;
    /// Renders every expected value for a waiting expect (reuses `out`'s strings).
    bool bind(const RenderContext& ctx, BoundValues& out) const;
    /// Does `msg` match, with the expected values `bound`?
    bool matches(const IncomingMessage& msg, const BoundValues& bound, JsonScratch& js) const;
};

/// What a capture stores in its slot.
struct Capture {
    std::string var;         ///< the name written in the file
    std::uint32_t slot = 0;  ///< where the value goes
    std::string path;        ///< the JSON path as written; empty for a regex capture
    std::string pointer;     ///< the JSON path as a JSON pointer
    std::optional<std::regex> regex;
    std::string regex_text;
    std::uint32_t group = 1;

    /// Writes the captured text to `out` (replacing it). False when the path or the regex
    /// finds nothing, or the message is not JSON. A string is stored unescaped, anything else
    /// as its JSON text.
    bool extract(const IncomingMessage& msg, JsonScratch& js, std::string& out) const;
};

/// Reads the integer at `pointer` (a number, or a string of digits). False when absent.
bool extract_integer(const IncomingMessage& msg, const std::string& pointer, JsonScratch& js,
                     std::int64_t& out);

}  // namespace wsb::scenario
