// A scenario as the load generator runs it: not the YAML tree but a compiled step program
// (sends with pre-split templates, expects with compiled matchers, loops as jumps), phases,
// listen rules and a heartbeat. Built by load_scenario (wsbench/scenario/loader.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wsbench/scenario/data_feed.hpp"
#include "wsbench/scenario/matcher.hpp"
#include "wsbench/scenario/template.hpp"

namespace wsb::scenario {

using Nanos = std::chrono::nanoseconds;

/// Where a step or a rule was written: 1-based line and column in the scenario file.
struct Position {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

/// `protocol:` what rides on the WebSocket. raw: the session's messages are the WebSocket
/// messages; socketio: Socket.IO v5 over Engine.IO v4 (wsbench/proto/socketio.hpp), its
/// handshake, pings and acks done by the session, its events as the steps' messages.
enum class Protocol : std::uint8_t { raw, socketio, graphql_ws, mqtt, stomp };

/// The protocol's name in the file ("raw", "socketio", "graphql-ws", "mqtt", "stomp").
const char* to_string(Protocol p);

/// `socketio:` settings (top-level keys namespace, auth and socketio_path).
struct SocketIoOptions {
    std::string path = "/socket.io/";  ///< the Engine.IO endpoint
    std::string nsp = "/";             ///< the namespace every event goes to
    std::optional<Template> auth;      ///< a JSON object sent with the namespace connect
    std::string auth_shown;            ///< for the plan: auth as written
};

/// `graphql-ws:` settings (top-level key connection_params).
struct GraphqlOptions {
    std::optional<Template> connection_params;  ///< the connection_init payload, a JSON object
    std::string params_shown;                   ///< for the plan: as written
};

/// `mqtt:` settings (MQTT 3.1.1 or 5 over WebSocket, subprotocol mqtt).
struct MqttOptions {
    std::uint8_t version = 4;                   ///< protocol level: 4 (3.1.1) or 5
    Template client_id;                         ///< default "wsbench-{{conn.id}}"
    Nanos keepalive{std::chrono::seconds(60)};  ///< CONNECT's keep alive; PINGREQ at half of it
    bool clean_start = true;
    std::optional<Template> username;
    std::optional<Template> password;
};

/// `stomp:` settings (STOMP 1.2 over WebSocket, subprotocol v12.stomp).
struct StompOptions {
    std::optional<Template> login;
    std::optional<Template> passcode;
    Template host;                    ///< default "/"
    std::uint32_t heart_beat_ms = 0;  ///< what we offer both ways (0: none)
};

/// What a send step writes: the message itself, or a protocol verb around its body.
enum class SendKind : std::uint8_t {
    message,    ///< raw: the body is the WebSocket message
    emit,       ///< socketio: an event; the body is its arguments, comma-separated JSON
    operation,  ///< graphql-ws: a subscribe message; the body is its payload (query, variables)
    mqtt_subscribe,  ///< mqtt: SUBSCRIBE to `target` (a filter) with `qos`; the body is empty
    mqtt_publish,    ///< mqtt: PUBLISH the body to `target` (a topic) with `qos` and `retain`
    stomp_frame,     ///< stomp: a frame of `operation` (the command) with `headers` and the body
};

/// `send:` a text message (a string, or json: serialised once per send) or a binary one
/// (hex:, base64: or file:, bytes fixed at load).
struct SendStep {
    std::string name;  ///< the latency key of the expects that follow it
    MessageType type = MessageType::text;
    Template body;      ///< binary: a literal template holding the bytes
    std::string shown;  ///< for the plan: the text or compact JSON as written, or "N bytes"
    SendKind kind = SendKind::message;
    std::string event;  ///< emit: the event name as a JSON string, quotes included
    bool ack = false;   ///< emit: asks for an ack (its id is the send's {{seq}})
    /// operation: the id's prefix, the step's name; the id is "NAME:SEQ"
    std::string operation;
    Template target;       ///< mqtt: the topic (publish) or filter (subscribe)
    std::uint8_t qos = 0;  ///< mqtt
    bool retain = false;   ///< mqtt publish
    std::vector<std::pair<std::string, Template>> headers;  ///< stomp: the frame's headers
    std::string receipt;  ///< stomp: asks for a RECEIPT with receipt id "RECEIPT:SEQ"
};

/// No send precedes the expect: its latency counts from when it started waiting.
inline constexpr std::uint32_t kNoSend = 0xFFFFFFFF;

/// `expect:` waits for the first incoming message that matches, within `timeout`. Latency runs
/// from the send of the same name (else the step's previous send) to the matching reply.
struct ExpectStep {
    std::string name;  ///< the report key (steps.<name>); unnamed: the send's name, or lineN
    std::uint32_t origin = kNoSend;  ///< program index of the send latency counts from
    Matcher match;
    Nanos timeout{std::chrono::seconds(10)};
    bool close_on_timeout = false;  ///< on_timeout: close (default: continue)
    std::vector<Capture> captures;
};

/// `think:` a pause of `min` (or uniform in [min, max]).
struct ThinkStep {
    Nanos min{0};
    Nanos max{0};
};

/// `loop:` runs the steps [begin + 1, end) `count` times or for `duration`; with a rate, the
/// iterations start at intended times 1/rate apart (open loop inside the session).
struct LoopStep {
    std::uint64_t count = 0;  ///< 0: until `duration`
    Nanos duration{0};        ///< 0: `count` iterations
    double rate = 0;          ///< iterations per second; 0: as fast as the steps allow
    std::uint32_t end = 0;    ///< index of the matching LoopEnd
};

/// The end of a loop's body: jumps back to `begin` while the loop goes on.
struct LoopEnd {
    std::uint32_t begin = 0;
};

/// `close:` a close frame with `code` (RFC 6455 §7.4) and `reason`; the session ends.
struct CloseStep {
    std::uint16_t code = 1000;
    std::string reason;
};

/// One step of the program, where it was written, and its kind.
struct Step {
    Position at;
    std::variant<SendStep, ExpectStep, ThinkStep, LoopStep, LoopEnd, CloseStep> what;
};

/// `phases:` how sessions start. Open model: new sessions per second, ramped linearly from
/// `arrival_rate` to `ramp_to` over `duration`, whether or not earlier ones finished. Closed
/// model: keep `users` sessions running for `duration`.
struct Phase {
    Position at;
    Nanos duration{0};
    bool open = false;
    double arrival_rate = 0;
    double ramp_to = 0;  ///< equal to arrival_rate when not ramped
    std::uint64_t users = 0;
};

/// `listen:` messages no expect waits for, counted per name; with `sent_at`, push latency
/// from the timestamp embedded at that JSON path.
struct ListenRule {
    Position at;
    std::string name;
    Matcher match;
    std::string sent_at_path;     ///< as written; empty: none
    std::string sent_at_pointer;  ///< as a JSON pointer
    bool sent_at_ms = false;      ///< sent_at_unit: ms (default us)
};

/// `heartbeat:` an application-level keepalive sent every `every` on each session.
struct Heartbeat {
    Nanos every{0};
    SendStep send;
};

/// `vars:` values computed once per session, in order, into their slots.
struct Var {
    std::string name;
    std::uint32_t slot = 0;
    Template value;
};

/// A whole scenario file, compiled.
struct Scenario {
    std::string file;  ///< the path it was loaded from
    std::string url;   ///< empty: the URL argument is required
    Protocol protocol = Protocol::raw;
    SocketIoOptions socketio;
    GraphqlOptions graphql;
    MqttOptions mqtt;
    StompOptions stomp;
    std::vector<std::pair<std::string, Template>> headers;
    std::vector<std::string> subprotocols;
    std::optional<DataFeed> data;
    std::vector<Var> vars;
    std::vector<std::string> slots;  ///< every var and capture name, by slot
    std::vector<Phase> phases;
    std::vector<Step> program;
    std::vector<ListenRule> listen;
    std::optional<Heartbeat> heartbeat;

    /// The names of the expects and listen rules, in program order, each once: the report's
    /// steps.<name> keys.
    std::vector<std::string> step_names() const;
    /// The request target of the opening handshake for a URL whose target is `url_target`:
    /// itself for raw; socketio: the Engine.IO path with EIO=4&transport=websocket (and the
    /// URL's query after them).
    std::string handshake_target(const std::string& url_target) const;
    /// The subprotocols to offer: the file's (the protocol's own first, where it has one).
    const std::vector<std::string>& offered_subprotocols() const { return subprotocols; }
};

}  // namespace wsb::scenario
