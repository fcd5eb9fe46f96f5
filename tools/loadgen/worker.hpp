// A load-generator worker: one thread, one io_context, its share of the connections, its own
// histograms and counters. Workers share nothing during a run but atomics (Shared).
#pragma once

#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "loadgen/config.hpp"
#include "loadgen/result.hpp"
#include "loadgen/scheduler.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/histogram.hpp"
#include "wsbench/net/stream.hpp"

namespace wsb::loadgen {

/// Nanoseconds since the run's time origin.
using Ns = std::int64_t;

/// What the coordinator and every worker share during a run: atomics and constants only.
struct Shared {
    explicit Shared(const Config& c) : config(c) {}
    const Config& config;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    asio::ip::tcp::endpoint target;             ///< resolved once, before the run
    std::shared_ptr<asio::ssl::context> tls;    ///< for wss://
    std::vector<asio::ip::address> source_ips;  ///< --source-ip, parsed

    std::atomic<bool> stop{false};          ///< SIGINT/SIGTERM: wind down now
    std::atomic<std::uint64_t> settled{0};  ///< connections open or failed
    std::atomic<Ns> first_connect{-1};      ///< when the first connect started
    std::atomic<Ns> last_settle{-1};        ///< when the last connection settled
    std::atomic<Ns> window_start{-1};       ///< set when every connection settled
    std::atomic<unsigned> workers_done{0};
    /// Broadcast: messages the publisher sent, once its window is over (-1 before).
    std::atomic<std::int64_t> broadcast_published{-1};

    Ns now() const {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now() - t0)
            .count();
    }
    Ns measure_start() const { return window_start.load() + config.warmup.count(); }
    Ns window_end() const { return measure_start() + config.duration.count(); }
};

/// Counters a worker publishes for the progress line (single writer, relaxed).
struct alignas(64) Progress {
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> open{0};
};

class Worker;

/// An allocator whose resize() leaves new bytes uninitialised: frames are written over them
/// at once, so zero-filling every payload first would be a wasted pass per message.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() = default;
    template <class U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
using ByteBuffer = std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>>;

/// One WebSocket connection of a worker. Lives as long as its worker.
struct Connection {
    enum class State : std::uint8_t { idle, connecting, tls, handshaking, open, closing, closed };

    Connection(Worker& w, std::uint32_t global_id, std::uint32_t local_index);

    Worker& worker;
    const std::uint32_t id;     ///< global index, carried in markers
    const std::uint32_t local;  ///< index in the worker's vector
    State state = State::idle;
    bool counted_open = false;
    bool writing = false;
    bool waiting_read = false;
    bool send_done = false;  ///< no more messages will be sent on it
    bool dirty = false;      ///< listed in the worker's dirty_ (frames due, not yet flushed)
    bool blocked = false;    ///< open loop: schedule held while the target does not read
    net::Stream stream;      ///< TCP, with TLS layered on it for wss://
    std::unique_ptr<std::array<std::uint8_t, 16384>> tls_buffer;  ///< TLS reads land here

    Ns started = 0;   ///< connect start
    Ns deadline = 0;  ///< connect + handshake deadline
    Ns handshake_started = 0;

    struct Handshake {
        ClientRequest request;
        std::string wire;      ///< bytes sent
        std::string response;  ///< bytes received so far
        HttpHeadScanner scanner{kDefaultMaxHttpHead};
    };
    std::unique_ptr<Handshake> handshake;

    FrameParser parser;
    ByteBuffer pending;   ///< frames waiting for the write in flight
    ByteBuffer inflight;  ///< frames being written

    std::uint32_t next_seq = 0;       ///< sequence of the next message sent
    std::uint32_t in_flight = 0;      ///< messages sent, reply not yet seen (echo)
    std::uint32_t reply_next = 0;     ///< echo: sequence of the next reply expected
    Ns last_reply = 0;                ///< closed loop: last reply (or first send), for --timeout
    std::uint64_t messages_sent = 0;  ///< messages sent in the measured window (for -n)
    std::optional<OpenLoopSchedule> schedule;  ///< open loop: when each send is due
    std::uint32_t broadcast_next = 0;  ///< broadcast: next sequence expected from the publisher
    std::string head;                  ///< first bytes of a message split across reads
    Ns last_ping = 0;                  ///< connect scenario
};

class Worker {
  public:
    Worker(Shared& shared, unsigned index, std::vector<std::uint32_t> connection_ids);
    ~Worker();

    /// Runs the worker's event loop until its connections are done; call from its thread.
    void run();

    /// Called by the coordinator: the latencies recorded since the last call, merged into
    /// `into`, with the interval histogram reset. Takes effect at the worker's next tick.
    void request_interval();
    bool take_interval(Histogram& into);

    Progress progress;
    RunResult result;  ///< this worker's share; valid once run() returned
    /// Every connection this worker had open was closed or reset by the target before the
    /// window ended (the server died or shut down mid-run).
    bool lost_all() const { return lost_all_; }
    /// The first reason a connection could not open ("connect: Connection refused"), or "".
    const std::string& first_error() const { return first_error_; }
    /// When the last connection was lost (valid when lost_all()).
    Ns lost_at() const { return lost_at_; }

    // Used by Connection handlers.
    Shared& shared;
    /// One thread runs it and nothing else touches its sockets, so reactor I/O needs no locks.
    asio::io_context io{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    const Config& config;

  private:
    friend struct ConnectionOps;
    void tick();
    void schedule_tick();
    void start_connections(Ns now);
    void start_connect(Connection& c);
    void on_connected(Connection& c);
    void start_tls(Connection& c);
    void send_handshake(Connection& c);
    void arm_read(Connection& c);
    void on_readable(Connection& c);
    void on_bytes(Connection& c, std::uint8_t* data, std::size_t size);
    void on_handshake_bytes(Connection& c, std::uint8_t* data, std::size_t size);
    void on_frames(Connection& c, std::uint8_t* data, std::size_t size);
    void on_message(Connection& c, const std::uint8_t* data, std::size_t size,
                    std::uint64_t message_size, Ns now);
    void on_control(Connection& c, const FrameEvent& ev, Ns now);
    void on_open(Connection& c, Ns now);
    void begin_sending(Connection& c, Ns now);
    void send_message(Connection& c, Ns now, Ns intended);
    void send_control(Connection& c, Opcode op, const std::uint8_t* payload, std::size_t size);
    void flush(Connection& c);
    void fail(Connection& c, ErrorKind kind, std::uint16_t close_code = 0);
    void close(Connection& c, std::uint16_t code);
    void finish(Connection& c);
    void count_error(ErrorKind kind);
    void count_errors(ErrorKind kind, std::uint64_t n);
    void leave_open(Connection& c);
    void unblock(Connection& c);
    void settle(bool opened);

    bool measuring(Ns sent_at) const;
    void arm_send_timer();
    void run_schedule(Ns now);
    void end_of_window(Ns now);
    bool all_sent() const;

    const unsigned index_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::size_t next_to_start_ = 0;
    ConnectRamp ramp_;                  ///< this worker's share of --connect-rate
    std::uint64_t connecting_ = 0;      ///< started and not yet open or failed
    std::uint64_t max_connecting_ = 0;  ///< this worker's share of --max-connecting (0: none)
    std::uint64_t started_ = 0;
    std::uint64_t open_ = 0;
    std::uint64_t alive_ = 0;  ///< connections not closed
    asio::steady_timer tick_timer_;
    asio::steady_timer send_timer_;
    bool send_timer_armed_ = false;
    Ns send_timer_due_ = 0;
    Ns last_pass_ = 0;  ///< when run_schedule() last ran
    std::uint64_t send_timer_generation_ = 0;
    bool window_seen_ = false;
    bool window_over_ = false;
    Ns drain_deadline_ = 0;
    Ns next_timeout_scan_ = 0;
    bool closing_all_ = false;
    bool lost_all_ = false;
    Ns lost_at_ = 0;
    std::string first_error_;
    bool connect_posted_ = false;

    double rate_ = 0;  ///< open loop: messages/s per connection (the publisher's, broadcast)
    std::optional<OpenLoopSchedule> publisher_;       ///< broadcast: the publisher's schedule
    std::vector<std::pair<Ns, std::uint32_t>> heap_;  ///< (due, local index), min-heap
    std::vector<std::uint32_t> dirty_;  ///< connections given frames in this schedule pass

    std::vector<std::uint8_t> read_buffer_;
    std::vector<std::uint8_t> payload_;  ///< message template: marker space + filler
    std::mt19937_64 rng_;

    // Latency of the current progress interval, double-buffered with the coordinator: the
    // worker records into interval_[interval_active_] and flips only when asked, in tick().
    Histogram interval_[2];
    int interval_active_ = 0;
    std::atomic<int> ready_index_{1};
    std::atomic<bool> interval_requested_{false};
    std::atomic<bool> interval_ready_{false};
};

}  // namespace wsb::loadgen
