// The fast engine: one event loop per thread, each with its own SO_REUSEPORT listener and
// its own edge-triggered epoll set of connections, driven through that thread's Asio
// io_context (which also runs its timers and the posts between threads).
//
// Why a nested epoll set rather than Asio's socket operations: Asio re-arms its reactor
// with epoll_ctl on every async_wait and keeps a descriptor state (about 200 bytes and a
// mutex) per socket, and async_read_some needs a buffer per connection. Here a connection
// is registered once, reads go into one buffer per thread, parsed in place by FrameParser,
// and a connection at rest costs only its Conn (a few hundred bytes).
#include "fast_engine.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <asio.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "deflate.hpp"
#include "server.hpp"
#include "stats.hpp"
#include "wsbench/close.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/net/listener.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/system.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::echo {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

std::int64_t to_ns(Millis m) { return static_cast<std::int64_t>(m.count()) * 1000000; }

constexpr std::size_t kReadChunk = 64 * 1024;     // one read into the thread's buffer
constexpr int kMaxEvents = 256;                   // epoll events taken per turn
constexpr int kReadsPerTurn = 8;                  // a busy connection yields after these
constexpr std::size_t kKeepCapacity = 16 * 1024;  // larger idle buffers are freed
constexpr std::size_t kFlushEarly = 256 * 1024;   // write before the turn ends above this
constexpr std::uint16_t kNoCode = 1005;           // close frame without a code (§7.1.5)
constexpr std::uint16_t kAbnormal = 1006;         // no close frame at all (§7.1.5)
constexpr const char* kServerName = "wsbench-echo-server/" WSBENCH_VERSION " (fast engine)";

/// A growable byte buffer that never zero-fills: the output queue of a connection.
class ByteBuf {
  public:
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return end_ == begin_; }
    const std::uint8_t* data() const noexcept { return buf_.get() + begin_; }
    std::size_t capacity() const noexcept { return cap_; }

    /// `n` writable bytes at the end; commit() what was written.
    std::uint8_t* reserve(std::size_t n) {
        if (cap_ - end_ < n) grow(n);
        return buf_.get() + end_;
    }
    void commit(std::size_t n) noexcept { end_ += n; }
    void append(const void* p, std::size_t n) {
        if (n == 0) return;
        std::memcpy(reserve(n), p, n);
        end_ += n;
    }
    /// Drops `n` bytes from the front (they were written).
    void consume(std::size_t n) noexcept {
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = 0;
    }
    /// Frees the storage when empty and larger than `keep`.
    void trim(std::size_t keep) noexcept {
        if (empty() && cap_ > keep) {
            buf_.reset();
            cap_ = 0;
        }
    }

  private:
    void grow(std::size_t n) {
        const std::size_t live = size();
        if (begin_ > 0 && cap_ - live >= n && begin_ >= live) {
            std::memmove(buf_.get(), buf_.get() + begin_, live);  // reuse the consumed front
        } else {
            const std::size_t cap = std::max<std::size_t>({live + n, cap_ * 2, 256});
            std::unique_ptr<std::uint8_t[]> next(new std::uint8_t[cap]);
            if (live) std::memcpy(next.get(), buf_.get() + begin_, live);
            buf_ = std::move(next);
            cap_ = cap;
        }
        begin_ = 0;
        end_ = live;
    }

    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t cap_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

/// A client's address as accept() gave it, formatted only for log lines.
struct PeerAddr {
    union {
        sockaddr sa;
        sockaddr_in v4;
        sockaddr_in6 v6;
    };
    PeerAddr() noexcept { std::memset(&v6, 0, sizeof v6); }

    std::string str() const {
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
};

enum class Phase : std::uint8_t {
    handshake,  ///< reading the HTTP request head (after the TLS handshake)
    http,       ///< answered plain HTTP or refused the handshake; closes once written
    open,       ///< frames flow both ways
    closing,    ///< we sent a close and wait for the client's
    replied,    ///< we answered the client's close; closes once written
    draining,   ///< we failed the connection: after our close, discard input until EOF
    lingering,  ///< --misbehave no-close-reply: ignore everything until the client drops
    dead,
};

struct Conn;

/// Connections ordered by deadline. Each list holds one kind of timeout, whose duration is
/// fixed, so appending keeps it sorted and the sweep only looks at the front.
struct TimerList {
    Conn* head = nullptr;
    Conn* tail = nullptr;
    std::int64_t timeout_ns = 0;
};

/// What a connection needs only while a read ends inside a frame or a message: the parser,
/// the UTF-8 state and the message so far. A connection at rest has none; the worker lends
/// it its own for each read and hands one over only when the read ends mid-frame.
struct Partial {
    FrameParser parser;
    Utf8Validator utf8;
    std::vector<std::uint8_t> msg;  // a message split over frames or reads
    bool in_message = false;
    bool text = false;  // the message being received is text

    bool at_rest() const noexcept {
        return !in_message && parser.at_frame_boundary() && !parser.message_in_progress() &&
               parser.error() == Errc::ok;
    }
};

/// The state of one connection. Protocol state only; the worker does the I/O.
struct Conn {
    int fd = -1;
    Phase phase = Phase::handshake;
    bool readable = true;  // may have unread input (the epoll set is edge-triggered)
    bool hangup = false;   // the peer shut down or reset: read until recv() says so
    bool paused = false;   // not reading: too many unsent replies
    bool dirty = false;    // in the worker's flush list
    bool queued = false;   // in the worker's list of connections with input left
    bool shut_after_flush = false;
    bool close_after_flush = false;
    bool admitted = false;  // counted against --max-connections
    bool opened = false;    // the handshake succeeded (counted in stats as open)
    std::uint16_t remote_code = kAbnormal;
    std::uint16_t local_code = kAbnormal;
    std::uint64_t id = 0;
    std::int64_t accepted_ns = 0;

    std::int64_t deadline_ns = 0;
    TimerList* tlist = nullptr;
    Conn* tprev = nullptr;
    Conn* tnext = nullptr;
    Conn* aprev = nullptr;  // every connection of the worker, for broadcast and shutdown
    Conn* anext = nullptr;

    PeerAddr peer;
    std::unique_ptr<std::string> head;          // the request head while it arrives
    std::unique_ptr<std::string> close_reason;  // the client's, for --log-connections
    std::unique_ptr<Partial> partial;           // only mid-frame or mid-message
    ByteBuf out;                                // bytes not yet written
    bool release_out = false;  // free `out` once drained (after the handshake response)
    SSL* ssl = nullptr;
    std::unique_ptr<Deflate> deflate;  // permessage-deflate, when negotiated
};

void list_remove(Conn* c) {
    TimerList* l = c->tlist;
    if (!l) return;
    (c->tprev ? c->tprev->tnext : l->head) = c->tnext;
    (c->tnext ? c->tnext->tprev : l->tail) = c->tprev;
    c->tprev = c->tnext = nullptr;
    c->tlist = nullptr;
}

void list_push(TimerList& l, Conn* c, std::int64_t now) {
    list_remove(c);
    c->deadline_ns = now + l.timeout_ns;
    c->tlist = &l;
    c->tprev = l.tail;
    c->tnext = nullptr;
    (l.tail ? l.tail->tnext : l.head) = c;
    l.tail = c;
}

/// A frame built once for every connection a broadcast reaches.
struct SharedFrame {
    std::vector<std::uint8_t> bytes;
    std::size_t payload = 0;
    bool text = false;
};

class FastServer;

/// One thread: its io_context, listener, epoll set and connections.
class Worker {
  public:
    Worker(FastServer& engine, int listen_fd);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void run();
    asio::io_context& io() { return io_; }

    /// Posted from any thread.
    void post_shutdown();
    void post_broadcast(std::shared_ptr<const SharedFrame> frame);
    void post_stop();

  private:
    void arm();
    void on_epoll();
    void finish_turn();
    void run_ready();
    void queue_read(Conn* c);
    void schedule_sweep();
    void sweep();

    void accept_some();
    void on_event(Conn* c, std::uint32_t events);
    void read_some(Conn* c);
    ssize_t recv_bytes(Conn* c, std::uint8_t* buf, std::size_t cap);
    ssize_t send_bytes(Conn* c, const std::uint8_t* buf, std::size_t n);
    void consume(Conn* c, std::uint8_t* data, std::size_t n);
    void consume_head(Conn* c, std::uint8_t* data, std::size_t n);
    void consume_frames(Conn* c, std::uint8_t* data, std::size_t n);
    void on_control(Conn* c, const FrameEvent& ev);
    void on_data(Conn* c, Partial& p, const FrameEvent& ev);
    void keep_reason(Conn* c, std::string_view reason);
    ParserOptions parser_options(const Conn* c) const;
    void deliver(Conn* c, bool text, const std::uint8_t* data, std::size_t size, bool compressed);
    void broadcast_local(const SharedFrame& f);

    void write_frame(Conn* c, Opcode op, const std::uint8_t* data, std::size_t size,
                     bool rsv1 = false);
    void write_close(Conn* c, std::uint16_t code, std::string_view reason);
    void answer_http(Conn* c, std::string response);
    void mark_dirty(Conn* c);
    void flush(Conn* c);
    void after_drain(Conn* c);
    void check_backpressure(Conn* c);

    void start_close(Conn* c, std::uint16_t code, std::string_view reason);
    void fail(Conn* c, std::uint16_t code, std::string_view reason);
    void close_conn(Conn* c, const char* why);
    void touch(Conn* c);

    FastServer& engine_;
    const Config& config_;
    asio::io_context io_{1};
    asio::posix::stream_descriptor epoll_desc_;
    asio::steady_timer sweep_timer_;
    int epfd_ = -1;
    int listen_fd_ = -1;
    bool listen_paused_ = false;
    bool stopping_ = false;
    bool ready_posted_ = false;
    StatsShard* shard_ = nullptr;

    std::vector<std::uint8_t> rbuf_;
    Partial scratch_;  // lent to connections at rest for the length of one read
    std::vector<Conn*> dirty_;
    std::vector<Conn*> ready_;
    std::vector<Conn*> again_;  // ready_ being served (kept to reuse its storage)
    std::vector<Conn*> graveyard_;
    TimerList handshakes_;
    TimerList idles_;
    TimerList closings_;
    Conn* all_ = nullptr;
};

class FastServer {
  public:
    explicit FastServer(const Config& config);
    ~FastServer();
    int run(std::ostream& out);

    const Config& config() const { return config_; }
    Stats& stats() { return stats_; }
    SSL_CTX* tls() const { return tls_; }
    bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }

    std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
    bool admit() {
        if (admitted_.fetch_add(1, std::memory_order_relaxed) >= config_.max_connections) {
            admitted_.fetch_sub(1, std::memory_order_relaxed);
            return false;
        }
        return true;
    }
    void unadmit() { admitted_.fetch_sub(1, std::memory_order_relaxed); }
    void live_up() { live_.fetch_add(1, std::memory_order_relaxed); }
    void live_down() { live_.fetch_sub(1, std::memory_order_relaxed); }

    void broadcast(Worker& from, std::shared_ptr<const SharedFrame> frame);
    nlohmann::json stats_doc() const;

  private:
    int open_listeners(std::vector<int>& fds, std::string& bound);
    int setup_tls();
    void shutdown();
    void check_drained();
    void schedule_stats();

    const Config& config_;
    const unsigned threads_;
    Stats stats_;
    SSL_CTX* tls_ = nullptr;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::atomic<std::uint64_t> next_id_{1};
    std::atomic<std::uint64_t> admitted_{0};
    std::atomic<std::uint64_t> live_{0};
    std::atomic<bool> shutting_down_{false};

    asio::io_context control_;  // the main thread: signals, --stats-interval, shutdown
    asio::signal_set signals_{control_, SIGINT, SIGTERM};
    asio::steady_timer stats_timer_{control_};
    asio::steady_timer drain_timer_{control_};
    Clock::time_point shutdown_deadline_;
};

// --- Worker: the loop -------------------------------------------------------------------------

Worker::Worker(FastServer& engine, int listen_fd)
    : engine_(engine),
      config_(engine.config()),
      epoll_desc_(io_),
      sweep_timer_(io_),
      listen_fd_(listen_fd),
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
    handshakes_.timeout_ns = to_ns(config_.handshake_timeout);
    idles_.timeout_ns = to_ns(config_.idle_timeout);
    closings_.timeout_ns = to_ns(config_.close_timeout);
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

void Worker::run() {
    shard_ = &engine_.stats().shard();
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
    for (std::size_t i = 0; i < dirty_.size(); ++i) {
        Conn* c = dirty_[i];
        c->dirty = false;
        if (c->phase != Phase::dead) flush(c);
    }
    dirty_.clear();
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
    const std::int64_t now = now_ns();
    if (listen_paused_ && !stopping_) {  // out of file descriptors a moment ago: try again
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = nullptr;
        if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev) == 0) listen_paused_ = false;
    }
    while (handshakes_.head && handshakes_.head->deadline_ns <= now) {
        close_conn(handshakes_.head, "handshake timeout");
    }
    while (idles_.head && idles_.head->deadline_ns <= now) {
        Conn* c = idles_.head;
        if (config_.log_connections) {
            log_line(LogLevel::info, "idle id=" + std::to_string(c->id) + " peer=" + c->peer.str());
        }
        start_close(c, 1001, "idle timeout");
        if (c->tlist == &idles_) list_remove(c);  // start_close moved it unless already closing
    }
    while (closings_.head && closings_.head->deadline_ns <= now) {
        close_conn(closings_.head, "close timeout");
    }
    finish_turn();
}

// --- Worker: accepting ------------------------------------------------------------------------

void Worker::accept_some() {
    for (int i = 0; i < 64; ++i) {
        PeerAddr peer;
        socklen_t len = sizeof peer.v6;
        const int fd = ::accept4(listen_fd_, &peer.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Stop watching the listener until the next sweep, or it would spin.
                log_line(LogLevel::warn, std::string("accept: ") + std::strerror(errno) +
                                             " (raise the open-file limit with ulimit -n)");
                ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
                listen_paused_ = true;
            }
            return;
        }
        const int one = 1;
        // Without TCP_NODELAY a large echo stalls ~40 ms on Nagle and delayed ACKs.
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

        auto* c = new Conn;
        c->fd = fd;
        c->peer = peer;
        c->id = engine_.next_id();
        c->accepted_ns = now_ns();
        c->head = std::make_unique<std::string>();
        engine_.live_up();
        engine_.stats().on_accepted();
        c->anext = all_;
        if (all_) all_->aprev = c;
        all_ = c;
        list_push(handshakes_, c, c->accepted_ns);
        if (SSL_CTX* ctx = engine_.tls()) {
            c->ssl = SSL_new(ctx);
            if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
                close_conn(c, "TLS setup failed");
                continue;
            }
            SSL_set_accept_state(c->ssl);
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.ptr = c;
        if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close_conn(c, std::strerror(errno));
            continue;
        }
        if (stopping_) close_conn(c, "server shutting down");
    }
}

// --- Worker: reading --------------------------------------------------------------------------

void Worker::on_event(Conn* c, std::uint32_t events) {
    if (c->phase == Phase::dead) return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable = true;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->hangup = true;
    // TLS may need to write to read and read to write, so any readiness retries both.
    if (!c->out.empty()) flush(c);
    if (c->phase != Phase::dead && c->readable && !c->paused) read_some(c);
}

ssize_t Worker::recv_bytes(Conn* c, std::uint8_t* buf, std::size_t cap) {
    if (!c->ssl) return ::recv(c->fd, buf, cap, 0);
    ERR_clear_error();
    const int r = SSL_read(c->ssl, buf, static_cast<int>(cap));
    if (r > 0) return r;
    switch (SSL_get_error(c->ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_SYSCALL:
            if (errno == 0) return 0;  // EOF without close_notify
            return -1;
        default:
            errno = EPROTO;
            return -1;
    }
}

ssize_t Worker::send_bytes(Conn* c, const std::uint8_t* buf, std::size_t n) {
    if (!c->ssl) return ::send(c->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    ERR_clear_error();
    const int r = SSL_write(c->ssl, buf, static_cast<int>(std::min<std::size_t>(n, 1 << 30)));
    if (r > 0) return r;
    switch (SSL_get_error(c->ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        default:
            errno = EPIPE;
            return -1;
    }
}

void Worker::read_some(Conn* c) {
    std::uint8_t* buf = rbuf_.data();
    for (int i = 0; i < kReadsPerTurn; ++i) {
        const ssize_t n = recv_bytes(c, buf, rbuf_.size());
        if (n > 0) {
            consume(c, buf, static_cast<std::size_t>(n));
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
            close_conn(c, "connection closed by peer");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->readable = false;
            return;
        }
        if (errno == EINTR) continue;
        close_conn(c, std::strerror(errno));
        return;
    }
    queue_read(c);
}

void Worker::consume(Conn* c, std::uint8_t* data, std::size_t n) {
    switch (c->phase) {
        case Phase::handshake:
            consume_head(c, data, n);
            break;
        case Phase::open:
        case Phase::closing:
            consume_frames(c, data, n);
            break;
        default:
            break;  // answered, failed or ignoring: input is discarded
    }
    if (c->phase != Phase::dead) check_backpressure(c);
}

void Worker::consume_head(Conn* c, std::uint8_t* data, std::size_t n) {
    std::string& head = *c->head;
    head.append(reinterpret_cast<const char*>(data), n);
    HttpRequest req;
    std::size_t head_size = 0;
    const Errc parsed = parse_http_request(head, req, head_size);
    if (parsed == Errc::http_incomplete) return;

    const std::string id = std::to_string(c->id);
    if (parsed != Errc::ok) {
        engine_.stats().on_handshake_failed();
        const int status = reject_status_for(parsed);
        if (config_.log_connections) {
            log_line(LogLevel::info, "fail id=" + id + " peer=" + c->peer.str() + " error=\"" +
                                         std::string(to_string(parsed)) +
                                         "\" status=" + std::to_string(status));
        }
        answer_http(c,
                    build_reject_response(status, {}, {}, std::string(to_string(parsed)) + "\n"));
        return;
    }
    const bool upgrade = req.headers.has_token("Upgrade", "websocket");
    if (!upgrade) {
        // Plain HTTP: /stats, else a hint that this is a WebSocket server.
        if (req.method == "GET" && req.target == "/stats") {
            const std::string body = engine_.stats_doc().dump() + "\n";
            answer_http(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                               body);
            return;
        }
        answer_http(
            c, build_reject_response(
                   426, {}, {},
                   "wsbench-echo-server: connect with WebSocket; GET /stats for statistics\n"));
        return;
    }
    ServerHandshakeInfo info;
    if (const Errc e = check_client_request(req, info); e != Errc::ok) {
        engine_.stats().on_handshake_failed();
        const int status = reject_status_for(e);
        if (config_.log_connections) {
            log_line(LogLevel::info, "fail id=" + id + " peer=" + c->peer.str() + " error=\"" +
                                         std::string(to_string(e)) +
                                         "\" status=" + std::to_string(status));
        }
        answer_http(c, build_reject_response(status, {}, {}, std::string(to_string(e)) + "\n"));
        return;
    }
    if (engine_.shutting_down()) {
        engine_.stats().on_rejected();
        answer_http(c, build_reject_response(503, {}, {}, "server shutting down\n"));
        return;
    }
    if (!engine_.admit()) {
        engine_.stats().on_rejected();
        if (config_.log_connections) {
            log_line(LogLevel::info, "reject id=" + id + " peer=" + c->peer.str() +
                                         " status=503 (max connections)");
        }
        answer_http(c, build_reject_response(503, {}, {},
                                             "too many connections (--max-connections " +
                                                 std::to_string(config_.max_connections) + ")\n"));
        return;
    }
    c->admitted = true;

    HeaderList extra;
    extra.emplace_back("Server", kServerName);  // conformance reports name the agent by it
    if (config_.deflate) {
        std::string accepted;
        if (auto d = Deflate::negotiate(info.extensions, accepted)) {
            c->deflate = std::move(d);
            extra.emplace_back("Sec-WebSocket-Extensions", accepted);
        }
    }
    const std::string response = build_server_response(info.accept_key, {}, extra);
    c->out.append(response.data(), response.size());
    c->release_out = true;  // a connection at rest keeps no output buffer
    mark_dirty(c);
    c->phase = Phase::open;
    c->opened = true;
    engine_.stats().on_open();
    const std::int64_t now = now_ns();
    list_remove(c);
    if (config_.idle_timeout.count() > 0) list_push(idles_, c, now);
    if (config_.log_connections) {
        log_line(LogLevel::info,
                 "open id=" + id + " peer=" + c->peer.str() + " resource=" + req.target);
    }
    // Frames the client sent right behind its head.
    std::string rest = head.substr(head_size);
    c->head.reset();
    if (engine_.shutting_down()) start_close(c, 1001, "server shutting down");
    if (!rest.empty()) consume_frames(c, reinterpret_cast<std::uint8_t*>(rest.data()), rest.size());
}

void Worker::answer_http(Conn* c, std::string response) {
    c->out.append(response.data(), response.size());
    c->head.reset();
    c->phase = Phase::http;
    c->close_after_flush = true;
    mark_dirty(c);
}

ParserOptions Worker::parser_options(const Conn* c) const {
    ParserOptions po;
    po.role = Role::server;
    po.max_message_size = config_.max_message_size;
    po.ignore_rsv = config_.misbehave == Misbehave::ignore_rsv;
    po.allow_rsv1 = c->deflate != nullptr;  // permessage-deflate defines RSV1
    return po;
}

void Worker::consume_frames(Conn* c, std::uint8_t* data, std::size_t n) {
    Partial* p = c->partial.get();
    if (!p) {
        // At rest: parse with the worker's state, and keep it only if the read ends mid-way.
        p = &scratch_;
        p->parser = FrameParser(parser_options(c));
        p->in_message = false;
        p->msg.clear();
    }
    FrameEvent ev;
    std::size_t pos = 0;
    while (pos < n && (c->phase == Phase::open || c->phase == Phase::closing)) {
        pos += p->parser.parse(data + pos, n - pos, ev);
        if (ev.kind == FrameEvent::Kind::need_more) break;
        if (ev.kind == FrameEvent::Kind::error) {
            fail(c, close_code_for(ev.error), to_string(ev.error));
            break;
        }
        if (ev.is_control()) {
            on_control(c, ev);
        } else if (c->phase == Phase::open) {
            on_data(c, *p, ev);
        }
    }
    const bool live = c->phase == Phase::open || c->phase == Phase::closing;
    if (p == &scratch_) {
        if (live && !p->at_rest()) c->partial = std::make_unique<Partial>(std::move(scratch_));
    } else if (!live || p->at_rest()) {
        c->partial.reset();
    }
}

void Worker::on_control(Conn* c, const FrameEvent& ev) {
    switch (ev.header.opcode) {
        case Opcode::ping:
            touch(c);
            if (c->phase == Phase::open && config_.misbehave != Misbehave::no_pong) {
                write_frame(c, Opcode::pong, ev.data, ev.size);
            }
            return;
        case Opcode::pong:
            touch(c);
            return;
        case Opcode::close:
            break;
        default:
            return;  // reserved control opcodes fail in the parser
    }
    ClosePayload cp;
    const Errc e = parse_close_payload(ev.data, ev.size, cp);
    if (c->phase == Phase::closing) {
        // The client answered our close: done once our output is written.
        c->remote_code = e == Errc::ok ? (cp.has_code ? cp.code : kNoCode) : kAbnormal;
        if (e == Errc::ok) keep_reason(c, cp.reason);
        c->phase = Phase::replied;
        c->close_after_flush = true;
        mark_dirty(c);
        return;
    }
    if (e != Errc::ok) {
        fail(c, close_code_for(e), to_string(e));
        return;
    }
    c->remote_code = cp.has_code ? cp.code : kNoCode;
    keep_reason(c, cp.reason);
    list_remove(c);
    if (config_.misbehave == Misbehave::no_close_reply) {
        c->phase = Phase::lingering;  // wait for the client to give up and drop TCP
        list_push(closings_, c, now_ns());
        return;
    }
    if (config_.misbehave == Misbehave::wrong_close_code) {
        write_close(c, 1002, "");
    } else if (cp.has_code) {
        write_close(c, cp.code, "");  // echo the code (§5.5.1)
    } else {
        write_frame(c, Opcode::close, nullptr, 0);
        c->local_code = kNoCode;
    }
    // The server closes TCP first (§7.1.1) once the close is written.
    c->phase = Phase::replied;
    c->close_after_flush = true;
    list_push(closings_, c, now_ns());
}

void Worker::keep_reason(Conn* c, std::string_view reason) {
    if (config_.log_connections && !reason.empty()) {
        c->close_reason = std::make_unique<std::string>(reason);
    }
}

void Worker::on_data(Conn* c, Partial& p, const FrameEvent& ev) {
    if (!p.in_message) {
        p.in_message = true;
        p.text = ev.message_opcode == Opcode::text;
        p.utf8.reset();
        if (c->deflate) c->deflate->begin_message(ev.header.rsv1);
    }
    const bool compressed = c->deflate && c->deflate->message_compressed();
    if (p.text && !compressed && config_.misbehave != Misbehave::no_utf8_check) {
        const Utf8Status st = p.utf8.feed(ev.data, ev.size);
        if (st == Utf8Status::invalid || (ev.message_end && st != Utf8Status::complete)) {
            fail(c, 1007, "invalid UTF-8 in a text message");
            return;
        }
    }
    if (ev.message_end && p.msg.empty() && ev.message_offset == 0) {
        p.in_message = false;
        deliver(c, p.text, ev.data, ev.size, compressed);  // the whole message in one piece
        return;
    }
    p.msg.insert(p.msg.end(), ev.data, ev.data + ev.size);
    if (!ev.message_end) return;
    p.in_message = false;
    deliver(c, p.text, p.msg.data(), p.msg.size(), compressed);
    p.msg.clear();
    if (p.msg.capacity() > kKeepCapacity) std::vector<std::uint8_t>().swap(p.msg);
}

void Worker::deliver(Conn* c, bool text, const std::uint8_t* data, std::size_t size,
                     bool compressed) {
    if (compressed) {
        // Inflate into the thread's scratch, then check and echo the plain message.
        const std::uint64_t limit = config_.max_message_size;
        const Deflate::Result r = c->deflate->inflate(data, size, limit);
        if (r == Deflate::Result::too_large) {
            fail(c, 1009, "message too large");
            return;
        }
        if (r == Deflate::Result::error) {
            fail(c, 1007, "invalid permessage-deflate data");
            return;
        }
        const std::vector<std::uint8_t>& plain = c->deflate->inflated();
        if (text && config_.misbehave != Misbehave::no_utf8_check &&
            !is_valid_utf8(plain.data(), plain.size())) {
            fail(c, 1007, "invalid UTF-8 in a text message");
            return;
        }
        data = plain.data();
        size = plain.size();
    }
    shard_->in[text ? 0 : 1].add(size);
    touch(c);
    const std::string& prefix = config_.reply_prefix;
    if (config_.mode == Mode::broadcast) {
        auto f = std::make_shared<SharedFrame>();
        f->text = text;
        f->payload = prefix.size() + size;
        FrameHeader h;
        h.opcode = text ? Opcode::text : Opcode::binary;
        h.payload_length = f->payload;
        f->bytes.resize(encoded_header_size(h) + f->payload);
        std::size_t pos = encode_header(h, f->bytes.data(), f->bytes.size());
        std::memcpy(f->bytes.data() + pos, prefix.data(), prefix.size());
        if (size) std::memcpy(f->bytes.data() + pos + prefix.size(), data, size);
        engine_.broadcast(*this, std::move(f));
        return;
    }
    const Opcode op = text ? Opcode::text : Opcode::binary;
    if (c->deflate) {
        // Compress prefix + message as the reply.
        const std::vector<std::uint8_t>& z = c->deflate->compress(
            reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size(), data, size);
        write_frame(c, op, z.data(), z.size(), true);
    } else if (prefix.empty()) {
        write_frame(c, op, data, size);
    } else {
        FrameHeader h;
        h.opcode = op;
        h.payload_length = prefix.size() + size;
        std::uint8_t* p = c->out.reserve(kMaxFrameHeaderSize + h.payload_length);
        const std::size_t hs = encode_header(h, p, kMaxFrameHeaderSize);
        std::memcpy(p + hs, prefix.data(), prefix.size());
        if (size) std::memcpy(p + hs + prefix.size(), data, size);
        c->out.commit(hs + h.payload_length);
        mark_dirty(c);
    }
    shard_->out[text ? 0 : 1].add(prefix.size() + size);
}

void FastServer::broadcast(Worker& from, std::shared_ptr<const SharedFrame> frame) {
    for (auto& w : workers_) {
        if (w.get() == &from) continue;
        w->post_broadcast(frame);
    }
    from.post_broadcast(std::move(frame));
}

void Worker::post_broadcast(std::shared_ptr<const SharedFrame> frame) {
    asio::post(io_, [this, f = std::move(frame)] {
        broadcast_local(*f);
        finish_turn();
    });
}

void Worker::broadcast_local(const SharedFrame& f) {
    for (Conn* c = all_; c; c = c->anext) {
        if (c->phase != Phase::open) continue;
        if (c->out.size() + f.bytes.size() > config_.max_send_queue) {
            // One slow reader must not stall or bloat the others (§7.4.1: 1008 policy).
            engine_.stats().on_policy_close();
            log_line(LogLevel::info,
                     "closing id=" + std::to_string(c->id) + " peer=" + c->peer.str() +
                         " with 1008: send queue above --max-send-queue " +
                         std::to_string(config_.max_send_queue) + " bytes (client not reading)");
            start_close(c, 1008, "send queue limit exceeded");
            continue;
        }
        c->out.append(f.bytes.data(), f.bytes.size());
        shard_->out[f.text ? 0 : 1].add(f.payload);
        mark_dirty(c);
    }
}

// --- Worker: writing --------------------------------------------------------------------------

void Worker::write_frame(Conn* c, Opcode op, const std::uint8_t* data, std::size_t size,
                         bool rsv1) {
    FrameHeader h;
    h.opcode = op;
    h.rsv1 = rsv1;
    h.payload_length = size;
    std::uint8_t* p = c->out.reserve(kMaxFrameHeaderSize + size);
    const std::size_t hs = encode_header(h, p, kMaxFrameHeaderSize);
    if (size) std::memcpy(p + hs, data, size);
    c->out.commit(hs + size);
    mark_dirty(c);
}

void Worker::write_close(Conn* c, std::uint16_t code, std::string_view reason) {
    std::uint8_t payload[kMaxClosePayload];
    const std::size_t n = format_close_payload(code, reason, payload, sizeof payload);
    write_frame(c, Opcode::close, payload, n);
    c->local_code = code;
}

void Worker::mark_dirty(Conn* c) {
    if (c->dirty) return;
    c->dirty = true;
    dirty_.push_back(c);
}

void Worker::check_backpressure(Conn* c) {
    if (c->out.size() < kFlushEarly && c->out.size() <= config_.high_water_mark) return;
    flush(c);
    // Stop reading while the replies wait, so a client that sends faster than it reads
    // cannot grow our memory: its own writes stall instead.
    if (c->phase != Phase::dead && c->out.size() > config_.high_water_mark) c->paused = true;
}

void Worker::flush(Conn* c) {
    while (!c->out.empty()) {
        const ssize_t n = send_bytes(c, c->out.data(), c->out.size());
        if (n > 0) {
            c->out.consume(static_cast<std::size_t>(n));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // EPOLLOUT will call again
        close_conn(c, std::strerror(errno));
        return;
    }
    after_drain(c);
}

void Worker::after_drain(Conn* c) {
    if (c->paused && c->out.size() <= config_.high_water_mark / 2) {
        c->paused = false;
        if (c->readable) queue_read(c);  // resume reading on the next turn
    }
    if (!c->out.empty()) return;
    c->out.trim(c->release_out ? 0 : kKeepCapacity);
    c->release_out = false;
    if (c->close_after_flush) {
        close_conn(c, nullptr);
    } else if (c->shut_after_flush) {
        c->shut_after_flush = false;
        if (c->ssl) SSL_shutdown(c->ssl);
        ::shutdown(c->fd, SHUT_WR);  // the client sees our close, then EOF
    }
}

// --- Worker: closing --------------------------------------------------------------------------

void Worker::touch(Conn* c) {
    if (c->tlist == &idles_) list_push(idles_, c, now_ns());
}

void Worker::start_close(Conn* c, std::uint16_t code, std::string_view reason) {
    if (c->phase != Phase::open) return;
    write_close(c, code, reason);
    c->phase = Phase::closing;
    list_push(closings_, c, now_ns());
}

void Worker::fail(Conn* c, std::uint16_t code, std::string_view reason) {
    if (c->phase != Phase::open && c->phase != Phase::closing) return;
    if (c->phase == Phase::open) write_close(c, code, reason);
    // Fail the connection (§7.1.7): our close, then EOF; discard what the client still
    // sends until it drops too or the close timeout passes.
    c->phase = Phase::draining;
    c->shut_after_flush = true;
    c->paused = false;
    list_push(closings_, c, now_ns());
    mark_dirty(c);
}

void Worker::close_conn(Conn* c, const char* why) {
    if (c->phase == Phase::dead) return;
    const Phase was = c->phase;
    c->phase = Phase::dead;
    list_remove(c);
    if (c->queued) {
        ready_.erase(std::remove(ready_.begin(), ready_.end(), c), ready_.end());
        c->queued = false;
    }
    (c->aprev ? c->aprev->anext : all_) = c->anext;
    if (c->anext) c->anext->aprev = c->aprev;
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = nullptr;
    }
    ::close(c->fd);  // also leaves the epoll set
    c->fd = -1;
    Stats& stats = engine_.stats();
    const std::string peer = config_.log_connections ? c->peer.str() : std::string();
    if (c->opened) {
        const bool remote_real = c->remote_code != kNoCode && c->remote_code != kAbnormal;
        const std::uint16_t code = remote_real ? c->remote_code : c->local_code;
        stats.on_close(code);
        if (config_.log_connections) {
            char dur[32];
            std::snprintf(dur, sizeof dur, "%.3f",
                          static_cast<double>(now_ns() - c->accepted_ns) / 1e9);
            log_line(LogLevel::info,
                     "close id=" + std::to_string(c->id) + " peer=" + peer + " code=" +
                         std::to_string(code) + " remote_code=" + std::to_string(c->remote_code) +
                         " local_code=" + std::to_string(c->local_code) + " reason=\"" +
                         (c->close_reason ? *c->close_reason : std::string()) +
                         "\" duration_s=" + dur);
        }
    } else if (was == Phase::handshake) {
        stats.on_handshake_failed();
        if (config_.log_connections) {
            log_line(LogLevel::info, "fail id=" + std::to_string(c->id) + " peer=" + peer +
                                         " error=\"" + (why ? why : "closed") + "\" status=0");
        }
    }
    if (c->admitted) engine_.unadmit();
    engine_.live_down();
    c->out = ByteBuf();
    c->partial.reset();
    c->deflate.reset();
    graveyard_.push_back(c);
}

void Worker::post_shutdown() {
    asio::post(io_, [this] {
        stopping_ = true;
        if (listen_fd_ >= 0) {
            ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
            ::close(listen_fd_);
            listen_fd_ = -1;
        }
        for (Conn* c = all_; c;) {
            Conn* next = c->anext;
            if (c->phase == Phase::handshake || c->phase == Phase::http) {
                close_conn(c, "server shutting down");
            } else {
                start_close(c, 1001, "server shutting down");
            }
            c = next;
        }
        finish_turn();
    });
}

void Worker::post_stop() {
    asio::post(io_, [this] { io_.stop(); });
}

// --- FastServer
// -----------------------------------------------------------------------------------

FastServer::FastServer(const Config& config)
    : config_(config),
      threads_(config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency())),
      stats_(threads_) {}

FastServer::~FastServer() {
    workers_.clear();
    if (tls_) SSL_CTX_free(tls_);
}

nlohmann::json FastServer::stats_doc() const {
    nlohmann::json doc = stats_.snapshot();
    doc["engine"] = to_string(config_.engine);
    doc["mode"] = to_string(config_.mode);
    return doc;
}

int FastServer::setup_tls() {
    tls_ = SSL_CTX_new(TLS_server_method());
    if (!tls_) {
        log_line(LogLevel::error, "cannot create a TLS context");
        return kExitCannotRun;
    }
    SSL_CTX_set_mode(tls_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_RELEASE_BUFFERS);
    if (const std::string error = net::configure_server(tls_, {config_.tls_cert, config_.tls_key});
        !error.empty()) {
        log_line(LogLevel::error, error);
        return kExitUsage;
    }
    return kExitOk;
}

int FastServer::open_listeners(std::vector<int>& fds, std::string& bound) {
    net::ListenOptions options;
    options.host = config_.host;
    options.port = config_.port;
    options.count = threads_;
    options.reuse_port = config_.reuse_port;
    net::Listeners listeners;
    if (const std::string error = net::open_listeners(options, listeners); !error.empty()) {
        log_line(LogLevel::error, error);
        return kExitCannotRun;
    }
    fds = std::move(listeners.fds);
    bound = listeners.bound;
    return kExitOk;
}

void FastServer::shutdown() {
    if (shutting_down_.exchange(true)) return;
    log_line(LogLevel::info, "shutting down: closing " + std::to_string(stats_.open()) +
                                 " connection(s) with 1001");
    stats_timer_.cancel();
    for (auto& w : workers_) w->post_shutdown();
    // Clients that never answer the close must not hold the exit beyond ~2 s.
    shutdown_deadline_ = Clock::now() + std::min(config_.close_timeout, Millis(1500));
    check_drained();
}

void FastServer::check_drained() {
    if (live_.load() == 0 || Clock::now() >= shutdown_deadline_) {
        for (auto& w : workers_) w->post_stop();
        return;
    }
    drain_timer_.expires_after(Millis(10));
    drain_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) check_drained();
    });
}

void FastServer::schedule_stats() {
    stats_timer_.expires_after(config_.stats_interval);
    stats_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || shutting_down()) return;
        log_line(LogLevel::info, "stats " + stats_.snapshot().dump());
        schedule_stats();
    });
}

int FastServer::run(std::ostream& out) {
    if (config_.tls()) {
        if (const int rc = setup_tls(); rc != kExitOk) return rc;
    }
    std::vector<int> listeners;
    std::string bound;
    if (const int rc = open_listeners(listeners, bound); rc != kExitOk) return rc;
    for (unsigned i = 0; i < threads_; ++i) {
        workers_.push_back(std::make_unique<Worker>(*this, listeners[i]));
    }
    signals_.async_wait([this](const asio::error_code& e, int) {
        if (!e) shutdown();
    });
    if (config_.stats_interval.count() > 0) schedule_stats();

    log_line(LogLevel::info, "engine fast, mode " + std::string(to_string(config_.mode)) + ", " +
                                 std::to_string(threads_) +
                                 " thread(s), one SO_REUSEPORT listener each" +
                                 (config_.deflate ? ", permessage-deflate offered" : ""));
    out << "listening on " << (config_.tls() ? "wss" : "ws") << "://" << bound << std::endl;

    std::vector<std::thread> pool;
    for (auto& w : workers_) pool.emplace_back([&w] { w->run(); });
    // The control loop ends once every worker stopped: run it until then.
    auto guard = asio::make_work_guard(control_);
    std::thread waiter([&] {
        for (auto& t : pool) t.join();
        asio::post(control_, [this] { control_.stop(); });
    });
    control_.run();
    waiter.join();
    log_line(LogLevel::info, "stopped");
    return kExitOk;
}

}  // namespace

int run_fast(const Config& config, std::ostream& out) {
    FastServer engine(config);
    return engine.run(out);
}

}  // namespace wsb::echo
