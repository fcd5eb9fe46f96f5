// A scripted TCP server for client tests: blocking sockets, one thread per connection.
#include "fake_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

#include "wsbench/handshake.hpp"
#include "wsbench/http.hpp"

namespace wsb::test {

FakeConnection::~FakeConnection() {
    if (fd_ >= 0) ::close(fd_);
}

std::string FakeConnection::read_head() {
    for (;;) {
        const auto end = in_.find("\r\n\r\n");
        if (end != std::string::npos) {
            std::string head = in_.substr(0, end + 4);
            in_.erase(0, end + 4);
            return head;
        }
        const std::string more = read_some();
        if (more.empty()) return "";
        in_ += more;
    }
}

std::string FakeConnection::read_some() {
    if (!in_.empty()) return std::exchange(in_, {});
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

bool FakeConnection::send(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

void FakeConnection::reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ < 0) return;
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
}

void FakeConnection::shutdown() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

FakeServer::FakeServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 128) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (listen_fd_ >= 0) ::close(listen_fd_);
        throw std::runtime_error("fake server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FakeServer::~FakeServer() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        for (auto& c : connections_) c->shutdown();
    }
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    for (auto& t : scripts_) t.join();
    ::close(listen_fd_);
}

std::string FakeServer::url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }

void FakeServer::accept_loop() {
    for (int index = 0;; ++index) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        std::lock_guard<std::mutex> lock(mutex_);
        if (fd < 0 || stopping_) {
            if (fd >= 0) ::close(fd);
            return;
        }
        auto c = std::make_shared<FakeConnection>(fd, index);
        connections_.push_back(c);
        scripts_.emplace_back([this, c] { script_(*c); });
    }
}

std::string accept_handshake(const std::string& request_head) {
    HttpRequest req;
    std::size_t head_size = 0;
    ServerHandshakeInfo info;
    if (parse_http_request(request_head, req, head_size) != Errc::ok ||
        check_client_request(req, info) != Errc::ok) {
        return "";
    }
    return build_server_response(info.accept_key);
}

}  // namespace wsb::test
