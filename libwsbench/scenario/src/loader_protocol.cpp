// The scenario loader's protocol keys (issue 15): `protocol:` and its settings at the top
// level, the protocol's verbs as steps (socketio: emit) and its keys in expects and listen
// rules (socketio: event).
#include "loader_context.hpp"

namespace wsb::scenario::detail {
namespace {

// Socket.IO packet types as IncomingMessage::kind (wsbench/proto/socketio.hpp's SioType).
constexpr std::uint8_t kSioEvent = 2;
constexpr std::uint8_t kSioAck = 3;

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
        } else {
            ctx.fail(p, "protocol", "'" + name + "' is not one of raw, socketio");
        }
    }
    ctx.protocol = s.protocol;
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
    e.match.kind = kSioAck;
    e.match.id_index = static_cast<std::int32_t>(e.match.values.size());
    Template id;
    TemplateError err;
    Template::compile("{{seq}}", ctx.names, Escape::none, id, err);
    e.match.values.push_back(std::move(id));
    e.match.shown = "ack of emit " + event;
    out.push_back(Step{at, std::move(e)});
}

void compile_protocol_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                            Matcher& m) {
    if (ctx.protocol != Protocol::socketio) {
        if (node["event"]) ctx.fail(node["event"], key + ".event", "goes with protocol: socketio");
        return;
    }
    // Socket.IO: rules see events only (acks go to their emits); the payload is the event's
    // arguments as an array, and json: applies to the first argument.
    m.kind = kSioEvent;
    m.json_base = "/0";
    if (node["event"]) {
        m.event_index = static_cast<std::int32_t>(m.values.size());
        m.values.push_back(ctx.templ(node["event"], key + ".event", Escape::none));
        const bool anything = m.shown == "any message";
        m.shown = "event " + node["event"].Scalar() + (anything ? "" : ", " + m.shown);
    }
}

}  // namespace wsb::scenario::detail
