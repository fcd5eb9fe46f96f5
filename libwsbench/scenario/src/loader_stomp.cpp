// The scenario loader's STOMP keys (issue 15): `stomp:` at the top level (login, passcode,
// host, heart_beat), `stomp:` frames as steps (with receipt: true, the RECEIPT's latency is a
// step), and `stomp:` / `headers:` in expects and listen rules.
#include "loader_context.hpp"
#include "wsbench/proto/stomp.hpp"

namespace wsb::scenario::detail {
namespace {

constexpr std::uint8_t kStompReceipt = static_cast<std::uint8_t>(stomp::Command::receipt);

}  // namespace

void compile_stomp_options(const LoadContext& ctx, const YAML::Node& root, Scenario& s) {
    StompOptions& o = s.stomp;
    o.host = Template::literal("/");
    if (root["heartbeat"])
        ctx.fail(root["heartbeat"], "heartbeat", "not with protocol: stomp (it sends heart-beats)");
    const YAML::Node n = root["stomp"];
    if (!n) return;
    ctx.require_map(n, "stomp");
    ctx.check_keys(n, "stomp", {"login", "passcode", "host", "heart_beat"});
    if (n["login"]) o.login = ctx.templ(n["login"], "stomp.login", Escape::none);
    if (n["passcode"]) o.passcode = ctx.templ(n["passcode"], "stomp.passcode", Escape::none);
    if (n["host"]) o.host = ctx.templ(n["host"], "stomp.host", Escape::none);
    if (n["heart_beat"]) {
        const Nanos d = ctx.duration(n["heart_beat"], "stomp.heart_beat");
        if (d.count() != 0 && (d < std::chrono::milliseconds(100) || d > std::chrono::hours(1)))
            ctx.fail(n["heart_beat"], "stomp.heart_beat", "0 (none) or between 100ms and 1h");
        o.heart_beat_ms = static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    }
}

void compile_stomp_step(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                        Position at, std::vector<Step>& out) {
    if (ctx.protocol != Protocol::stomp) ctx.fail(node, key, "stomp goes with protocol: stomp");
    ctx.check_keys(node, key, {"command", "headers", "body", "json", "receipt", "name", "timeout"});
    if (!node["command"])
        ctx.fail(node, key, "a stomp frame needs a command (SEND, SUBSCRIBE, ...)");
    SendStep s;
    s.kind = SendKind::stomp_frame;
    s.operation = ctx.text(node["command"], key + ".command");
    const stomp::Command c = stomp::command_from(s.operation);
    if (c == stomp::Command::unknown || c == stomp::Command::connect ||
        c == stomp::Command::stomp || c == stomp::Command::connected ||
        c == stomp::Command::message || c == stomp::Command::receipt ||
        c == stomp::Command::error) {
        ctx.fail(node["command"], key + ".command",
                 "expected a client frame: SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, "
                 "ABORT or DISCONNECT");
    }
    if (node["name"]) s.name = ctx.text(node["name"], key + ".name");
    if (node["headers"]) {
        const YAML::Node h = node["headers"];
        ctx.require_map(h, key + ".headers");
        for (auto it = h.begin(); it != h.end(); ++it) {
            const std::string name = ctx.text(it->first, key + ".headers");
            if (name == "receipt" || name == "content-length")
                ctx.fail(it->first, key + ".headers", "'" + name + "' is written by wsbench");
            s.headers.emplace_back(name,
                                   ctx.templ(it->second, key + ".headers." + name, Escape::none));
        }
    }
    if (node["body"] && node["json"]) ctx.fail(node, key, "give body or json");
    if (node["body"]) s.body = ctx.templ(node["body"], key + ".body", Escape::none);
    if (node["json"]) json_template(ctx, node["json"], key + ".json", s.body);
    const bool receipt = node["receipt"] && ctx.text(node["receipt"], key + ".receipt") == "true";
    if (node["timeout"] && !receipt)
        ctx.fail(node["timeout"], key + ".timeout", "goes with receipt: true");
    s.shown = s.operation;
    for (const auto& [name, value] : s.headers) s.shown += " " + name + ":" + value.source();
    const std::string name = s.name.empty() ? "line" + std::to_string(at.line) : s.name;
    if (receipt) s.receipt = name;
    out.push_back(Step{at, std::move(s)});
    if (!receipt) return;
    // The RECEIPT: an expect of the step's name, by receipt id "NAME:SEQ".
    out.push_back(Step{at, ack_expect(ctx, node, key, name, 1u << kStompReceipt, name + ":{{seq}}",
                                      "RECEIPT of " + name)});
}

void compile_stomp_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                         Matcher& m) {
    if (ctx.protocol != Protocol::stomp) {
        if (node["stomp"]) ctx.fail(node["stomp"], key + ".stomp", "goes with protocol: stomp");
        if (node["headers"])
            ctx.fail(node["headers"], key + ".headers", "goes with protocol: stomp");
        return;
    }
    // Rules see MESSAGE frames unless they name another command (ERROR ends the session).
    stomp::Command c = stomp::Command::message;
    if (node["stomp"]) {
        c = stomp::command_from(ctx.text(node["stomp"], key + ".stomp"));
        if (c != stomp::Command::message && c != stomp::Command::receipt)
            ctx.fail(node["stomp"], key + ".stomp", "expected MESSAGE or RECEIPT");
    }
    m.kinds = 1u << static_cast<std::uint8_t>(c);
    std::string shown = std::string(stomp::to_string(c));
    if (node["headers"]) {
        const YAML::Node h = node["headers"];
        ctx.require_map(h, key + ".headers");
        for (auto it = h.begin(); it != h.end(); ++it) {
            const std::string name = ctx.text(it->first, key + ".headers");
            m.headers.emplace_back(name, static_cast<std::int32_t>(m.values.size()));
            m.values.push_back(ctx.templ(it->second, key + ".headers." + name, Escape::none));
            shown += " " + name + ":" + it->second.Scalar();
        }
    }
    m.shown = shown + (m.shown == "any message" ? "" : ", " + m.shown);
}

}  // namespace wsb::scenario::detail
