// The worker's event loop: a 10 ms tick whose phases run the connect ramp, the deadlines,
// the measured window, the closed-loop reply timeouts, pings, and the drain and close at the
// end; all on one thread. Each connection's state machine is in connection.cpp.
#include "loadgen/worker.hpp"

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "loadgen/marker.hpp"

namespace wsb::loadgen {
namespace {

constexpr Ns kTickNs = 10'000'000;               // 10 ms: ramp, deadlines, stop flag, window
constexpr std::size_t kReadBuffer = 256 * 1024;  // one per worker, shared by its connections
constexpr std::size_t kConnectBatch = 256;       // connects started per handler run
constexpr Ns kStopCloseTimeoutNs = 500'000'000;  // our close's wait when stopping on a signal
constexpr Ns kReplyScanNs = 100'000'000;         // closed loop: reply timeouts checked this often

}  // namespace

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Worker::Worker(Shared& s, unsigned index, std::vector<std::uint32_t> ids)
    : shared(s),
      config(s.config),
      index_(index),
      ramp_(s.config.connect_rate > 0
                ? s.config.connect_rate / std::max(1.0, static_cast<double>(s.config.threads))
                : 0.0,
            0),
      tick_timer_(io),
      send_timer_(io),
      rng_(std::random_device{}() ^ (std::uint64_t{index} << 32)) {
    result.config = config;
    if (config.script) script_ = std::make_unique<ScriptRun>(config, index);
    connections_.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        connections_.push_back(
            std::make_unique<Connection>(*this, ids[i], static_cast<std::uint32_t>(i)));
    }
    alive_ = connections_.size();
    if (config.max_connecting > 0) {
        max_connecting_ =
            std::max<std::uint64_t>(1, config.max_connecting / std::max(1u, config.threads));
    }
    rate_ = config.scenario == Scenario::broadcast ? config.rate : config.connection_rate();
    // wss:// needs Asio's TLS streams; WSBENCH_LOADGEN_IO=asio keeps Asio for plain TCP too
    // (to compare the two, docs/loadgen.md).
    const char* io_choice = std::getenv("WSBENCH_LOADGEN_IO");
    const bool asio_asked = io_choice != nullptr && std::strcmp(io_choice, "asio") == 0;
    if (!config.url.secure && !asio_asked && Reactor::available()) {
        reactor_ = std::make_unique<Reactor>();
    }
    send_early_ = config.coalesce.count();
    read_buffer_.resize(kReadBuffer);
    payload_.resize(std::max<std::uint64_t>(config.message_size, kMarkerSize));
    fill_payload(payload_.data(), payload_.size());
}

Worker::~Worker() = default;

void Worker::run() {
    schedule_tick();
    tick();
    if (reactor_) {
        run_direct();
    } else {
        io.run();
    }
    if (script_) script_finish();
    const double cpu = thread_cpu_seconds();
    std::optional<double> window_cpu;
    if (window_cpu_start_ >= 0) {
        window_cpu = (window_cpu_end_ >= 0 ? window_cpu_end_ : cpu) - window_cpu_start_;
    }
    result.threads.push_back(ThreadHealth{index_, cpu, result.connections_established,
                                          reactor_ ? "epoll" : "asio", window_cpu});
    shared.workers_done.fetch_add(1);
}

void Worker::run_direct() {
    constexpr Ns kNoTick = std::numeric_limits<Ns>::max();
    // Each round does what is due (tick, schedule pass, posted handlers, reads left over),
    // then waits for input until the next due time: with a zero timeout when something is
    // due already, so sends never starve reads nor reads sends.
    while (!loop_done_) {
        Ns now = shared.now();
        if (now >= next_tick_) {
            next_tick_ = kNoTick;  // tick() sets the next one, or ends the loop
            tick();
            if (loop_done_) break;
        }
        if (send_timer_armed_ && now >= send_timer_fire_) {
            send_timer_armed_ = false;
            if (script_) {
                run_script_schedule(now);
            } else {
                run_schedule(now);
            }
        }
        if (!read_again_.empty()) {
            reading_.swap(read_again_);  // read_more() may list a connection again
            for (const std::uint32_t local : reading_) connections_[local]->read_more();
            reading_.clear();
        }
        // What was posted to Asio, here and since the last round (no system call when
        // nothing was).
        if (io.stopped()) io.restart();
        io.poll();
        now = shared.now();
        const Ns wake = send_timer_armed_ ? std::min(next_tick_, send_timer_fire_) : next_tick_;
        const int n = reactor_->wait(read_again_.empty() ? wake - now : 0);
        for (int i = 0; i < n; ++i) {
            const epoll_event& ev = reactor_->event(i);
            static_cast<Connection*>(ev.data.ptr)->on_events(ev.events);
        }
    }
}

void Worker::end_loop() {
    tick_timer_.cancel();
    send_timer_.cancel();
    send_timer_armed_ = false;
    loop_done_ = true;
}

void Worker::arm_send_timer() {
    if (heap_.empty() || window_over_) return;
    const Ns due = heap_.front().first;
    if (send_timer_armed_ && send_timer_due_ <= due) return;
    // Re-arming cancels the wait in progress; its handler still runs (operation_aborted)
    // and must not clear the flag of the new wait: each wait carries its generation.
    send_timer_armed_ = true;
    send_timer_due_ = due;
    const std::uint64_t generation = ++send_timer_generation_;
    const Ns fire = std::max(due, last_pass_ + kSchedulePassNs);
    if (reactor_) {
        send_timer_fire_ = fire;  // the worker's own loop waits for it (run_direct())
        return;
    }
    send_timer_.expires_at(shared.t0 + std::chrono::nanoseconds(fire));
    send_timer_.async_wait([this, generation](const asio::error_code& ec) {
        if (generation != send_timer_generation_) return;
        send_timer_armed_ = false;
        if (ec) return;
        if (script_) {
            run_script_schedule(shared.now());
        } else {
            run_schedule(shared.now());
        }
    });
}

void Worker::pass_again(Ns now) {
    if (reactor_) {
        // After the input that came meanwhile: the loop waits with a zero timeout first.
        send_timer_armed_ = true;
        send_timer_due_ = heap_.front().first;
        send_timer_fire_ = now;
        return;
    }
    asio::post(io, [this] {
        if (script_) {
            run_script_schedule(shared.now());
        } else {
            run_schedule(shared.now());
        }
    });
}

void Worker::schedule_tick() {
    if (reactor_) {
        next_tick_ = shared.now() + kTickNs;
        return;
    }
    tick_timer_.expires_after(std::chrono::nanoseconds(kTickNs));
    tick_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) tick();
    });
}

void Worker::tick() {
    const Ns now = shared.now();
    hand_over_interval();
    if (shared.stop.load(std::memory_order_relaxed) && !closing_all_) stop_on_signal(now);
    if (script_) {
        check_script_deadlines(now);
        script_tick(now);
        if (closing_all_ && alive_ == 0) {
            end_loop();
            return;
        }
        schedule_tick();
        return;
    }
    if (!closing_all_) start_connections(now);
    check_deadlines(now);
    open_window(now);
    if (window_seen_ && !window_over_ && config.scenario != Scenario::connect) run_schedule(now);
    if (window_seen_ && !window_over_ && now >= shared.window_end()) end_of_window(now);
    if (window_seen_ && !window_over_ && config.scenario == Scenario::echo && rate_ == 0 &&
        now >= next_timeout_scan_) {
        check_reply_timeouts(now);
    }
    if (window_seen_ && !window_over_ && config.messages_per_connection > 0 && all_sent()) {
        // -n: the window ends for this worker once every connection sent its messages and
        // got its replies.
        end_of_window(now);
    }
    if (config.scenario == Scenario::connect && window_seen_ && !window_over_ &&
        config.ping_interval.count() > 0) {
        send_pings(now);
    }
    if (window_over_ && !closing_all_) drain(now);

    if (alive_ == 0) {
        // Every connection was started and is done (one not yet started still counts as
        // alive): let io.run() return, the timers being the last work.
        end_loop();
        return;
    }
    schedule_tick();
}

void Worker::hand_over_interval() {
    if (!interval_requested_.exchange(false, std::memory_order_acquire)) return;
    // Hand the coordinator the buffer recorded so far; record into the other one, which the
    // coordinator emptied before asking again.
    ready_index_.store(interval_active_, std::memory_order_relaxed);
    interval_active_ ^= 1;
    if (script_) script_->stats.interval = &script_->interval[interval_active_];
    if (config.metrics()) capture_live();
    interval_ready_.store(true, std::memory_order_release);
}

void Worker::stop_on_signal(Ns now) {
    // SIGINT: stop sending, close what is open with 1001, give up on what is not.
    closing_all_ = true;
    if (window_seen_ && !window_over_) window_cpu_end_ = thread_cpu_seconds();
    window_over_ = true;
    result.interrupted = true;
    for (auto& c : connections_) {
        if (c->state == Connection::State::open) {
            c->close(1001);
            c->deadline = now + kStopCloseTimeoutNs;
        } else if (c->state == Connection::State::closing) {
            c->deadline = std::min(c->deadline, now + kStopCloseTimeoutNs);
        } else if (c->state != Connection::State::closed) {
            c->finish();
        }
    }
}

void Worker::start_connections(Ns now) {
    const std::size_t allowed = static_cast<std::size_t>(std::min<std::uint64_t>(
        connections_.size(), ramp_.allowed_by(static_cast<std::uint64_t>(now))));
    // A batch per handler run, the rest posted: completions interleave with starts, so
    // connect times measure the target, not our own loop.
    std::size_t batch = 0;
    auto room = [this] { return max_connecting_ == 0 || connecting_ < max_connecting_; };
    while (next_to_start_ < allowed && batch++ < kConnectBatch && room()) {
        connections_[next_to_start_++]->start_connect();
    }
    // Full (--max-connecting): settle() starts the next one as each connection settles.
    if (next_to_start_ < allowed && room() && !connect_posted_) {
        connect_posted_ = true;
        asio::post(io, [this] {
            connect_posted_ = false;
            if (!closing_all_) start_connections(shared.now());
        });
    }
}

void Worker::check_deadlines(Ns now) {
    // Connect/handshake deadlines and, once closing, the close-handshake deadline; skipped
    // while every live connection is open or not started (the common case mid-run).
    const bool all_quiet = open_ + (connections_.size() - next_to_start_) == alive_;
    if (all_quiet) return;
    for (auto& c : connections_) {
        switch (c->state) {
            case Connection::State::connecting:
            case Connection::State::tls:
            case Connection::State::handshaking:
                if (now >= c->deadline) c->fail(ErrorKind::timeout);
                break;
            case Connection::State::closing:
                if (now >= c->deadline) c->finish();
                break;
            default:
                break;
        }
    }
}

void Worker::open_window(Ns now) {
    // The coordinator opened the window: open loop builds its schedules at once (the first
    // sends are due a little later), closed loop starts sending when the window starts.
    const Ns window = shared.window_start.load(std::memory_order_relaxed);
    if (window < 0 || window_seen_ || closing_all_ || (rate_ <= 0 && now < window)) return;
    window_seen_ = true;
    window_cpu_start_ = thread_cpu_seconds();
    for (auto& c : connections_) {
        if (c->state == Connection::State::open) c->begin_sending(now);
    }
}

void Worker::check_reply_timeouts(Ns now) {
    // Closed loop: a reply that never comes would stall its pipeline slot for good.
    next_timeout_scan_ = now + kReplyScanNs;
    for (auto& c : connections_) {
        if (c->state != Connection::State::open || c->in_flight == 0 ||
            now - c->last_reply < config.reply_timeout.count()) {
            continue;
        }
        c->expire_replies(now);
    }
}

void Worker::send_pings(Ns now) {
    for (auto& c : connections_) {
        if (c->state == Connection::State::open &&
            now - c->last_ping >= config.ping_interval.count()) {
            c->send_ping(now);
        }
    }
}

void Worker::drain(Ns now) {
    // Drain: wait for replies still in flight, then close everything.
    bool quiet = true;
    const std::int64_t published = shared.broadcast_published.load(std::memory_order_acquire);
    for (auto& c : connections_) {
        if (c->state != Connection::State::open) continue;
        if (c->in_flight > 0) quiet = false;
        // Broadcast: every delivery of what the publisher sent has arrived.
        if (config.scenario == Scenario::broadcast &&
            (published < 0 || static_cast<std::int64_t>(c->broadcast_next) < published)) {
            quiet = false;
        }
    }
    if (!quiet && now < drain_deadline_) return;
    closing_all_ = true;
    for (auto& c : connections_) {
        if (c->state == Connection::State::open) {
            count_errors(ErrorKind::timeout, c->in_flight);
            c->in_flight = 0;
            c->close(1000);
        } else if (c->state != Connection::State::closed &&
                   c->state != Connection::State::closing) {
            c->finish();
        }
    }
}

void Worker::settle(bool opened) {
    if (opened) {
        ++result.connections_established;
    } else {
        ++result.connections_failed;
    }
    --connecting_;
    if (max_connecting_ > 0 && connecting_ + 1 == max_connecting_ &&
        next_to_start_ < connections_.size() && !connect_posted_ && !closing_all_) {
        // There is room again: start more from the loop, not from inside this handler.
        connect_posted_ = true;
        asio::post(io, [this] {
            connect_posted_ = false;
            if (!closing_all_) start_connections(shared.now());
        });
    }
    // The ramp ends with the last connection to settle (once per connection, not per message).
    const Ns now = shared.now();
    Ns last = shared.last_settle.load(std::memory_order_relaxed);
    while (now > last && !shared.last_settle.compare_exchange_weak(last, now)) {
    }
    shared.settled.fetch_add(1, std::memory_order_relaxed);
}

void Worker::connection_closed(Connection& c) {
    --alive_;
    if (script_) {
        script_ended(c);
        return;
    }
    // The last connection went away before the window was over and we did not close it:
    // the target died or shut down under us.
    if (alive_ == 0 && !window_over_ && !closing_all_ && result.connections_established > 0) {
        lost_all_ = true;
        lost_at_ = shared.now();
    }
}

bool Worker::all_sent() const {
    for (const auto& c : connections_) {
        if (c->state == Connection::State::open && (!c->send_done || c->in_flight > 0))
            return false;
    }
    return true;
}

void Worker::end_of_window(Ns now) {
    window_over_ = true;
    window_cpu_end_ = thread_cpu_seconds();
    if (config.scenario == Scenario::broadcast) {
        for (const auto& c : connections_) {
            if (c->id == 0)
                shared.broadcast_published.store(c->next_seq, std::memory_order_release);
        }
    }
    result.duration_s = static_cast<double>(std::max<Ns>(0, now - shared.measure_start())) / 1e9;
    heap_.clear();
    drain_deadline_ = now + config.drain_timeout.count();
    // --stall: the slow consumers read again (the others are waiting for input already).
    for (auto& c : connections_) {
        if (c->state == Connection::State::open) c->arm_read();
    }
}

void Worker::request_interval() { interval_requested_.store(true, std::memory_order_release); }

bool Worker::take_interval(Histogram& into, std::vector<Histogram>* steps) {
    if (!interval_ready_.exchange(false, std::memory_order_acquire)) return false;
    // The worker flipped to the other buffer and will not touch this one until the next
    // request, which only comes after this call.
    const int ready = ready_index_.load(std::memory_order_relaxed);
    Histogram& old = interval_[ready];
    into.add(old);
    old.reset();
    if (script_) {
        std::vector<Histogram>& per_step = script_->interval[ready];
        if (steps) steps->resize(per_step.size());
        for (std::size_t i = 0; i < per_step.size(); ++i) {
            into.add(per_step[i]);
            if (steps) (*steps)[i].add(per_step[i]);
            per_step[i].reset();
        }
    }
    return true;
}

}  // namespace wsb::loadgen
