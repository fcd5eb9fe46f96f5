// Formats a fast-engine client's address for log lines.
#include "echo_server/fast/peer_addr.hpp"

#include <arpa/inet.h>

namespace wsb::echo::fast {

std::string PeerAddr::str() const {
    char host[INET6_ADDRSTRLEN] = "unknown";
    unsigned port = 0;
    if (sa.sa_family == AF_INET) {
        ::inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
        port = ntohs(v4.sin_port);
        return std::string(host) + ":" + std::to_string(port);
    }
    if (sa.sa_family == AF_INET6) {
        port = ntohs(v6.sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
            ::inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], host, sizeof host);
            return std::string(host) + ":" + std::to_string(port);
        }
        ::inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(port);
    }
    return "unknown";
}

}  // namespace wsb::echo::fast
