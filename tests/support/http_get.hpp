// Plain HTTP against a listener for the metrics tests (issue 18): one request whose whole
// response is read, and a loopback port free now, for servers (Prometheus, the Pushgateway)
// that cannot announce their own.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "ws_client.hpp"

namespace wsb::test {

struct Reply {
    HttpResponse head;
    std::string body;
};

/// Sends `request` (a whole HTTP request head) to 127.0.0.1:`port` and reads the response.
inline std::optional<Reply> http_exchange(unsigned short port, const std::string& request) {
    WsClient c;
    if (!c.connect_raw("ws://127.0.0.1:" + std::to_string(port) + "/", request)) {
        return std::nullopt;
    }
    auto head = c.read_http_response();
    if (!head) return std::nullopt;
    auto body = c.read_http_body(*head);
    if (!body) return std::nullopt;
    return Reply{*head, *body};
}

/// A port free now (bound to 0 and released).
inline unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace wsb::test
