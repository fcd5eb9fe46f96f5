// Listening sockets for the servers: address resolution, SO_REUSEPORT groups, the backlog and
// the port actually bound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wsb::net {

/// What to listen on.
struct ListenOptions {
    std::string host = "127.0.0.1";  ///< numeric address or name; the first address is used
    std::uint16_t port = 0;          ///< 0: the kernel picks a free port
    unsigned count = 1;              ///< sockets on the same port, one per event loop
    bool reuse_port = false;         ///< join other processes' SO_REUSEPORT group on `port`
    int backlog = 4096;              ///< listen(2) backlog
    bool non_blocking = true;        ///< SOCK_NONBLOCK on every socket
};

/// The listening sockets opened.
struct Listeners {
    std::vector<int> fds;    ///< `count` sockets, all bound to one address and port
    int family = 0;          ///< AF_INET or AF_INET6
    std::uint16_t port = 0;  ///< the port bound (the kernel's choice for port 0)
    std::string bound;       ///< "127.0.0.1:9001" or "[::1]:9001"
};

/// Opens `options.count` listening sockets on one address and port. Every socket carries
/// SO_REUSEPORT, so they form one group (the kernel spreads connections over them) that a
/// later server started with `reuse_port` may join. Without `reuse_port` a fixed port is
/// first proven free by an ordinary bind, so a server never joins another's group unnoticed.
/// Returns an empty string on success, else "cannot listen on HOST:PORT: bind: Address already in
/// use" with nothing left open.
std::string open_listeners(const ListenOptions& options, Listeners& out);

/// Closes every socket of `listeners` and empties it.
void close_listeners(Listeners& listeners) noexcept;

}  // namespace wsb::net
