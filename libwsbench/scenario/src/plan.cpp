// describe_plan: a compiled scenario as the text --check-scenario prints.
#include "wsbench/scenario/plan.hpp"

#include <cmath>
#include <sstream>

namespace wsb::scenario {
namespace {

// "10s", "500ms", "1m30s"-like: the largest whole unit.
std::string duration_text(Nanos d) {
    const auto ns = d.count();
    if (ns == 0) return "0s";
    if (ns % 60'000'000'000 == 0) return std::to_string(ns / 60'000'000'000) + "m";
    if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
    if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
    if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
    return std::to_string(ns) + "ns";
}

std::string rate_text(double r) {
    std::ostringstream s;
    s << r << "/s";
    return s.str();
}

std::string quoted(const std::string& s) {
    constexpr std::size_t kMax = 100;
    return "'" + (s.size() > kMax ? s.substr(0, kMax) + "..." : s) + "'";
}

void describe_phases(const Scenario& s, std::ostream& out) {
    if (s.phases.empty()) {
        out << "phases: none in the file\n";
        return;
    }
    out << "phases:\n";
    for (std::size_t i = 0; i < s.phases.size(); ++i) {
        const Phase& p = s.phases[i];
        out << "  " << i + 1 << ". " << duration_text(p.duration) << ", ";
        if (p.open) {
            const double seconds = std::chrono::duration<double>(p.duration).count();
            const auto sessions = std::llround((p.arrival_rate + p.ramp_to) / 2 * seconds);
            out << "open model: " << rate_text(p.arrival_rate);
            if (p.ramp_to != p.arrival_rate) out << " ramped to " << rate_text(p.ramp_to);
            out << " new sessions, about " << sessions << " sessions\n";
        } else {
            out << "closed model: " << p.users << " sessions running\n";
        }
    }
}

void describe_step(const Step& step, int depth, std::ostream& out) {
    out << "  line " << step.at.line << ": "
        << std::string(static_cast<std::size_t>(depth) * 2, ' ');
    if (const auto* send = std::get_if<SendStep>(&step.what)) {
        const char* verb = "send";
        if (send->kind == SendKind::emit) verb = "emit";
        if (send->kind == SendKind::operation) verb = "operation";
        if (send->kind == SendKind::mqtt_publish || send->kind == SendKind::mqtt_subscribe)
            verb = "mqtt";
        if (send->kind == SendKind::stomp_frame) verb = "stomp";
        out << verb << (send->name.empty() ? "" : " " + send->name) << " " << quoted(send->shown)
            << (send->ack ? ", with an ack" : "");
    } else if (const auto* e = std::get_if<ExpectStep>(&step.what)) {
        out << "expect " << e->name << ": " << e->match.shown << ", within "
            << duration_text(e->timeout) << (e->close_on_timeout ? " or close" : "");
        for (const Capture& c : e->captures) {
            out << ", capture " << c.var << " from "
                << (c.regex ? "/" + c.regex_text + "/ group " + std::to_string(c.group) : c.path);
        }
    } else if (const auto* t = std::get_if<ThinkStep>(&step.what)) {
        out << "think " << duration_text(t->min);
        if (t->max != t->min) out << " to " << duration_text(t->max);
    } else if (const auto* loop = std::get_if<LoopStep>(&step.what)) {
        out << "loop";
        if (loop->count > 0) out << " " << loop->count << " times";
        if (loop->duration.count() > 0)
            out << (loop->count > 0 ? " or" : "") << " for " << duration_text(loop->duration);
        if (loop->rate > 0) out << ", at " << rate_text(loop->rate) << " (intended times)";
    } else if (const auto* c = std::get_if<CloseStep>(&step.what)) {
        out << "close " << c->code << (c->reason.empty() ? "" : " " + quoted(c->reason));
    }
    out << "\n";
}

}  // namespace

std::string describe_plan(const Scenario& s) {
    std::ostringstream out;
    out << s.file << ": valid scenario\n";
    out << "url: " << (s.url.empty() ? "(none: give the URL argument)" : s.url) << "\n";
    for (const auto& h : s.headers)
        out << "header: " << h.first << ": " << h.second.source() << "\n";
    for (const std::string& p : s.subprotocols) out << "subprotocol: " << p << "\n";
    if (s.protocol == Protocol::socketio) {
        out << "protocol: socketio (Engine.IO 4 over WebSocket at " << s.socketio.path
            << "), namespace " << s.socketio.nsp;
        if (s.socketio.auth) out << ", auth " << quoted(s.socketio.auth_shown);
        out << "\n";
    }
    if (s.protocol == Protocol::mqtt) {
        out << "protocol: mqtt " << (s.mqtt.version == 5 ? "5" : "3.1.1") << ", client id "
            << quoted(s.mqtt.client_id.source()) << ", keep alive "
            << duration_text(s.mqtt.keepalive) << "\n";
    }
    if (s.protocol == Protocol::stomp) {
        out << "protocol: stomp 1.2, heart-beat "
            << (s.stomp.heart_beat_ms > 0 ? std::to_string(s.stomp.heart_beat_ms) + " ms"
                                          : std::string("none"))
            << "\n";
    }
    if (s.protocol == Protocol::graphql_ws) {
        out << "protocol: graphql-ws (graphql-transport-ws)";
        if (s.graphql.connection_params)
            out << ", connection_params " << quoted(s.graphql.params_shown);
        out << "\n";
    }
    if (s.data) {
        out << "data: " << s.data->path << ", " << s.data->rows.size() << " rows, columns";
        for (const std::string& c : s.data->columns) out << " " << c;
        out << "\n";
    }
    for (const Var& v : s.vars)
        out << "var: " << v.name << " = " << quoted(v.value.source()) << "\n";
    describe_phases(s, out);
    out << "session:\n";
    int depth = 0;
    for (const Step& step : s.program) {
        if (std::holds_alternative<LoopEnd>(step.what)) {
            --depth;
            continue;
        }
        describe_step(step, depth, out);
        if (std::holds_alternative<LoopStep>(step.what)) ++depth;
    }
    for (const ListenRule& r : s.listen) {
        out << "listen " << r.name << " (line " << r.at.line << "): " << r.match.shown;
        if (!r.sent_at_path.empty()) {
            out << ", push latency from " << r.sent_at_path << (r.sent_at_ms ? " (ms)" : " (us)");
        }
        out << "\n";
    }
    if (s.heartbeat) {
        out << "heartbeat: every " << duration_text(s.heartbeat->every) << ", send "
            << quoted(s.heartbeat->send.shown) << "\n";
    }
    out << "report steps:";
    for (const std::string& n : s.step_names()) out << " " << n;
    out << "\n";
    return out.str();
}

}  // namespace wsb::scenario
