// The parts of the fast engine's connection state machine that do not depend on its host.
#include "echo_server/fast/conn_machine.hpp"

#ifndef WSBENCH_VERSION
#define WSBENCH_VERSION "dev"
#endif

namespace wsb::echo::fast {

const char* server_agent() noexcept {
    return "wsbench-echo-server/" WSBENCH_VERSION " (fast engine)";
}

std::string stats_response(const nlohmann::json& doc) {
    const std::string body = doc.dump() + "\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace wsb::echo::fast
