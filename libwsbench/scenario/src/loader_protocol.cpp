// The scenario loader's protocol keys (issue 15): `protocol:` and its settings at the top
// level, the protocol's verbs as steps (socketio: emit) and its keys in expects and listen
// rules (socketio: event).
#include <algorithm>

#include "loader_context.hpp"

namespace wsb::scenario::detail {
namespace {

// Socket.IO packet types as IncomingMessage::kind (wsbench/proto/socketio.hpp's SioType).
constexpr std::uint8_t kSioEvent = 2;
constexpr std::uint8_t kSioAck = 3;
// graphql-ws message types as IncomingMessage::kind (wsbench/proto/graphql_ws.hpp's Type).
constexpr std::uint32_t kGqlResults = (1u << 6) | (1u << 7);  // next, error

Template literal_template(const LoadContext& ctx, const std::string& text) {
    Template t;
    TemplateError err;
    Template::compile(text, ctx.names, Escape::none, t, err);
    return t;
}

void compile_namespace(const LoadContext& ctx, const YAML::Node& node, SocketIoOptions& o) {
    o.nsp = ctx.text(node, "namespace");
    if (o.nsp.empty() || o.nsp[0] != '/' || o.nsp.find(',') != std::string::npos ||
        o.nsp.find('?') != std::string::npos) {
        ctx.fail(node, "namespace", "expected a Socket.IO namespace such as / or /chat");
    }
}

}  // namespace

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
        } else {
            ctx.fail(p, "protocol", "'" + name + "' is not one of raw, socketio, graphql-ws");
        }
    }
    ctx.protocol = s.protocol;
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
    if (s.protocol == Protocol::graphql_ws &&
        std::find(s.subprotocols.begin(), s.subprotocols.end(), "graphql-transport-ws") ==
            s.subprotocols.end()) {
        s.subprotocols.insert(s.subprotocols.begin(), "graphql-transport-ws");
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
    ExpectStep e;
    if (node["name"]) e.name = ctx.text(node["name"], key + ".name");
    if (node["timeout"]) {
        e.timeout = ctx.duration(node["timeout"], key + ".timeout");
        if (e.timeout.count() <= 0) ctx.fail(node["timeout"], key + ".timeout", "must be above 0");
    }
    e.match.kinds = 1u << kSioAck;
    e.match.id_index = static_cast<std::int32_t>(e.match.values.size());
    e.match.values.push_back(literal_template(ctx, "{{seq}}"));
    e.match.shown = "ack of emit " + event;
    out.push_back(Step{at, std::move(e)});
}

void compile_operation(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                       const std::string& kind, Position at, std::vector<Step>& out) {
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
    Matcher m;
    m.kinds = kGqlResults;
    m.event_index = 0;
    m.values.push_back(Template::literal(name));
    if (subscription) {
        // Every `next` of the subscription counts under its name: a listen rule of its own.
        ListenRule r;
        r.at = at;
        r.name = name;
        m.shown = "next of " + name;
        r.match = std::move(m);
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
    ExpectStep e;
    e.name = name;
    if (node["timeout"]) {
        e.timeout = ctx.duration(node["timeout"], key + ".timeout");
        if (e.timeout.count() <= 0) ctx.fail(node["timeout"], key + ".timeout", "must be above 0");
    }
    m.id_index = 1;
    m.values.push_back(literal_template(ctx, name + ":{{seq}}"));
    m.shown = "the result of " + name;
    e.match = std::move(m);
    out.push_back(Step{at, std::move(e)});
}

void compile_protocol_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                            Matcher& m) {
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
