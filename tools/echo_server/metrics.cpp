// wsbench-echo-server's /metrics: see echo_server/metrics.hpp.
#include "echo_server/metrics.hpp"

#include "wsbench/prometheus.hpp"

namespace wsb::echo {
namespace {

std::uint64_t u64(const nlohmann::json& j, const char* a, const char* b = nullptr,
                  const char* c = nullptr) {
    const nlohmann::json* v = &j;
    for (const char* k : {a, b, c}) {
        if (k == nullptr) break;
        const auto it = v->find(k);
        if (it == v->end()) return 0;
        v = &*it;
    }
    return v->is_number_unsigned() ? v->get<std::uint64_t>() : 0;
}

}  // namespace

std::string metrics_text(const nlohmann::json& doc) {
    using Type = PromWriter::Type;
    PromWriter w;
    const std::string engine = doc.value("engine", "");
    const std::string mode = doc.value("mode", "");
    w.family("wsbench_server_info", Type::gauge, "The server's engine and mode (always 1).");
    w.sample("wsbench_server_info", {{"engine", engine}, {"mode", mode}}, std::uint64_t{1});
    w.family("wsbench_server_uptime_seconds", Type::gauge, "Seconds since the server started.");
    w.sample("wsbench_server_uptime_seconds", {}, doc.value("uptime_s", 0.0));
    w.family("wsbench_server_connections_open", Type::gauge, "WebSocket connections open now.");
    w.sample("wsbench_server_connections_open", {}, u64(doc, "connections", "open"));
    const std::pair<const char*, const char*> counts[] = {
        {"accepted", "Connections accepted (TCP)."},
        {"rejected", "Connections refused (--max-connections, shutting down)."},
        {"handshake_failed", "Opening handshakes that failed."},
    };
    for (const auto& [key, help] : counts) {
        const std::string name = std::string("wsbench_server_connections_") + key + "_total";
        w.family(name, Type::counter, help);
        w.sample(name, {}, u64(doc, "connections", key));
    }
    for (const char* what : {"messages", "bytes"}) {
        const std::string name = std::string("wsbench_server_") + what + "_total";
        w.family(name, Type::counter,
                 std::string("Data ") + what + " by direction (in: received, out: sent) and type.");
        for (const char* dir : {"in", "out"}) {
            for (const char* type : {"text", "binary"}) {
                w.sample(name, {{"direction", dir}, {"type", type}},
                         u64(doc.value(dir, nlohmann::json::object()), type, what));
            }
        }
    }
    w.family("wsbench_server_send_queue_closes_total", Type::counter,
             "Connections closed with 1008 for a full send queue (slow readers).");
    w.sample("wsbench_server_send_queue_closes_total", {}, u64(doc, "send_queue_full", "closed"));
    w.family("wsbench_server_undelivered_messages_total", Type::counter,
             "Messages dropped with the connections closed for their send queue.");
    w.sample("wsbench_server_undelivered_messages_total", {},
             u64(doc, "send_queue_full", "undelivered", "messages"));
    w.family("wsbench_server_closes_total", Type::counter, "Closed connections by close code.");
    if (const auto codes = doc.find("close_codes"); codes != doc.end() && codes->is_object()) {
        for (const auto& [code, n] : codes->items()) {
            w.sample("wsbench_server_closes_total", {{"code", code}},
                     n.is_number_unsigned() ? n.get<std::uint64_t>() : 0);
        }
    }
    return w.text();
}

}  // namespace wsb::echo
