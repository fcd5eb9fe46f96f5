// One fast-engine thread: the epoll loop, accepting, reading, writing and dropping
// connections. The protocol is the ConnMachine's; this file owns every descriptor.
//
// Why a nested epoll set rather than Asio's socket operations: Asio re-arms its reactor
// with epoll_ctl on every async_wait and keeps a descriptor state (about 200 bytes and a
// mutex) per socket, and async_read_some needs a buffer per connection. Here a connection
// is registered once, reads go into one buffer per thread, parsed in place by FrameParser,
// and a connection at rest costs only its Conn (a few hundred bytes).
#include "echo_server/fast/worker.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "echo_server/fast/fast_server.hpp"
#include "echo_server/fast/socket_io.hpp"
#include "wsbench/system.hpp"

namespace wsb::echo::fast {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;  // one read into the thread's buffer
constexpr int kMaxEvents = 256;                // epoll events taken per turn
constexpr int kReadsPerTurn = 8;               // a busy connection yields after these
constexpr int kAcceptsPerTurn = 64;            // the listener is level-triggered

}  // namespace

Worker::Worker(FastServer& engine, int listen_fd)
    : engine_(engine),
      epoll_desc_(io_),
      sweep_timer_(io_),
      listen_fd_(listen_fd),
      machine_(*this, engine.config(), engine.stats()),
      rbuf_(kReadChunk) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: accept_some() takes a bounded batch per turn
    ev.data.ptr = nullptr;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
        throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
    }
    epoll_desc_.assign(::dup(epfd_));  // Asio owns (and closes) its own descriptor
}

Worker::~Worker() {
    while (all_) {
        Conn* c = all_;
        all_ = c->anext;
        if (c->ssl) SSL_free(c->ssl);
        if (c->fd >= 0) ::close(c->fd);
        delete c;
    }
    for (Conn* c : graveyard_) delete c;
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (epfd_ >= 0) ::close(epfd_);
}

// --- the loop ---------------------------------------------------------------------------------

void Worker::run() {
    machine_.bind_shard(engine_.stats().shard());
    machine_.show_on(engine_.shown_on());
    arm();
    schedule_sweep();
    io_.run();
}

void Worker::arm() {
    epoll_desc_.async_wait(asio::posix::descriptor_base::wait_read,
                           [this](const asio::error_code& ec) {
                               if (!ec) on_epoll();
                           });
}

void Worker::on_epoll() {
    epoll_event events[kMaxEvents];
    const int n = ::epoll_wait(epfd_, events, kMaxEvents, 0);
    for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) {
            accept_some();
        } else {
            on_event(static_cast<Conn*>(events[i].data.ptr), events[i].events);
        }
    }
    finish_turn();
    arm();
}

void Worker::run_ready() {
    // Connections that still had input after their share of reads, or resumed after
    // backpressure, get another turn.
    ready_posted_ = false;
    again_.swap(ready_);
    for (Conn* c : again_) {
        c->queued = false;
        if (c->phase != Phase::dead && c->readable && !c->paused) read_some(c);
    }
    again_.clear();
    finish_turn();
}

void Worker::queue_read(Conn* c) {
    if (c->queued) return;
    c->queued = true;
    ready_.push_back(c);
}

void Worker::finish_turn() {
    // Every frame due on a connection this turn goes out in one write.
    std::vector<Conn*>& dirty = machine_.dirty();
    for (std::size_t i = 0; i < dirty.size(); ++i) {
        Conn* c = dirty[i];
        c->dirty = false;
        if (c->phase != Phase::dead) flush(*c);
    }
    dirty.clear();
    for (Conn* c : graveyard_) delete c;
    graveyard_.clear();
    if (!ready_.empty() && !ready_posted_) {
        ready_posted_ = true;
        asio::post(io_, [this] { run_ready(); });
    }
}

void Worker::schedule_sweep() {
    // A fine tick: the timeouts in tests are a few hundred milliseconds.
    sweep_timer_.expires_after(std::chrono::milliseconds(20));
    sweep_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec) return;
        sweep();
        schedule_sweep();
    });
}

void Worker::sweep() {
    if (listen_paused_ && !stopping_) {  // out of file descriptors a moment ago: try again
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = nullptr;
        if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev) == 0) listen_paused_ = false;
    }
    machine_.sweep(now_ns());
    finish_turn();
}

void Worker::post_shutdown() {
    asio::post(io_, [this] { shutdown_now(); });
}

void Worker::shutdown_now() {
    stopping_ = true;
    if (listen_fd_ >= 0) {
        ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        ::close(listen_fd_);
        listen_fd_ = -1;
    }
    for (Conn* c = all_; c;) {
        Conn* next = c->anext;
        if (c->phase == Phase::handshake || c->phase == Phase::http) {
            close_conn(*c, "server shutting down");
        } else {
            machine_.start_close(*c, 1001, "server shutting down");
        }
        c = next;
    }
    finish_turn();
}

void Worker::post_stop() {
    asio::post(io_, [this] { io_.stop(); });
}

void Worker::post_broadcast(std::shared_ptr<const SharedFrame> frame) {
    asio::post(io_, [this, f = std::move(frame)] {
        for (Conn* c = all_; c; c = c->anext) machine_.broadcast_to(*c, *f);
        finish_turn();
    });
}

void Worker::post_console(std::shared_ptr<const ClientOp> op,
                          std::shared_ptr<const SharedFrame> frame, ConsoleEngine::Done done) {
    asio::post(io_, [this, op = std::move(op), f = std::move(frame), done = std::move(done)] {
        ClientOpResult result;
        console_op(*op, f.get(), result);
        finish_turn();
        done(std::move(result));
    });
}

void Worker::console_op(const ClientOp& op, const SharedFrame* frame, ClientOpResult& result) {
    const std::int64_t now = now_ns();
    for (Conn* c = all_; c; c = c->anext) {
        if (c->phase != Phase::open || (op.id != 0 && c->id != op.id)) continue;
        ++result.matched;
        switch (op.kind) {
            case ClientOp::Kind::send:
                machine_.console_send(*c, *frame);
                break;
            case ClientOp::Kind::close:
                machine_.start_close(*c, op.code, op.payload);
                break;
            case ClientOp::Kind::list: {
                ClientRow row;
                row.id = c->id;
                row.peer = c->peer.str();
                if (c->labels) {
                    row.resource = c->labels->resource;
                    row.subprotocol = c->labels->subprotocol;
                }
                row.seconds = static_cast<double>(now - c->accepted_ns) / 1e9;
                row.in = c->messages_in;
                row.out = c->messages_out;
                result.rows.push_back(std::move(row));
                break;
            }
        }
    }
}

// --- accepting --------------------------------------------------------------------------------

void Worker::accept_some() {
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
        PeerAddr peer;
        socklen_t len = sizeof peer.v6;
        const int fd = ::accept4(listen_fd_, &peer.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                pause_listening();
            }
            return;
        }
        add_conn(fd, peer);
    }
}

void Worker::pause_listening() {
    // Stop watching the listener until the next sweep, or it would spin.
    log_line(LogLevel::warn, std::string("accept: ") + std::strerror(errno) +
                                 " (raise the open-file limit with ulimit -n)");
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    listen_paused_ = true;
}

void Worker::add_conn(int fd, const PeerAddr& peer) {
    const int one = 1;
    // Without TCP_NODELAY a large echo stalls ~40 ms on Nagle and delayed ACKs.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    auto* c = new Conn;
    c->fd = fd;
    c->peer = peer;
    c->id = engine_.next_id();
    engine_.live_up();
    engine_.stats().on_accepted();
    c->anext = all_;
    if (all_) all_->aprev = c;
    all_ = c;
    machine_.start(*c, now_ns());
    if (SSL_CTX* ctx = engine_.tls()) {
        c->ssl = SSL_new(ctx);
        if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
            close_conn(*c, "TLS setup failed");
            return;
        }
        SSL_set_accept_state(c->ssl);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = c;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close_conn(*c, std::strerror(errno));
        return;
    }
    if (stopping_) close_conn(*c, "server shutting down");
}

// --- reading and writing ----------------------------------------------------------------------

void Worker::on_event(Conn* c, std::uint32_t events) {
    if (c->phase == Phase::dead) return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable = true;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->hangup = true;
    // TLS may need to write to read and read to write, so any readiness retries both.
    if (!c->out.empty()) flush(*c);
    if (c->phase != Phase::dead && c->readable && !c->paused) read_some(c);
}

void Worker::read_some(Conn* c) {
    std::uint8_t* buf = rbuf_.data();
    for (int i = 0; i < kReadsPerTurn; ++i) {
        const ssize_t n = recv_bytes(c->fd, c->ssl, buf, rbuf_.size());
        if (n > 0) {
            machine_.consume(*c, buf, static_cast<std::size_t>(n));
            if (c->phase == Phase::dead || c->paused) return;
            // A short plain read emptied the socket; a new arrival raises a new edge. TLS
            // may hold decrypted records back, and a hang-up raises no further edge, so
            // those read until recv() would block or reports the end.
            if (!c->ssl && !c->hangup && static_cast<std::size_t>(n) < rbuf_.size()) {
                c->readable = false;
                return;
            }
            continue;
        }
        if (n == 0) {
            close_conn(*c, "connection closed by peer");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->readable = false;
            return;
        }
        if (errno == EINTR) continue;
        close_conn(*c, std::strerror(errno));
        return;
    }
    queue_read(c);
}

void Worker::flush(Conn& c) {
    while (!c.out.empty()) {
        const ssize_t n = send_bytes(c.fd, c.ssl, c.out.data(), c.out.size());
        if (n > 0) {
            machine_.written(c, static_cast<std::size_t>(n));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // EPOLLOUT will call again
        close_conn(c, std::strerror(errno));
        return;
    }
    machine_.after_drain(c);
}

void Worker::shutdown_write(Conn& c) {
    if (c.ssl) SSL_shutdown(c.ssl);
    ::shutdown(c.fd, SHUT_WR);
}

// --- closing ----------------------------------------------------------------------------------

void Worker::close_conn(Conn& c, const char* why) {
    if (c.phase == Phase::dead) return;
    unlink(c);
    if (c.ssl) {
        SSL_free(c.ssl);
        c.ssl = nullptr;
    }
    if (c.reset) {
        const linger abort{1, 0};  // close() sends RST and discards what the kernel holds
        ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    }
    ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
    machine_.finish(c, why);
    if (c.admitted) engine_.unadmit();
    engine_.live_down();
    graveyard_.push_back(&c);
}

void Worker::unlink(Conn& c) {
    if (c.queued) {
        ready_.erase(std::remove(ready_.begin(), ready_.end(), &c), ready_.end());
        c.queued = false;
    }
    (c.aprev ? c.aprev->anext : all_) = c.anext;
    if (c.anext) c.anext->aprev = c.aprev;
}

// --- the rest of the ConnMachine's host -------------------------------------------------------

void Worker::broadcast(std::shared_ptr<const SharedFrame> frame) {
    engine_.broadcast(*this, std::move(frame));
}

nlohmann::json Worker::stats_doc() const { return engine_.stats_doc(); }

bool Worker::shutting_down() const { return engine_.shutting_down(); }

bool Worker::admit() { return engine_.admit(); }

}  // namespace wsb::echo::fast
