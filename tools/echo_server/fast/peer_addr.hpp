// A fast-engine client's address as accept() gave it, formatted only for log lines.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace wsb::echo::fast {

/// The peer of one connection: IPv4, IPv6 or IPv4-mapped IPv6.
struct PeerAddr {
    union {
        sockaddr sa;
        sockaddr_in v4;
        sockaddr_in6 v6;
    };
    PeerAddr() noexcept { std::memset(&v6, 0, sizeof v6); }

    /// "1.2.3.4:5678", "[::1]:5678" (a mapped IPv4 address prints as IPv4), or "unknown".
    std::string str() const;
};

}  // namespace wsb::echo::fast
