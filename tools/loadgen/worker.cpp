// The worker's event loop: connect ramp, handshake, open- and closed-loop sending, reply
// matching, the end of the window, and the close handshake; all on one thread.
#include "loadgen/worker.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "loadgen/marker.hpp"
#include "wsbench/close.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/system.hpp"

namespace wsb::loadgen {
namespace {

constexpr Ns kTickNs = 10'000'000;               // 10 ms: ramp, deadlines, stop flag, window
constexpr std::size_t kReadBuffer = 256 * 1024;  // one per worker, shared by its connections
constexpr std::size_t kHeadLimit = 256;          // bytes of a split message kept to find its marker
constexpr int kReadsPerWakeup = 8;
constexpr std::size_t kMaxPending = 4 << 20;     // open loop: unsent bytes per connection
constexpr std::size_t kConnectBatch = 256;       // connects started per handler run
constexpr Ns kCloseTimeoutNs = 1'000'000'000;    // our close waits this long for the answer
constexpr Ns kStopCloseTimeoutNs = 500'000'000;  // ... when stopping on a signal
// Open loop: schedule passes are at least this far apart. The kernel already lets a timer
// fire up to 50 us late (the default timer slack), so waking sooner buys no precision but
// costs a timerfd_settime per message at high rates; this way each pass sends everything
// due since the last one. Lateness is charged to the corrected latency either way.
constexpr Ns kSchedulePassNs = 50'000;

std::uint64_t to_us(Ns ns) { return ns <= 0 ? 0 : static_cast<std::uint64_t>((ns + 500) / 1000); }

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

template <class T>
void bump(std::atomic<T>& counter, T by = 1) {
    // Single writer: a plain load and store, no locked read-modify-write.
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

Connection::Connection(Worker& w, std::uint32_t global_id, std::uint32_t local_index)
    : worker(w), id(global_id), local(local_index), stream(w.io) {
    ParserOptions o;
    o.role = Role::client;
    parser = FrameParser(o);
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
    read_buffer_.resize(kReadBuffer);
    payload_.resize(std::max<std::uint64_t>(config.message_size, kMarkerSize));
    fill_payload(payload_.data(), payload_.size());
}

Worker::~Worker() = default;

void Worker::count_error(ErrorKind kind) {
    ++result.errors[static_cast<std::size_t>(kind)];
    bump(progress.errors, std::uint64_t{1});
}

bool Worker::measuring(Ns sent_at) const {
    const Ns start = shared.window_start.load(std::memory_order_relaxed);
    if (start < 0) return false;
    const Ns from = start + config.warmup.count();
    return sent_at >= from && sent_at < from + config.duration.count();
}

void Worker::run() {
    schedule_tick();
    tick();
    io.run();
    result.threads.push_back(
        ThreadHealth{index_, thread_cpu_seconds(), result.connections_established});
    shared.workers_done.fetch_add(1);
}

void Worker::schedule_tick() {
    tick_timer_.expires_after(std::chrono::nanoseconds(kTickNs));
    tick_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) tick();
    });
}

void Worker::tick() {
    const Ns now = shared.now();

    if (interval_requested_.exchange(false, std::memory_order_acquire)) {
        // Hand the coordinator the buffer recorded so far; record into the other one, which
        // the coordinator emptied before asking again.
        ready_index_.store(interval_active_, std::memory_order_relaxed);
        interval_active_ ^= 1;
        interval_ready_.store(true, std::memory_order_release);
    }

    if (shared.stop.load(std::memory_order_relaxed) && !closing_all_) {
        // SIGINT: stop sending, close what is open with 1001, give up on what is not.
        closing_all_ = true;
        window_over_ = true;
        result.interrupted = true;
        for (auto& c : connections_) {
            if (c->state == Connection::State::open) {
                close(*c, 1001);
                c->deadline = now + kStopCloseTimeoutNs;
            } else if (c->state == Connection::State::closing) {
                c->deadline = std::min(c->deadline, now + kStopCloseTimeoutNs);
            } else if (c->state != Connection::State::closed) {
                finish(*c);
            }
        }
    }

    if (!closing_all_) start_connections(now);

    // Connect/handshake deadlines and, once closing, the close-handshake deadline; skipped
    // while every live connection is open or not started (the common case mid-run).
    const bool all_quiet = open_ + (connections_.size() - next_to_start_) == alive_;
    for (auto& c : connections_) {
        if (all_quiet) break;
        switch (c->state) {
            case Connection::State::connecting:
            case Connection::State::tls:
            case Connection::State::handshaking:
                if (now >= c->deadline) fail(*c, ErrorKind::timeout);
                break;
            case Connection::State::closing:
                if (now >= c->deadline) finish(*c);
                break;
            default:
                break;
        }
    }

    const Ns window = shared.window_start.load(std::memory_order_relaxed);
    if (window >= 0 && !window_seen_ && !closing_all_ && (rate_ > 0 || now >= window)) {
        window_seen_ = true;
        for (auto& c : connections_) {
            if (c->state == Connection::State::open) begin_sending(*c, now);
        }
    }
    if (window_seen_ && !window_over_ && config.scenario != Scenario::connect) {
        run_schedule(now);
    }
    if (window_seen_ && !window_over_ && now >= shared.window_end()) end_of_window(now);
    if (window_seen_ && !window_over_ && config.scenario == Scenario::echo && rate_ == 0 &&
        now >= next_timeout_scan_) {
        // Closed loop: a reply that never comes would stall its pipeline slot for good.
        next_timeout_scan_ = now + 100'000'000;
        for (auto& c : connections_) {
            if (c->state != Connection::State::open || c->in_flight == 0 ||
                now - c->last_reply < config.reply_timeout.count()) {
                continue;
            }
            count_errors(ErrorKind::timeout, c->in_flight);
            const unsigned slots = c->in_flight;
            c->in_flight = 0;
            c->reply_next = c->next_seq;  // a late reply now counts as unmatched
            c->last_reply = now;
            for (unsigned i = 0; i < slots && !c->send_done && now < shared.window_end(); ++i) {
                send_message(*c, now, now);
            }
            flush(*c);
        }
    }
    if (window_seen_ && !window_over_ && config.messages_per_connection > 0 && all_sent()) {
        // -n: the window ends for this worker once every connection sent its messages and
        // got its replies.
        end_of_window(now);
    }
    if (config.scenario == Scenario::connect && window_seen_ && !window_over_ &&
        config.ping_interval.count() > 0) {
        for (auto& c : connections_) {
            if (c->state == Connection::State::open &&
                now - c->last_ping >= config.ping_interval.count()) {
                c->last_ping = now;
                std::uint8_t marker[kMarkerSize];
                write_marker(Marker{c->id, c->next_seq++, static_cast<std::uint64_t>(now)}, marker);
                send_control(*c, Opcode::ping, marker, sizeof marker);
                if (measuring(now)) {
                    ++result.messages_sent;
                    bump(progress.sent, std::uint64_t{1});
                }
            }
        }
    }
    if (window_over_ && !closing_all_) {
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
        if (quiet || now >= drain_deadline_) {
            closing_all_ = true;
            for (auto& c : connections_) {
                if (c->state == Connection::State::open) {
                    count_errors(ErrorKind::timeout, c->in_flight);
                    c->in_flight = 0;
                    close(*c, 1000);
                } else if (c->state != Connection::State::closed &&
                           c->state != Connection::State::closing) {
                    finish(*c);
                }
            }
        }
    }

    if (alive_ == 0) {
        // Every connection was started and is done (one not yet started still counts as
        // alive): let io.run() return, the timers being the last work.
        tick_timer_.cancel();
        send_timer_.cancel();
        return;
    }
    schedule_tick();
}

void Worker::start_connections(Ns now) {
    const std::size_t allowed = static_cast<std::size_t>(std::min<std::uint64_t>(
        connections_.size(), ramp_.allowed_by(static_cast<std::uint64_t>(now))));
    // A batch per handler run, the rest posted: completions interleave with starts, so
    // connect times measure the target, not our own loop.
    std::size_t batch = 0;
    auto room = [this] { return max_connecting_ == 0 || connecting_ < max_connecting_; };
    while (next_to_start_ < allowed && batch++ < kConnectBatch && room()) {
        start_connect(*connections_[next_to_start_++]);
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

void Worker::start_connect(Connection& c) {
    c.state = Connection::State::connecting;
    ++connecting_;
    c.started = shared.now();  // per connection: the connect clock starts here
    if (shared.first_connect.load(std::memory_order_relaxed) < 0) {
        Ns unset = -1;
        shared.first_connect.compare_exchange_strong(unset, c.started);
    }
    c.deadline = c.started + config.connect_timeout.count();
    asio::error_code ec;
    const auto& target = shared.target;
    c.stream.socket().open(target.protocol(), ec);
    if (!ec && !shared.source_ips.empty()) {
        const auto& ip = shared.source_ips[c.id % shared.source_ips.size()];
#ifdef IP_BIND_ADDRESS_NO_PORT
        // Let connect() pick the port per destination, not bind(): the 4-tuple, not the
        // local port alone, must be unique, so each source address gets ~28k per target.
        int one = 1;
        ::setsockopt(c.stream.socket().native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                     sizeof one);
#endif
        c.stream.socket().bind(asio::ip::tcp::endpoint(ip, 0), ec);
    }
    if (ec) {
        fail(c, ErrorKind::connect);
        return;
    }
    c.stream.socket().async_connect(target, [this, &c](const asio::error_code& e) {
        if (c.state != Connection::State::connecting) return;
        if (e) {
            if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, "connect: " + e.message());
            if (first_error_.empty()) first_error_ = "connect: " + e.message();
            fail(c, ErrorKind::connect);
            return;
        }
        on_connected(c);
    });
}

void Worker::on_connected(Connection& c) {
    const Ns now = shared.now();
    result.connect.record(to_us(now - c.started));
    asio::error_code ec;
    c.stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (shared.tls) {
        start_tls(c);
    } else {
        send_handshake(c);
    }
}

void Worker::start_tls(Connection& c) {
    c.state = Connection::State::tls;
    c.stream.start_tls(*shared.tls);
    c.tls_buffer = std::make_unique<std::array<std::uint8_t, 16384>>();
    if (!net::prepare_client(c.stream.tls()->native_handle(), config.url.host, !config.insecure)) {
        if (first_error_.empty()) first_error_ = "TLS: cannot set the host name to verify";
        fail(c, ErrorKind::tls);
        return;
    }
    c.stream.async_handshake(asio::ssl::stream_base::client, [this, &c](const asio::error_code& e) {
        if (c.state != Connection::State::tls) return;
        if (e) {
            if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, "tls: " + e.message());
            if (first_error_.empty()) first_error_ = "TLS handshake: " + e.message();
            fail(c, ErrorKind::tls);
            return;
        }
        send_handshake(c);
    });
}

void Worker::send_handshake(Connection& c) {
    c.state = Connection::State::handshaking;
    c.handshake_started = shared.now();  // after TCP (and TLS): the WebSocket handshake only
    c.handshake = std::make_unique<Connection::Handshake>();
    ClientRequest& req = c.handshake->request;
    req.host = config.url.host;
    req.port = config.url.port;
    req.secure = config.url.secure;
    req.resource = config.url.resource();
    req.key = make_random_client_key(rng_);
    req.subprotocols = config.subprotocols;
    req.origin = config.origin;
    req.headers = config.headers;
    const std::string wire = build_client_request(req);
    c.pending.assign(wire.begin(), wire.end());
    flush(c);
    arm_read(c);
}

void Worker::flush(Connection& c) {
    if (c.writing || c.pending.empty() || c.state == Connection::State::closed) return;
    c.writing = true;
    std::swap(c.pending, c.inflight);
    auto done = [this, &c](const asio::error_code& e, std::size_t) {
        c.writing = false;
        c.inflight.clear();
        if (c.state == Connection::State::closed) return;
        if (e) {
            fail(c, ErrorKind::write);
            return;
        }
        flush(c);
        if (c.blocked) unblock(c);
    };
    c.stream.async_write(asio::buffer(c.inflight), done);
}

void Worker::arm_read(Connection& c) {
    if (c.waiting_read || c.state == Connection::State::closed) return;
    c.waiting_read = true;
    if (c.stream.secure()) {
        // TLS decrypts into the connection's own buffer.
        c.stream.async_read_some(
            asio::buffer(*c.tls_buffer), [this, &c](const asio::error_code& e, std::size_t n) {
                c.waiting_read = false;
                if (c.state == Connection::State::closed) return;
                if (n > 0) on_bytes(c, c.tls_buffer->data(), n);
                if (c.state == Connection::State::closed) return;
                flush(c);
                if (e) {
                    if (c.state == Connection::State::closing) {
                        finish(c);
                    } else {
                        fail(c, e == asio::error::eof || e == asio::ssl::error::stream_truncated
                                    ? ErrorKind::closed_by_peer
                                    : ErrorKind::read);
                    }
                    return;
                }
                arm_read(c);
            });
        return;
    }
    // Plain TCP: wait for readability, then read into the worker's shared buffer, so an idle
    // connection holds no read buffer of its own.
    c.stream.socket().async_wait(
        asio::ip::tcp::socket::wait_read, [this, &c](const asio::error_code& e) {
            c.waiting_read = false;
            if (c.state == Connection::State::closed || e == asio::error::operation_aborted) return;
            if (e) {
                fail(c, ErrorKind::read);
                return;
            }
            on_readable(c);
        });
}

void Worker::on_readable(Connection& c) {
    if (!c.stream.socket().non_blocking()) {
        asio::error_code ignored;
        c.stream.socket().non_blocking(true, ignored);
    }
    for (int i = 0; i < kReadsPerWakeup; ++i) {
        asio::error_code e;
        const std::size_t n = c.stream.socket().read_some(asio::buffer(read_buffer_), e);
        if (e == asio::error::would_block || e == asio::error::try_again) break;
        if (e) {
            if (c.state == Connection::State::closing) {
                finish(c);
            } else {
                fail(c, e == asio::error::eof ? ErrorKind::closed_by_peer : ErrorKind::read);
            }
            return;
        }
        on_bytes(c, read_buffer_.data(), n);
        if (c.state == Connection::State::closed) return;
        if (n < read_buffer_.size()) break;
    }
    flush(c);
    arm_read(c);
}

void Worker::on_bytes(Connection& c, std::uint8_t* data, std::size_t size) {
    if (c.state == Connection::State::handshaking) {
        on_handshake_bytes(c, data, size);
    } else {
        on_frames(c, data, size);
    }
}

void Worker::on_handshake_bytes(Connection& c, std::uint8_t* data, std::size_t size) {
    auto& hs = *c.handshake;
    hs.response.append(reinterpret_cast<const char*>(data), size);
    HttpResponse response;
    std::size_t head = 0;
    const Errc e = parse_http_response(hs.response, response, head, hs.scanner);
    if (e == Errc::http_incomplete) return;
    if (e == Errc::ok) {
        const Errc check = check_server_response(response, hs.request);
        if (check == Errc::ok) {
            const Ns now = shared.now();
            result.handshake.record(to_us(now - c.handshake_started));
            std::string rest = hs.response.substr(head);
            c.handshake.reset();
            on_open(c, now);
            if (!rest.empty())
                on_frames(c, reinterpret_cast<std::uint8_t*>(rest.data()), rest.size());
            return;
        }
        const std::string why = "handshake refused: status " + std::to_string(response.status) +
                                " (" + std::string(to_string(check)) + ")";
        if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, why);
        if (first_error_.empty()) first_error_ = why;
    }
    fail(c, ErrorKind::handshake);
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

void Worker::on_open(Connection& c, Ns now) {
    c.state = Connection::State::open;
    c.counted_open = true;
    ++open_;
    bump(progress.open, std::uint64_t{1});
    settle(true);
    c.last_ping = now;
    if (window_seen_ && !window_over_) begin_sending(c, now);
}

void Worker::begin_sending(Connection& c, Ns now) {
    if (config.scenario == Scenario::connect) return;
    const auto window =
        static_cast<std::uint64_t>(shared.window_start.load(std::memory_order_relaxed));
    if (config.scenario == Scenario::broadcast) {
        // One publisher (connection 0) at the whole rate; every connection receives.
        if (rate_ > 0 && !publisher_) publisher_.emplace(rate_, window, 0.0);
        if (c.id != 0) return;
    }
    if (rate_ > 0) {
        // Open loop. Echo connections spread evenly over one interval so the total rate is
        // smooth; the broadcast publisher starts at phase 0.
        const double phase = config.scenario == Scenario::broadcast
                                 ? 0.0
                                 : connection_phase(c.id, config.connections);
        c.schedule.emplace(rate_, window, phase);
        heap_.emplace_back(static_cast<Ns>(c.schedule->due_ns(0)), c.local);
        std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
        arm_send_timer();
        return;
    }
    c.last_reply = now;
    const unsigned burst = config.scenario == Scenario::broadcast ? 1 : config.pipeline;
    for (unsigned i = 0; i < burst && !c.send_done; ++i) send_message(c, now, now);
    flush(c);
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
    send_timer_.expires_at(shared.t0 + std::chrono::nanoseconds(fire));
    send_timer_.async_wait([this, generation](const asio::error_code& ec) {
        if (generation != send_timer_generation_) return;
        send_timer_armed_ = false;
        if (ec) return;
        run_schedule(shared.now());
    });
}

void Worker::unblock(Connection& c) {
    c.blocked = false;
    if (c.state != Connection::State::open || c.send_done || window_over_ || !c.schedule) return;
    heap_.emplace_back(static_cast<Ns>(c.schedule->due_ns(c.next_seq)), c.local);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    asio::post(io, [this] { run_schedule(shared.now()); });
}

void Worker::run_schedule(Ns now) {
    if (window_over_) return;
    last_pass_ = now;
    // Every send that is due, however late: the corrected latency charges the lateness.
    std::size_t sent_now = 0;
    while (!heap_.empty() && heap_.front().first <= now) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
        const auto [due, local] = heap_.back();
        heap_.pop_back();
        Connection& c = *connections_[local];
        if (c.state != Connection::State::open || c.send_done) continue;
        if (due >= shared.window_end()) continue;
        if (c.writing && c.pending.size() >= kMaxPending) {
            // The target is not reading: hold this connection's schedule (no unbounded
            // buffering) until its write completes; the late sends are charged to the
            // target by the corrected latency.
            c.blocked = true;
            continue;
        }
        send_message(c, now, due);
        ++sent_now;
        if (!c.send_done) {
            heap_.emplace_back(static_cast<Ns>(c.schedule->due_ns(c.next_seq)), local);
            std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
        }
        if (!c.writing) {
            if (c.pending.size() >= 64 * 1024) {
                flush(c);
            } else if (!c.dirty) {
                c.dirty = true;
                dirty_.push_back(local);
            }
        }
        // Keep the loop responsive under a backlog: yield after a large batch.
        if (sent_now >= 4096) break;
    }
    // One write per connection for everything that became due at once.
    for (const std::uint32_t local : dirty_) {
        Connection& c = *connections_[local];
        c.dirty = false;
        flush(c);
    }
    dirty_.clear();
    if (!heap_.empty() && heap_.front().first <= now) {
        asio::post(io, [this] { run_schedule(shared.now()); });
        return;
    }
    arm_send_timer();
}

void Worker::send_message(Connection& c, Ns now, Ns intended) {
    if (config.messages_per_connection > 0 && c.messages_sent >= config.messages_per_connection) {
        c.send_done = true;
        return;
    }
    const std::uint32_t seq = c.next_seq++;
    // -n counts the messages of the measured window; warmup messages come on top.
    if (now >= shared.measure_start()) ++c.messages_sent;
    if (config.messages_per_connection > 0 && c.messages_sent >= config.messages_per_connection) {
        c.send_done = true;
    }
    const std::size_t size = payload_.size();
    FrameHeader h;
    h.opcode = config.message_type == MessageType::text ? Opcode::text : Opcode::binary;
    h.masked = true;
    const std::uint64_t key = rng_();
    std::memcpy(h.mask_key.data(), &key, 4);
    h.payload_length = size;
    const std::size_t header_size = encoded_header_size(h);
    const std::size_t at = c.pending.size();
    c.pending.resize(at + header_size + size);
    std::uint8_t* out = c.pending.data() + at;
    encode_header(h, out, header_size);
    std::uint8_t marker[kMarkerSize];
    write_marker(Marker{c.id, seq, static_cast<std::uint64_t>(now)}, marker);
    apply_mask_copy(out + header_size, marker, kMarkerSize, h.mask_key, 0);
    apply_mask_copy(out + header_size + kMarkerSize, payload_.data() + kMarkerSize,
                    size - kMarkerSize, h.mask_key, kMarkerSize);
    if (config.scenario == Scenario::echo) ++c.in_flight;
    if (measuring(now)) {
        ++result.messages_sent;
        result.bytes_sent += size;
        bump(progress.sent, std::uint64_t{1});
        if (rate_ > 0) result.schedule_lag.record(to_us(now - intended));
    }
}

void Worker::send_control(Connection& c, Opcode op, const std::uint8_t* payload, std::size_t size) {
    FrameHeader h;
    h.opcode = op;
    h.masked = true;
    const std::uint64_t key = rng_();
    std::memcpy(h.mask_key.data(), &key, 4);
    const std::size_t at = c.pending.size();
    c.pending.resize(at + kMaxFrameHeaderSize + size);
    const std::size_t n =
        encode_frame(h, payload, size, c.pending.data() + at, kMaxFrameHeaderSize + size);
    c.pending.resize(at + n);
    flush(c);
}

void Worker::on_frames(Connection& c, std::uint8_t* data, std::size_t size) {
    const Ns now = shared.now();
    for (std::size_t pos = 0; pos < size;) {
        FrameEvent ev;
        pos += c.parser.parse(data + pos, size - pos, ev);
        if (ev.kind == FrameEvent::Kind::need_more) break;
        if (ev.kind == FrameEvent::Kind::error) {
            if (log_enabled(LogLevel::debug)) {
                log_line(LogLevel::debug,
                         "protocol error from server: " + std::string(to_string(ev.error)));
            }
            fail(c, ErrorKind::protocol, close_code_for(ev.error));
            return;
        }
        if (ev.is_control()) {
            on_control(c, ev, now);
            if (c.state == Connection::State::closed) return;
            continue;
        }
        if (ev.message_offset == 0 && ev.message_end) {
            // The whole message in this read: find the marker in place, no copy.
            on_message(c, ev.data, ev.size, ev.size, now);
        } else {
            if (ev.message_offset == 0 && ev.frame_offset == 0) c.head.clear();
            if (c.head.size() < kHeadLimit) {
                c.head.append(reinterpret_cast<const char*>(ev.data),
                              std::min(ev.size, kHeadLimit - c.head.size()));
            }
            if (ev.message_end) {
                on_message(c, reinterpret_cast<const std::uint8_t*>(c.head.data()), c.head.size(),
                           ev.message_offset + ev.size, now);
                c.head.clear();
            }
        }
        if (c.state == Connection::State::closed) return;
    }
}

void Worker::on_message(Connection& c, const std::uint8_t* data, std::size_t size,
                        std::uint64_t message_size, Ns now) {
    Marker m;
    if (!find_marker(data, size, m)) {
        if (window_seen_) count_error(ErrorKind::unmatched);
        return;
    }
    const Ns sent_at = static_cast<Ns>(m.send_ns);
    if (config.scenario == Scenario::echo) {
        // Exact matching: replies come back in the order sent (one TCP stream, an echo).
        if (m.connection != c.id || m.sequence >= c.next_seq) {
            count_error(ErrorKind::unmatched);
            return;
        }
        if (m.sequence < c.reply_next) {
            count_error(ErrorKind::duplicated);
            return;
        }
        // Replies skipped over never come: the server lost them.
        const std::uint32_t skipped = std::min(m.sequence - c.reply_next, c.in_flight - 1);
        count_errors(ErrorKind::lost, skipped);
        c.in_flight -= skipped + 1;
        c.reply_next = m.sequence + 1;
        c.last_reply = now;
    } else if (config.scenario == Scenario::broadcast) {
        if (m.sequence < c.broadcast_next) {
            if (measuring(sent_at)) count_error(ErrorKind::duplicated);
            return;
        }
        c.broadcast_next = m.sequence + 1;
    }
    if (measuring(sent_at)) {
        ++result.messages_received;
        result.bytes_received += message_size;
        bump(progress.received, std::uint64_t{1});
        const Ns uncorrected = now - sent_at;
        Ns corrected = uncorrected;
        if (rate_ > 0) {
            // Open loop: from the intended send time (the publisher's, for broadcast).
            const OpenLoopSchedule* schedule =
                config.scenario == Scenario::broadcast ? &*publisher_ : &*c.schedule;
            const Ns intended = static_cast<Ns>(schedule->due_ns(m.sequence));
            corrected = std::max(uncorrected, now - intended);
        }
        result.latency.record(to_us(corrected));
        result.latency_uncorrected.record(to_us(uncorrected));
        interval_[interval_active_].record(to_us(corrected));
    }
    // Closed loop: the reply frees a slot in the pipeline. The send time is read now, not
    // taken from the read: parsing the rest of a large read is not charged to the target.
    if (config.scenario == Scenario::echo && rate_ == 0 && !window_over_ && !c.send_done &&
        now < shared.window_end()) {
        const Ns at = shared.now();
        send_message(c, at, at);
    } else if (config.scenario == Scenario::broadcast && rate_ == 0 && c.id == 0 &&
               m.connection == 0 && !window_over_ && !c.send_done && now < shared.window_end()) {
        const Ns at = shared.now();
        send_message(c, at, at);
    }
}

void Worker::on_control(Connection& c, const FrameEvent& ev, Ns now) {
    switch (ev.header.opcode) {
        case Opcode::ping:
            send_control(c, Opcode::pong, ev.data, ev.size);
            break;
        case Opcode::pong: {
            Marker m;
            if (config.scenario == Scenario::connect && find_marker(ev.data, ev.size, m) &&
                m.connection == c.id) {
                const Ns rtt = now - static_cast<Ns>(m.send_ns);
                if (measuring(static_cast<Ns>(m.send_ns))) {
                    result.latency.record(to_us(rtt));
                    result.latency_uncorrected.record(to_us(rtt));
                    interval_[interval_active_].record(to_us(rtt));
                    ++result.messages_received;
                    bump(progress.received, std::uint64_t{1});
                }
            }
            break;
        }
        case Opcode::close: {
            ClosePayload cp;
            std::uint16_t code = 1005;
            if (parse_close_payload(ev.data, ev.size, cp) == Errc::ok && cp.has_code)
                code = cp.code;
            ++result.close_codes[code];
            if (c.state == Connection::State::closing) {
                // The answer to our close: the close handshake is complete.
                finish(c);
                return;
            }
            // The server closed first: answer with the same code (RFC 6455 §5.5.1).
            if (!window_over_ && !shared.stop.load()) count_error(ErrorKind::closed_by_peer);
            std::uint8_t payload[2] = {static_cast<std::uint8_t>(code >> 8),
                                       static_cast<std::uint8_t>(code)};
            send_control(c, Opcode::close, payload, code == 1005 ? 0 : 2);
            leave_open(c);
            count_errors(ErrorKind::timeout,
                         window_seen_ ? c.in_flight : 0);  // replies lost with it
            c.in_flight = 0;
            c.state = Connection::State::closing;
            c.deadline = now + kCloseTimeoutNs;
            break;
        }
        default:
            break;
    }
}

void Worker::close(Connection& c, std::uint16_t code) {
    std::uint8_t payload[kMaxClosePayload];
    const std::size_t n =
        format_close_payload(code, code == 1001 ? "going away" : "", payload, sizeof payload);
    send_control(c, Opcode::close, payload, n);
    leave_open(c);
    c.state = Connection::State::closing;
    c.deadline = shared.now() + kCloseTimeoutNs;
}

void Worker::leave_open(Connection& c) {
    if (!c.counted_open) return;
    c.counted_open = false;
    --open_;
    progress.open.store(open_, std::memory_order_relaxed);
}

void Worker::count_errors(ErrorKind kind, std::uint64_t n) {
    if (n == 0) return;
    result.errors[static_cast<std::size_t>(kind)] += n;
    bump(progress.errors, n);
}

void Worker::fail(Connection& c, ErrorKind kind, std::uint16_t close_code) {
    if (c.state == Connection::State::closed) return;
    count_error(kind);
    // Messages in flight on a failed connection never get their reply.
    count_errors(ErrorKind::timeout, window_seen_ ? c.in_flight : 0);
    c.in_flight = 0;
    if (close_code != 0 && c.state == Connection::State::open) {
        // Fail the WebSocket connection (RFC 6455 §7.1.7): send our close, then drop.
        std::uint8_t payload[2] = {static_cast<std::uint8_t>(close_code >> 8),
                                   static_cast<std::uint8_t>(close_code)};
        FrameHeader h;
        h.opcode = Opcode::close;
        h.masked = true;
        std::uint8_t frame[kMaxFrameHeaderSize + 2];
        const std::size_t n = encode_frame(h, payload, 2, frame, sizeof frame);
        asio::error_code ignored;
        if (!c.stream.secure() && !c.writing)
            asio::write(c.stream.socket(), asio::buffer(frame, n), ignored);
    }
    finish(c);
}

void Worker::finish(Connection& c) {
    if (c.state == Connection::State::closed) return;
    if (c.state == Connection::State::connecting || c.state == Connection::State::tls ||
        c.state == Connection::State::handshaking) {
        // Failed, or given up (stop requested), before it opened.
        settle(false);
    }
    c.state = Connection::State::closed;
    c.stream.close();
    c.handshake.reset();
    leave_open(c);
    --alive_;
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
    if (config.scenario == Scenario::broadcast) {
        for (const auto& c : connections_) {
            if (c->id == 0)
                shared.broadcast_published.store(c->next_seq, std::memory_order_release);
        }
    }
    result.duration_s = static_cast<double>(std::max<Ns>(0, now - shared.measure_start())) / 1e9;
    heap_.clear();
    drain_deadline_ = now + config.drain_timeout.count();
}

void Worker::request_interval() { interval_requested_.store(true, std::memory_order_release); }

bool Worker::take_interval(Histogram& into) {
    if (!interval_ready_.exchange(false, std::memory_order_acquire)) return false;
    // The worker flipped to the other buffer and will not touch this one until the next
    // request, which only comes after this call.
    Histogram& old = interval_[ready_index_.load(std::memory_order_relaxed)];
    into.add(old);
    old.reset();
    return true;
}

}  // namespace wsb::loadgen
