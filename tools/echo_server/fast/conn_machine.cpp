// The parts of the fast engine's connection state machine that do not depend on its host.
#include "echo_server/fast/conn_machine.hpp"

#include <string>

#include "echo_server/metrics.hpp"
#include "wsbench/prometheus.hpp"
#include "wsbench/report/envelope.hpp"

namespace wsb::echo::fast {

const char* server_agent() noexcept {
    static const std::string agent =
        "wsbench-echo-server/" + std::string(version()) + " (fast engine)";
    return agent.c_str();
}

std::string metrics_response(const nlohmann::json& doc) {
    const std::string body = metrics_text(doc);
    return "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(kPrometheusContentType) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body;
}

std::string stats_response(const nlohmann::json& doc) {
    const std::string body = doc.dump() + "\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace wsb::echo::fast
