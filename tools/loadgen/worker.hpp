// A load-generator worker (h2load's Worker): one thread, one io_context, its share of the
// connections, its own histograms and counters. Workers share nothing during a run but
// atomics (Shared). Each connection's state machine is a Connection (connection.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "loadgen/config.hpp"
#include "loadgen/connection.hpp"
#include "loadgen/metrics.hpp"
#include "loadgen/reactor.hpp"
#include "loadgen/result.hpp"
#include "loadgen/scheduler.hpp"
#include "loadgen/script.hpp"
#include "wsbench/histogram.hpp"

namespace wsb::loadgen {

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
    /// Scenario files: sessions started by this process (session.id = n * shards + shard).
    std::atomic<std::uint64_t> next_session{0};

    Ns now() const {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now() - t0)
            .count();
    }
    Ns measure_start() const { return window_start.load() + config.warmup.count(); }
    Ns window_end() const { return measure_start() + config.duration.count(); }
};

// Open loop: schedule passes are at least this far apart. The kernel already lets a timer
// fire up to 50 us late (the default timer slack), so waking sooner buys no precision but
// costs a timerfd_settime per message at high rates; this way each pass sends everything
// due since the last one. Lateness is charged to the corrected latency either way.
inline constexpr Ns kSchedulePassNs = 50'000;

/// CPU seconds the calling thread has used (CLOCK_THREAD_CPUTIME_ID).
double thread_cpu_seconds();

/// Adds to a counter that only one thread writes: a plain load and store, no locked
/// read-modify-write.
template <class T>
void bump(std::atomic<T>& counter, T by = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

/// Counters a worker publishes for the progress line (single writer, relaxed).
struct alignas(64) Progress {
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> open{0};
    // Scenario files.
    std::atomic<std::uint64_t> sessions_started{0};
    std::atomic<std::uint64_t> sessions_ended{0};
    std::atomic<std::uint64_t> sessions_failed{0};
    std::atomic<std::uint64_t> timeouts{0};
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
    /// `steps` (scenario files): the interval's latencies per step name, merged in too.
    bool take_interval(Histogram& into, std::vector<Histogram>* steps = nullptr);

    Progress progress;
    RunResult result;  ///< this worker's share; valid once run() returned
    /// --metrics-listen/--metrics-push: the cumulative counters as of the last interval handed
    /// over; the coordinator reads them after take_interval() returned true.
    LiveCounters live_metrics;
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
    // A connection's state machine reads the worker's window flags, buffers and counters.
    friend class Connection;
    friend struct ScriptSession;

    // The worker's own loop for plain TCP (reactor.hpp): ticks, schedule passes, Asio's
    // posted handlers and the sockets' events, until end_loop().
    void run_direct();
    void end_loop();

    // tick(), every 10 ms: its phases, in order.
    void tick();
    void schedule_tick();
    void hand_over_interval();
    void capture_live();  // metrics_worker.cpp
    void stop_on_signal(Ns now);
    void start_connections(Ns now);
    void check_deadlines(Ns now);
    void open_window(Ns now);
    void check_reply_timeouts(Ns now);
    void send_pings(Ns now);
    void drain(Ns now);

    // Scenario files (script_worker.cpp): sessions started by the phases, each on a new
    // connection; the same heap and timer as the open-loop schedule drive their timers.
    void script_tick(Ns now);
    void check_script_deadlines(Ns now);
    void script_phase_users(Ns now, std::size_t phase);
    void start_session(Ns now, Ns intended, std::uint64_t conn_id, std::int64_t user);
    void script_opened(Connection& c, Ns now);
    void script_ended(Connection& c);
    void script_reschedule(Connection& c);
    void run_script_schedule(Ns now);
    void script_arrivals(Ns now);
    void script_cut(Ns now);
    void script_finish();

    // Connection events that change the worker's counters.
    void settle(bool opened);
    void connection_closed(Connection& c);
    void count_error(ErrorKind kind) {
        ++result.errors[static_cast<std::size_t>(kind)];
        bump(progress.errors, std::uint64_t{1});
    }
    void count_errors(ErrorKind kind, std::uint64_t n) {
        if (n == 0) return;
        result.errors[static_cast<std::size_t>(kind)] += n;
        bump(progress.errors, n);
    }
    void note_first_error(const std::string& why) {
        if (first_error_.empty()) first_error_ = why;
    }

    bool measuring(Ns sent_at) const {
        const Ns start = shared.window_start.load(std::memory_order_relaxed);
        if (start < 0) return false;
        const Ns from = start + config.warmup.count();
        return sent_at >= from && sent_at < from + config.duration.count();
    }
    // Open loop: the schedule heap and its timer (connection.cpp, beside send_message).
    void push_due(Ns due, std::uint32_t local) {
        heap_.emplace_back(due, local);
        std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    }
    void arm_send_timer();
    /// A pass left sends that are due (it stops at 4096 to stay responsive): another pass
    /// runs once the input that came meanwhile was read.
    void pass_again(Ns now);
    void run_schedule(Ns now);
    void end_of_window(Ns now);
    bool all_sent() const;

    const unsigned index_;
    std::unique_ptr<ScriptRun> script_;  ///< --scenario FILE
    std::vector<std::unique_ptr<Connection>> connections_;
    std::size_t next_to_start_ = 0;
    ConnectRamp ramp_;                  ///< this worker's share of --connect-rate
    std::uint64_t connecting_ = 0;      ///< started and not yet open or failed
    std::uint64_t max_connecting_ = 0;  ///< this worker's share of --max-connecting (0: none)
    std::uint64_t started_ = 0;
    std::uint64_t open_ = 0;
    std::uint64_t alive_ = 0;  ///< connections not closed
    /// Plain TCP: the worker's own loop (null with wss://, WSBENCH_LOADGEN_IO=asio or a kernel
    /// without epoll_pwait2: then Asio runs everything and the two timers below are Asio's).
    std::unique_ptr<Reactor> reactor_;
    Ns next_tick_ = 0;                       ///< reactor_: when tick() runs next
    Ns send_timer_fire_ = 0;                 ///< reactor_: when the armed schedule pass runs
    bool loop_done_ = false;                 ///< reactor_: run_direct() returns
    std::vector<std::uint32_t> read_again_;  ///< reactor_: reads to go on with (read_more())
    std::vector<std::uint32_t> reading_;     ///< reactor_: read_again_ while it is served
    asio::steady_timer tick_timer_;
    asio::steady_timer send_timer_;
    bool send_timer_armed_ = false;
    Ns send_timer_due_ = 0;
    Ns last_pass_ = 0;   ///< when run_schedule() last ran
    Ns send_early_ = 0;  ///< --coalesce: a pass also sends what is due this much later
    std::uint64_t send_timer_generation_ = 0;
    bool window_seen_ = false;
    double window_cpu_start_ = -1;  ///< the thread's CPU seconds when the window opened
    double window_cpu_end_ = -1;    ///< ... and when it ended (stop, -d, -n, a file's end)
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

    /// --deflate with no context takeover on both sides: the codecs the worker's connections
    /// share, one per set of agreed parameters (each compress and inflate is a whole message
    /// from a reset stream, so nothing of one connection outlives its call).
    DeflateCodec& shared_deflate(const DeflateParams& params);
    std::vector<std::unique_ptr<DeflateCodec>> shared_deflate_;

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
