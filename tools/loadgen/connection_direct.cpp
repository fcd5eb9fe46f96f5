// A plain-TCP connection's I/O under the worker's own loop (reactor.hpp): a non-blocking
// socket of our own, registered once, edge-triggered; sends go straight to the kernel and only
// what it does not take waits for an output edge. wss:// connections use Asio's streams.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "loadgen/connection.hpp"
#include "loadgen/worker.hpp"
#include "wsbench/system.hpp"

namespace wsb::loadgen {
namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

}  // namespace

void Connection::connect_direct() {
    const Shared& shared = worker.shared;
    const asio::ip::tcp::endpoint& target = shared.target;
    fd = ::socket(target.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        worker.note_first_error("socket: " + errno_text(errno));
        fail(ErrorKind::connect);
        return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!shared.source_ips.empty()) {
        const asio::ip::tcp::endpoint from(shared.source_ips[id % shared.source_ips.size()], 0);
#ifdef IP_BIND_ADDRESS_NO_PORT
        // Let connect() pick the port per destination, not bind(): the 4-tuple, not the
        // local port alone, must be unique, so each source address gets ~28k per target.
        ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
        if (::bind(fd, from.data(), static_cast<socklen_t>(from.size())) != 0) {
            worker.note_first_error("bind: " + errno_text(errno));
            fail(ErrorKind::connect);
            return;
        }
    }
    if (!worker.reactor_->add(fd, this)) {
        worker.note_first_error("epoll: " + errno_text(errno));
        fail(ErrorKind::connect);
        return;
    }
    // The output edge (or an error) says how the connect ended: on_events().
    if (::connect(fd, target.data(), static_cast<socklen_t>(target.size())) != 0 &&
        errno != EINPROGRESS) {
        connect_failed(errno_text(errno));
    }
}

void Connection::on_events(std::uint32_t events) {
    if (fd < 0) return;
    if (state == State::connecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err == 0 && (events & (EPOLLERR | EPOLLHUP)) != 0) err = ECONNRESET;
        if (err != 0) {
            connect_failed(errno_text(err));
            return;
        }
        on_connected();  // and on, to what else came with the event
        if (fd < 0) return;
    }
    if ((events & EPOLLOUT) != 0 && writing) {
        write_more();
        if (fd < 0) return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        // Edge-triggered: the end of input comes as one edge, maybe with the last data, so
        // after it a short read is no sign that nothing is left.
        if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) drain_input = true;
        if (waiting_read) {
            on_readable();
        } else {
            input_missed = true;  // --stall: read once arm_read() lets it
        }
    }
}

void Connection::read_more() {
    read_queued = false;
    if (fd < 0 || state == State::closed) return;
    if (write_failed) {
        write_failed = false;
        fail(ErrorKind::write);
        return;
    }
    if (waiting_read) {
        on_readable();
    } else {
        input_missed = true;  // --stall held it back meanwhile
    }
}

std::size_t Connection::read_plain(std::uint8_t* buffer, std::size_t size, asio::error_code& e) {
    if (fd < 0) return stream.socket().read_some(asio::buffer(buffer, size), e);
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, size, 0);
        if (n > 0) return static_cast<std::size_t>(n);
        if (n == 0) {
            e = asio::error::eof;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            e = asio::error::would_block;
        } else {
            e = asio::error_code(errno, asio::error::get_system_category());
        }
        return 0;
    }
}

void Connection::flush_direct() {
    // Everything pending in one send; what the kernel does not take waits in `inflight` for
    // the output edge while new frames gather in `pending`, as with an Asio write in flight.
    ssize_t n;
    do {
        n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(pending.size())) {
        pending.clear();
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            // Failed from the loop, not inside this call, as an Asio write's error would be:
            // the callers of flush() go on with the connection as it was.
            writing = true;
            write_failed = true;
            if (!read_queued) {
                read_queued = true;
                worker.read_again_.push_back(local);
            }
            return;
        }
        n = 0;
    }
    std::swap(pending, inflight);
    pending.clear();
    inflight_sent = static_cast<std::size_t>(n);
    writing = true;
}

void Connection::write_more() {
    while (inflight_sent < inflight.size()) {
        const ssize_t n = ::send(fd, inflight.data() + inflight_sent,
                                 inflight.size() - inflight_sent, MSG_NOSIGNAL);
        if (n > 0) {
            inflight_sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // the next edge
        fail(ErrorKind::write);
        return;
    }
    writing = false;
    inflight.clear();
    inflight_sent = 0;
    flush();
    if (blocked) unblock();
}

void Connection::close_direct() noexcept {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);  // leaves the worker's epoll set with it
    fd = -1;
    writing = false;
    waiting_read = false;
    input_missed = false;
    drain_input = false;
    write_failed = false;
    inflight.clear();
    inflight_sent = 0;
}

}  // namespace wsb::loadgen
