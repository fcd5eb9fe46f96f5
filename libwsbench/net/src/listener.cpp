// Listening sockets: resolve, probe, bind, listen, read back the port.
#include "wsbench/net/listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace wsb::net {
namespace {

void set_port(sockaddr_storage& addr, int family, std::uint16_t port) {
    if (family == AF_INET) reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port);
    if (family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port);
}

std::uint16_t bound_port(int fd, int family) {
    sockaddr_storage got{};
    socklen_t len = sizeof got;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&got), &len) != 0) return 0;
    return ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&got)->sin_port
                                   : reinterpret_cast<sockaddr_in6*>(&got)->sin6_port);
}

std::string address_text(const sockaddr_storage& addr, int family, std::uint16_t port) {
    char host[INET6_ADDRSTRLEN] = "";
    if (family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, host,
                    sizeof host);
        return std::string(host) + ":" + std::to_string(port);
    }
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, host,
                sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(port);
}

// An ordinary bind (no SO_REUSEPORT) proves the port is free; errno is kept on failure.
bool port_is_free(const sockaddr_storage& addr, socklen_t len, int family) {
    const int probe = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return false;
    const int one = 1;
    ::setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const int rc = ::bind(probe, reinterpret_cast<const sockaddr*>(&addr), len);
    const int err = errno;
    ::close(probe);
    errno = err;
    return rc == 0;
}

}  // namespace

void close_listeners(Listeners& listeners) noexcept {
    for (int fd : listeners.fds) ::close(fd);
    listeners.fds.clear();
}

std::string open_listeners(const ListenOptions& options, Listeners& out) {
    const std::string where = options.host + ":" + std::to_string(options.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(options.port);
    if (const int rc = ::getaddrinfo(options.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        return "cannot listen on " + where + ": " + ::gai_strerror(rc);
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
    sockaddr_storage addr{};
    std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
    const socklen_t addr_len = res->ai_addrlen;
    out = Listeners{};
    out.family = res->ai_family;
    auto fail_with = [&](const char* what) {
        std::string error = "cannot listen on " + where + ": " + what + ": " + std::strerror(errno);
        close_listeners(out);
        return error;
    };
    if (options.port != 0 && !options.reuse_port && !port_is_free(addr, addr_len, out.family)) {
        return fail_with("bind");
    }
    const int one = 1;
    out.port = options.port;
    for (unsigned i = 0; i < std::max(1u, options.count); ++i) {
        const int fd = ::socket(
            out.family, SOCK_STREAM | SOCK_CLOEXEC | (options.non_blocking ? SOCK_NONBLOCK : 0), 0);
        if (fd < 0) return fail_with("socket");
        out.fds.push_back(fd);
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
            return fail_with("SO_REUSEPORT");
        }
        set_port(addr, out.family, out.port);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) return fail_with("bind");
        if (::listen(fd, options.backlog) != 0) return fail_with("listen");
        if (i == 0) out.port = bound_port(fd, out.family);
    }
    out.bound = address_text(addr, out.family, out.port);
    return {};
}

}  // namespace wsb::net
