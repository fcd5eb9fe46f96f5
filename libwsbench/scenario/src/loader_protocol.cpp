// The scenario loader's protocol keys (issue 15): `protocol:` and its settings at the top
// level, the protocol's verbs as steps (socketio: emit) and its keys in expects and listen
// rules (socketio: event).
#include <algorithm>

#include "loader_context.hpp"
#include "wsbench/proto/mqtt.hpp"

namespace wsb::scenario::detail {
namespace {

// Socket.IO packet types as IncomingMessage::kind (wsbench/proto/socketio.hpp's SioType).
constexpr std::uint8_t kSioEvent = 2;
constexpr std::uint8_t kSioAck = 3;
// MQTT packet types as IncomingMessage::kind (wsbench/proto/mqtt.hpp's PacketType).
constexpr std::uint8_t kMqttPublish = 3;
constexpr std::uint8_t kMqttPuback = 4;
constexpr std::uint8_t kMqttSuback = 9;
// graphql-ws message types as IncomingMessage::kind (wsbench/proto/graphql_ws.hpp's Type).
constexpr std::uint32_t kGqlResults = (1u << 6) | (1u << 7);  // next, error

void compile_namespace(const LoadContext& ctx, const YAML::Node& node, SocketIoOptions& o) {
    o.nsp = ctx.text(node, "namespace");
    if (o.nsp.empty() || o.nsp[0] != '/' || o.nsp.find(',') != std::string::npos ||
        o.nsp.find('?') != std::string::npos) {
        ctx.fail(node, "namespace", "expected a Socket.IO namespace such as / or /chat");
    }
}

void compile_mqtt_options(const LoadContext& ctx, const YAML::Node& root, Scenario& s) {
    MqttOptions& o = s.mqtt;
    TemplateError err;
    Template::compile("wsbench-{{conn.id}}", ctx.names, Escape::none, o.client_id, err);
    if (root["heartbeat"])
        ctx.fail(root["heartbeat"], "heartbeat", "not with protocol: mqtt (it sends PINGREQ)");
    const YAML::Node n = root["mqtt"];
    if (!n) return;
    ctx.require_map(n, "mqtt");
    ctx.check_keys(n, "mqtt",
                   {"version", "client_id", "keepalive", "clean_start", "username", "password"});
    if (n["version"]) {
        const std::string v = ctx.text(n["version"], "mqtt.version");
        if (v == "3.1.1" || v == "4") {
            o.version = 4;
        } else if (v == "5" || v == "5.0") {
            o.version = 5;
        } else {
            ctx.fail(n["version"], "mqtt.version", "expected 3.1.1 or 5");
        }
    }
    if (n["client_id"]) o.client_id = ctx.templ(n["client_id"], "mqtt.client_id", Escape::none);
    if (n["keepalive"]) {
        o.keepalive = ctx.duration(n["keepalive"], "mqtt.keepalive");
        if (o.keepalive < std::chrono::seconds(1) || o.keepalive > std::chrono::seconds(65535))
            ctx.fail(n["keepalive"], "mqtt.keepalive", "between 1s and 65535s");
    }
    if (n["clean_start"]) {
        const std::string v = ctx.text(n["clean_start"], "mqtt.clean_start");
        if (v != "true" && v != "false")
            ctx.fail(n["clean_start"], "mqtt.clean_start", "true or false");
        o.clean_start = v == "true";
    }
    if (n["username"]) o.username = ctx.templ(n["username"], "mqtt.username", Escape::none);
    if (n["password"]) {
        if (!n["username"] && o.version == 4)
            ctx.fail(n["password"], "mqtt.password",
                     "MQTT 3.1.1 sends a password only with a username");
        o.password = ctx.templ(n["password"], "mqtt.password", Escape::none);
    }
}

std::uint8_t mqtt_qos(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    if (!node) return 0;
    const std::uint64_t q = ctx.count(node, key);
    if (q > 1) ctx.fail(node, key, "expected 0 or 1 (QoS 2 is not supported)");
    return static_cast<std::uint8_t>(q);
}

}  // namespace

void compile_mqtt_step(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                       const std::string& kind, Position at, std::vector<Step>& out) {
    const bool publish = kind == "publish";
    if (publish) {
        ctx.check_keys(node, key, {"topic", "payload", "json", "qos", "retain", "name", "timeout"});
    } else {
        ctx.check_keys(node, key, {"topic", "qos", "name", "timeout"});
    }
    if (!node["topic"]) ctx.fail(node, key, "a " + kind + " needs a topic");
    SendStep s;
    s.kind = publish ? SendKind::mqtt_publish : SendKind::mqtt_subscribe;
    s.target = ctx.templ(node["topic"], key + ".topic", Escape::none);
    const std::string topic = node["topic"].Scalar();
    if (s.target.is_literal()) {
        std::string text;
        RenderContext none;
        s.target.render(none, text);
        if (publish ? !mqtt::valid_topic_name(text) : !mqtt::valid_filter(text)) {
            ctx.fail(node["topic"], key + ".topic",
                     publish ? "not a topic name (no + or #)" : "not a topic filter");
        }
    }
    s.qos = mqtt_qos(ctx, node["qos"], key + ".qos");
    if (node["name"]) s.name = ctx.text(node["name"], key + ".name");
    s.shown = kind + " " + topic + (s.qos > 0 ? " qos 1" : "");
    if (publish) {
        if (node["payload"] && node["json"]) ctx.fail(node, key, "give payload or json");
        if (node["payload"]) {
            s.body = ctx.templ(node["payload"], key + ".payload", Escape::none);
        } else if (node["json"]) {
            json_template(ctx, node["json"], key + ".json", s.body);
        }
        if (node["retain"]) s.retain = ctx.text(node["retain"], key + ".retain") == "true";
    }
    if (node["timeout"] && publish && s.qos == 0)
        ctx.fail(node["timeout"], key + ".timeout", "goes with qos: 1 (the PUBACK's wait)");
    const bool acked = !publish || s.qos > 0;
    out.push_back(Step{at, std::move(s)});
    if (!acked) return;
    // The SUBACK or PUBACK: an expect of the step's name, by packet id ({{seq}} % 65535 + 1).
    out.push_back(Step{
        at, ack_expect(ctx, node, key, node["name"] ? ctx.text(node["name"], key + ".name") : "",
                       1u << (publish ? kMqttPuback : kMqttSuback), "{{seq % 65535 + 1}}",
                       (publish ? "PUBACK of publish " : "SUBACK of subscribe ") + topic)});
}

Template fixed_template(const LoadContext& ctx, const std::string& text) {
    Template t;
    TemplateError err;
    Template::compile(text, ctx.names, Escape::none, t, err);
    return t;
}

ExpectStep ack_expect(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                      std::string name, std::uint32_t kinds, const std::string& id,
                      std::string shown) {
    ExpectStep e;
    e.name = std::move(name);
    if (node["timeout"]) {
        e.timeout = ctx.duration(node["timeout"], key + ".timeout");
        if (e.timeout.count() <= 0) ctx.fail(node["timeout"], key + ".timeout", "must be above 0");
    }
    e.match.kinds = kinds;
    e.match.id_index = static_cast<std::int32_t>(e.match.values.size());
    e.match.values.push_back(fixed_template(ctx, id));
    e.match.shown = std::move(shown);
    return e;
}

void compile_protocol(LoadContext& ctx, const YAML::Node& root, Scenario& s) {
    const YAML::Node p = root["protocol"];
    if (p) {
        const std::string name = ctx.text(p, "protocol");
        if (name == "raw" || name == "websocket") {
            s.protocol = Protocol::raw;
        } else if (name == "socketio" || name == "socket.io") {
            s.protocol = Protocol::socketio;
        } else if (name == "graphql-ws" || name == "graphql-transport-ws") {
            s.protocol = Protocol::graphql_ws;
        } else if (name == "mqtt") {
            s.protocol = Protocol::mqtt;
        } else if (name == "stomp") {
            s.protocol = Protocol::stomp;
        } else {
            ctx.fail(p, "protocol",
                     "'" + name + "' is not one of raw, socketio, graphql-ws, mqtt, stomp");
        }
    }
    ctx.protocol = s.protocol;
    if (root["mqtt"] && s.protocol != Protocol::mqtt)
        ctx.fail(root["mqtt"], "mqtt", "goes with protocol: mqtt");
    if (s.protocol == Protocol::mqtt) compile_mqtt_options(ctx, root, s);
    if (root["stomp"] && s.protocol != Protocol::stomp)
        ctx.fail(root["stomp"], "stomp", "goes with protocol: stomp");
    if (s.protocol == Protocol::stomp) compile_stomp_options(ctx, root, s);
    if (root["connection_params"]) {
        if (s.protocol != Protocol::graphql_ws)
            ctx.fail(root["connection_params"], "connection_params",
                     "goes with protocol: graphql-ws");
        ctx.require_map(root["connection_params"], "connection_params");
        Template t;
        json_template(ctx, root["connection_params"], "connection_params", t);
        s.graphql.connection_params = std::move(t);
        display_json(root["connection_params"], s.graphql.params_shown);
    }
    const char* own = s.protocol == Protocol::graphql_ws ? "graphql-transport-ws"
                      : s.protocol == Protocol::mqtt     ? "mqtt"
                      : s.protocol == Protocol::stomp    ? "v12.stomp"
                                                         : nullptr;
    if (own != nullptr &&
        std::find(s.subprotocols.begin(), s.subprotocols.end(), own) == s.subprotocols.end()) {
        s.subprotocols.insert(s.subprotocols.begin(), own);
    }
    const bool sio = s.protocol == Protocol::socketio;
    for (const char* key : {"namespace", "auth", "socketio_path"}) {
        if (root[key] && !sio) ctx.fail(root[key], key, "goes with protocol: socketio");
    }
    if (!sio) return;
    if (root["namespace"]) compile_namespace(ctx, root["namespace"], s.socketio);
    if (root["auth"]) {
        ctx.require_map(root["auth"], "auth");
        Template t;
        json_template(ctx, root["auth"], "auth", t);
        s.socketio.auth = std::move(t);
        display_json(root["auth"], s.socketio.auth_shown);
    }
    if (root["socketio_path"]) {
        s.socketio.path = ctx.text(root["socketio_path"], "socketio_path");
        if (s.socketio.path.empty() || s.socketio.path[0] != '/' ||
            s.socketio.path.find_first_of("?# ") != std::string::npos) {
            ctx.fail(root["socketio_path"], "socketio_path", "expected a path such as /socket.io/");
        }
    }
}

void compile_emit(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                  Position at, std::vector<Step>& out) {
    if (ctx.protocol != Protocol::socketio)
        ctx.fail(node, key, "emit goes with protocol: socketio");
    ctx.check_keys(node, key, {"event", "data", "args", "ack", "name", "timeout"});
    if (!node["event"]) ctx.fail(node, key, "an emit needs an event");
    if (node["data"] && node["args"]) ctx.fail(node, key, "give data (one argument) or args");
    SendStep s;
    s.kind = SendKind::emit;
    const std::string event = ctx.text(node["event"], key + ".event");
    if (event.empty()) ctx.fail(node["event"], key + ".event", "an event name is not empty");
    s.event = "\"";
    append_json_escaped(event, s.event);
    s.event += '"';
    if (node["name"]) s.name = ctx.text(node["name"], key + ".name");
    s.shown = "emit " + event;
    if (node["data"]) {
        json_template(ctx, node["data"], key + ".data", s.body);
        s.shown += " ";
        display_json(node["data"], s.shown);
    } else if (node["args"]) {
        const YAML::Node args = node["args"];
        if (!args.IsSequence()) ctx.fail(args, key + ".args", "expected a list of arguments");
        s.shown += " ";
        display_json(args, s.shown);
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (i > 0) s.body.append_literal(",");
            json_template(ctx, args[i], key + ".args[" + std::to_string(i) + "]", s.body);
        }
    }
    if (node["ack"]) {
        const YAML::Node a = node["ack"];
        if (!a.IsScalar() || (a.Scalar() != "true" && a.Scalar() != "false"))
            ctx.fail(a, key + ".ack", "expected true or false");
        s.ack = a.Scalar() == "true";
    }
    if (node["timeout"] && !s.ack)
        ctx.fail(node["timeout"], key + ".timeout", "goes with ack: true");
    const bool ack = s.ack;
    out.push_back(Step{at, std::move(s)});
    if (!ack) return;
    // The ack: an expect of the emit's name, matching the ack packet with the emit's id.
    out.push_back(Step{
        at, ack_expect(ctx, node, key, node["name"] ? ctx.text(node["name"], key + ".name") : "",
                       1u << kSioAck, "{{seq}}", "ack of emit " + event)});
}

void compile_operation(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                       const std::string& kind, Position at, std::vector<Step>& out) {
    if (ctx.protocol == Protocol::mqtt && (kind == "subscribe" || kind == "publish")) {
        compile_mqtt_step(ctx, node, key, kind, at, out);
        return;
    }
    if (kind == "publish") ctx.fail(node, key, "publish goes with protocol: mqtt");
    if (ctx.protocol != Protocol::graphql_ws)
        ctx.fail(node, key, kind + " goes with protocol: graphql-ws");
    const bool subscription = kind == "subscribe";
    if (subscription) {
        ctx.check_keys(node, key,
                       {"name", "query", "variables", "operation_name", "sent_at", "sent_at_unit"});
    } else {
        ctx.check_keys(node, key, {"name", "query", "variables", "operation_name", "timeout"});
    }
    if (!node["name"]) ctx.fail(node, key, "a " + kind + " needs a name (its report step)");
    if (!node["query"]) ctx.fail(node, key, "a " + kind + " needs a query (the GraphQL document)");
    SendStep s;
    s.kind = SendKind::operation;
    s.name = ctx.text(node["name"], key + ".name");
    if (s.name.empty() || s.name.find_first_of(":\"") != std::string::npos)
        ctx.fail(node["name"], key + ".name", "a name without ':' or '\"'");
    s.operation = s.name;
    // The subscribe payload: {"query": ..., "variables": ..., "operationName": ...}.
    s.body.append_literal("{\"query\":");
    json_template(ctx, node["query"], key + ".query", s.body);
    if (node["variables"]) {
        ctx.require_map(node["variables"], key + ".variables");
        s.body.append_literal(",\"variables\":");
        json_template(ctx, node["variables"], key + ".variables", s.body);
    }
    if (node["operation_name"]) {
        s.body.append_literal(",\"operationName\":");
        json_template(ctx, node["operation_name"], key + ".operation_name", s.body);
    }
    s.body.append_literal("}");
    s.shown = kind + " " + ctx.text(node["query"], key + ".query");
    const std::string name = s.name;
    out.push_back(Step{at, std::move(s)});
    if (subscription) {
        // Every `next` of the subscription counts under its name: a listen rule of its own.
        ListenRule r;
        r.at = at;
        r.name = name;
        r.match.kinds = kGqlResults;
        r.match.event_index = 0;
        r.match.values.push_back(Template::literal(name));
        r.match.shown = "next of " + name;
        if (node["sent_at"]) {
            r.sent_at_path = ctx.text(node["sent_at"], key + ".sent_at");
            r.sent_at_pointer = ctx.json_pointer(node["sent_at"], key + ".sent_at");
        }
        if (node["sent_at_unit"]) {
            const std::string u = ctx.text(node["sent_at_unit"], key + ".sent_at_unit");
            if (u != "us" && u != "ms")
                ctx.fail(node["sent_at_unit"], key + ".sent_at_unit", "expected us or ms");
            r.sent_at_ms = u == "ms";
        }
        ctx.step_rules.push_back(std::move(r));
        return;
    }
    // A query or mutation: the first `next` (or `error`) of this very operation, by its id.
    ExpectStep e =
        ack_expect(ctx, node, key, name, kGqlResults, name + ":{{seq}}", "the result of " + name);
    e.match.event_index = static_cast<std::int32_t>(e.match.values.size());
    e.match.values.push_back(Template::literal(name));
    out.push_back(Step{at, std::move(e)});
}

void compile_protocol_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                            Matcher& m) {
    compile_stomp_match(ctx, node, key, m);
    if (ctx.protocol == Protocol::mqtt) {
        // MQTT: rules see PUBLISH packets; topic: a filter with + and #; the payload as is.
        m.kinds = 1u << kMqttPublish;
        if (node["topic"]) {
            m.event_index = static_cast<std::int32_t>(m.values.size());
            m.event_is_filter = true;
            m.values.push_back(ctx.templ(node["topic"], key + ".topic", Escape::none));
            const bool anything = m.shown == "any message";
            m.shown = "topic " + node["topic"].Scalar() + (anything ? "" : ", " + m.shown);
        }
    } else if (node["topic"]) {
        ctx.fail(node["topic"], key + ".topic", "goes with protocol: mqtt");
    }
    if (ctx.protocol == Protocol::graphql_ws) {
        // graphql-ws: rules see the results (next, error) with their payload; operation: the
        // name of the subscribe, query or mutation step whose result it is.
        m.kinds = kGqlResults;
        if (node["operation"]) {
            m.event_index = static_cast<std::int32_t>(m.values.size());
            m.values.push_back(ctx.templ(node["operation"], key + ".operation", Escape::none));
            const bool anything = m.shown == "any message";
            m.shown = "result of " + node["operation"].Scalar() + (anything ? "" : ", " + m.shown);
        }
    } else if (node["operation"]) {
        ctx.fail(node["operation"], key + ".operation", "goes with protocol: graphql-ws");
    }
    if (ctx.protocol != Protocol::socketio) {
        if (node["event"]) ctx.fail(node["event"], key + ".event", "goes with protocol: socketio");
        return;
    }
    // Socket.IO: rules see events only (acks go to their emits); the payload is the event's
    // arguments as an array, and json: applies to the first argument.
    m.kinds = 1u << kSioEvent;
    m.json_base = "/0";
    if (node["event"]) {
        m.event_index = static_cast<std::int32_t>(m.values.size());
        m.values.push_back(ctx.templ(node["event"], key + ".event", Escape::none));
        const bool anything = m.shown == "any message";
        m.shown = "event " + node["event"].Scalar() + (anything ? "" : ", " + m.shown);
    }
}

}  // namespace wsb::scenario::detail
