// The websocketpp engine of wsbench-echo-server: websocketpp on standalone Asio, N threads
// on one io_context, echo or broadcast, limits, backpressure, /stats and graceful shutdown.
// Included by one .cpp per TLS choice, which instantiates run_websocketpp.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#include <websocketpp/config/asio.hpp>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/extensions/permessage_deflate/enabled.hpp>
#include <websocketpp/server.hpp>

#include "echo_server/console.hpp"
#include "echo_server/metrics.hpp"
#include "echo_server/server.hpp"
#include "echo_server/stats.hpp"
#include "echo_server/wspp_conn.hpp"
#include "wsbench/base64.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/prometheus.hpp"
#include "wsbench/system.hpp"

namespace wsb::echo::detail {

/// websocketpp configuration: the asio (or asio_tls) config with our connection data and,
/// when Deflate, permessage-deflate.
template <bool Tls, bool Deflate>
struct WsppConfig
    : std::conditional_t<Tls, websocketpp::config::asio_tls, websocketpp::config::asio> {
    using type = WsppConfig;
    using base = std::conditional_t<Tls, websocketpp::config::asio_tls, websocketpp::config::asio>;

    using concurrency_type = typename base::concurrency_type;
    using request_type = typename base::request_type;
    using response_type = typename base::response_type;
    using message_type = typename base::message_type;
    using con_msg_manager_type = typename base::con_msg_manager_type;
    using endpoint_msg_manager_type = typename base::endpoint_msg_manager_type;
    using alog_type = typename base::alog_type;
    using elog_type = typename base::elog_type;
    using rng_type = typename base::rng_type;

    struct transport_config : base::transport_config {
        using concurrency_type = typename type::concurrency_type;
        using alog_type = typename type::alog_type;
        using elog_type = typename type::elog_type;
        using request_type = typename type::request_type;
        using response_type = typename type::response_type;
        using socket_type =
            std::conditional_t<Tls, websocketpp::transport::asio::tls_socket::endpoint,
                               websocketpp::transport::asio::basic_socket::endpoint>;
    };
    using transport_type = websocketpp::transport::asio::endpoint<transport_config>;
    using connection_base = ConnData;

    struct permessage_deflate_config {};
    using permessage_deflate_type = std::conditional_t<
        Deflate, websocketpp::extensions::permessage_deflate::enabled<permessage_deflate_config>,
        typename base::permessage_deflate_type>;
};

/// "ip:port", with IPv4-mapped IPv6 addresses shown as IPv4 and IPv6 in brackets.
inline std::string format_peer(const asio::ip::tcp::endpoint& ep) {
    asio::ip::address a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    }
    const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return host + ":" + std::to_string(ep.port());
}

template <bool Tls, bool Deflate>
class WsppEngine : public ConsoleEngine {
  public:
    using Cfg = WsppConfig<Tls, Deflate>;
    using Server = websocketpp::server<Cfg>;
    using ConPtr = typename Server::connection_ptr;
    using MsgPtr = typename Server::message_ptr;
    using Hdl = websocketpp::connection_hdl;

    /// `console` (may be null) is started once the server listens, stopped before run() ends.
    WsppEngine(const Config& config, Console* console)
        : config_(config),
          console_(console),
          shown_(console && console->shows_messages() ? console : nullptr),
          threads_(config.threads ? config.threads
                                  : std::max(1u, std::thread::hardware_concurrency())),
          stats_(threads_),
          signals_(io_, SIGINT, SIGTERM),
          sweep_timer_(io_),
          stats_timer_(io_),
          shutdown_timer_(io_) {}

    ~WsppEngine() override {
        if (console_) console_->stop();  // already, unless run() ended with an exception
    }

    ServeError run(std::ostream& out);

    // ConsoleEngine (wspp_engine_console.hpp), called on the console's thread.
    unsigned parts() const override { return 1; }
    void apply(std::shared_ptr<const ClientOp> op, Done done) override;
    std::string stats_json() const override;
    void quit() override;

  private:
    ConPtr con(Hdl hdl) { return server_.get_con_from_hdl(hdl); }
    void log(const std::string& line) { log_line(LogLevel::info, line); }

    ServeError setup();
    void on_tcp_pre_init(Hdl hdl);
    bool on_validate(Hdl hdl);
    void on_http(Hdl hdl);
    void on_open(Hdl hdl);
    void on_close(Hdl hdl);
    void on_fail(Hdl hdl);
    void on_message(Hdl hdl, MsgPtr msg);
    void release(ConnData& data);

    void broadcast(MsgPtr msg);
    void send_queued(const ConPtr& target, const MsgPtr& msg);
    void close_for_send_queue(const ConPtr& target, std::uint64_t size);
    void maybe_pause(const ConPtr& c);
    void arm_resume(const ConPtr& c);

    void schedule_sweep();
    void schedule_stats();
    void shutdown();
    void check_drained();

    const Config& config_;
    Console* const console_;
    Console* const shown_;  // where received messages print: the console unless quiet
    const unsigned threads_;
    Stats stats_;
    asio::io_context io_;
    Server server_;
    asio::signal_set signals_;
    asio::steady_timer sweep_timer_;
    asio::steady_timer stats_timer_;
    asio::steady_timer shutdown_timer_;
    std::shared_ptr<asio::ssl::context> tls_context_;

    std::atomic<std::uint64_t> next_id_{1};
    std::atomic<std::uint64_t> admitted_{0};
    std::atomic<std::uint64_t> live_{0};       // accepted and not yet closed or failed
    std::atomic<bool> shutdown_begun_{false};  // shutdown() runs once
    std::atomic<bool> shutting_down_{false};   // set once shutdown_deadline_ is
    Clock::time_point shutdown_deadline_;

    std::mutex registry_mutex_;
    std::unordered_map<std::uint64_t, ConPtr> open_;  // open connections by id
};

template <bool Tls, bool Deflate>
ServeError WsppEngine<Tls, Deflate>::setup() {
    server_.get_alog().set_ostream(&std::cerr);
    server_.get_elog().set_ostream(&std::cerr);
    server_.clear_access_channels(websocketpp::log::alevel::all);
    server_.clear_error_channels(websocketpp::log::elevel::all);
    if (config_.verbosity >= 1) server_.set_error_channels(websocketpp::log::elevel::all);
    if (config_.verbosity >= 2) {
        server_.set_access_channels(websocketpp::log::alevel::all ^
                                    websocketpp::log::alevel::frame_payload);
    }

    server_.init_asio(&io_);
    server_.set_reuse_addr(true);
    server_.set_max_message_size(config_.max_message_size);
    server_.set_open_handshake_timeout(static_cast<long>(config_.handshake_timeout.count()));
    server_.set_close_handshake_timeout(static_cast<long>(config_.close_timeout.count()));

    if constexpr (Tls) {
        std::string error;
        tls_context_ = net::make_server_context({config_.tls_cert, config_.tls_key}, error);
        if (!tls_context_) {
            log_line(LogLevel::error, error);
            return ServeError::bad_config;
        }
        server_.set_tls_init_handler([this](Hdl) { return tls_context_; });
    }

    server_.set_tcp_pre_init_handler([this](Hdl h) { on_tcp_pre_init(h); });
    server_.set_validate_handler([this](Hdl h) { return on_validate(h); });
    server_.set_http_handler([this](Hdl h) { on_http(h); });
    server_.set_open_handler([this](Hdl h) { on_open(h); });
    server_.set_close_handler([this](Hdl h) { on_close(h); });
    server_.set_fail_handler([this](Hdl h) { on_fail(h); });
    server_.set_message_handler([this](Hdl h, MsgPtr m) { on_message(h, std::move(m)); });
    server_.set_ping_handler([this](Hdl h, std::string) {
        con(h)->last_active_ns.store(now_ns(), std::memory_order_relaxed);
        return config_.misbehave != Misbehave::no_pong;  // false: websocketpp sends no pong
    });
    server_.set_pong_handler([this](Hdl h, std::string) {
        con(h)->last_active_ns.store(now_ns(), std::memory_order_relaxed);
    });
    return ServeError::none;
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::on_tcp_pre_init(Hdl hdl) {
    ConPtr c = con(hdl);
    c->id = next_id_.fetch_add(1, std::memory_order_relaxed);
    c->accepted_at = Clock::now();
    c->last_active_ns.store(now_ns(), std::memory_order_relaxed);
    c->counted = true;
    live_.fetch_add(1, std::memory_order_relaxed);
    stats_.on_accepted();
    asio::error_code ec;
    auto& socket = c->get_raw_socket();
    // Without TCP_NODELAY a large echo stalls ~40 ms on Nagle and delayed ACKs.
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    const auto ep = socket.remote_endpoint(ec);
    c->peer = ec ? std::string("unknown") : format_peer(ep);
}

template <bool Tls, bool Deflate>
bool WsppEngine<Tls, Deflate>::on_validate(Hdl hdl) {
    ConPtr c = con(hdl);
    if (shutting_down_.load(std::memory_order_relaxed)) {
        c->set_status(websocketpp::http::status_code::service_unavailable);
        c->set_body("server shutting down\n");
        stats_.on_rejected();
        return false;
    }
    // websocketpp 0.8.2 accepts any Sec-WebSocket-Key, and serves pre-RFC drafts when the
    // version is missing or old (answering 500 when their handshake fails): hold it to
    // RFC 6455 §4.2.1 here, as the conformance runner's section H checks.
    const std::string key = c->get_request_header("Sec-WebSocket-Key");
    const auto nonce = base64_decode(key);
    if (!nonce || nonce->size() != 16) {
        c->set_status(websocketpp::http::status_code::bad_request);
        c->set_body("Sec-WebSocket-Key must be the base64 of 16 bytes (RFC 6455 4.1)\n");
        return false;
    }
    if (c->get_request_header("Sec-WebSocket-Version") != "13") {
        c->set_status(websocketpp::http::status_code::upgrade_required);
        c->replace_header("Sec-WebSocket-Version", "13");
        c->set_body("this server speaks WebSocket version 13 (RFC 6455)\n");
        return false;
    }
    if (admitted_.fetch_add(1, std::memory_order_relaxed) >= config_.max_connections) {
        admitted_.fetch_sub(1, std::memory_order_relaxed);
        c->set_status(websocketpp::http::status_code::service_unavailable);
        c->set_body("too many connections (--max-connections " +
                    std::to_string(config_.max_connections) + ")\n");
        stats_.on_rejected();
        if (config_.log_connections)
            log("reject id=" + std::to_string(c->id) + " peer=" + c->peer +
                " status=503 (max connections)");
        return false;
    }
    c->admitted = true;
    return true;
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::on_http(Hdl hdl) {
    ConPtr c = con(hdl);
    // A plain HTTP exchange ends with neither the close nor the fail handler; release its
    // count when websocketpp drops it, or shutdown would wait for it until its deadline.
    c->set_termination_handler([this](ConPtr ended) { release(*ended); });
    const bool stats = c->get_resource() == "/stats";
    if (stats || c->get_resource() == "/metrics") {
        nlohmann::json doc = stats_.snapshot();
        doc["engine"] = to_string(config_.engine);
        doc["mode"] = to_string(config_.mode);
        c->set_status(websocketpp::http::status_code::ok);
        c->append_header("Content-Type", stats ? std::string("application/json")
                                               : std::string(kPrometheusContentType));
        c->set_body(stats ? doc.dump() + "\n" : metrics_text(doc));
        return;
    }
    c->set_status(websocketpp::http::status_code::upgrade_required);
    c->append_header("Sec-WebSocket-Version", "13");
    c->set_body(
        "wsbench-echo-server: connect with WebSocket; GET /stats or /metrics (Prometheus) for "
        "statistics\n");
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::on_open(Hdl hdl) {
    ConPtr c = con(hdl);
    stats_.on_open();
    if (console_) {
        c->resource = c->get_resource();
        c->subprotocol = c->get_request_header("Sec-WebSocket-Protocol");
    }
    {
        std::lock_guard<std::mutex> lock(registry_mutex_);
        open_.emplace(c->id, c);
    }
    // Once it is registered: a broadcast or /list right after the note includes it.
    if (shown_) shown_->opened(c->id, c->peer, c->get_resource());
    if (config_.log_connections) {
        log("open id=" + std::to_string(c->id) + " peer=" + c->peer +
            " resource=" + c->get_resource());
    }
    if (shutting_down_.load())
        c->close(websocketpp::close::status::going_away, "server shutting down");
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::release(ConnData& data) {
    if (data.admitted) {
        data.admitted = false;
        admitted_.fetch_sub(1, std::memory_order_relaxed);
    }
    if (data.counted) {
        data.counted = false;
        live_.fetch_sub(1, std::memory_order_relaxed);
    }
    if (data.resume_timer) data.resume_timer->cancel();
    if (shutting_down_.load()) asio::post(io_, [this] { check_drained(); });
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::on_close(Hdl hdl) {
    ConPtr c = con(hdl);
    // The code the client sent, or ours when it sent none (1005) or vanished (1006).
    const auto remote = c->get_remote_close_code();
    const auto local = c->get_local_close_code();
    const bool remote_real = remote != websocketpp::close::status::no_status &&
                             remote != websocketpp::close::status::abnormal_close;
    const std::uint16_t code = remote_real ? remote : local;
    stats_.on_close(code);
    {
        std::lock_guard<std::mutex> lock(registry_mutex_);
        open_.erase(c->id);
    }
    if (shown_) shown_->closed(c->id, code);
    if (c->policy_closed && c->held_messages.load() > 0) {
        // TCP ended (the close went unanswered) with messages websocketpp still held: reset
        // it when the socket is closed rather than leave the kernel an orphan to retry.
        asio::error_code ignored;
        c->get_raw_socket().set_option(asio::socket_base::linger(true, 0), ignored);
        const std::uint64_t messages = c->held_messages.load();
        const std::uint64_t bytes = c->held_bytes.load();
        stats_.on_undelivered(messages, bytes);
        c->lost_messages += messages;
        c->lost_bytes += bytes;
    }
    if (config_.log_connections) {
        const double secs = std::chrono::duration<double>(Clock::now() - c->accepted_at).count();
        char dur[32];
        std::snprintf(dur, sizeof dur, "%.3f", secs);
        log("close id=" + std::to_string(c->id) + " peer=" + c->peer +
            " code=" + std::to_string(code) + " remote_code=" + std::to_string(remote) +
            " local_code=" + std::to_string(local) + " reason=\"" +
            (remote_real ? c->get_remote_close_reason() : c->get_local_close_reason()) +
            "\" duration_s=" + dur +
            (c->policy_closed ? send_queue_full_fields(c->lost_messages, c->lost_bytes) : ""));
    }
    release(*c);
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::on_fail(Hdl hdl) {
    ConPtr c = con(hdl);
    // websocketpp also fails the connection object it keeps ready for the next accept when
    // listening stops; no client was behind it.
    if (!c->counted) return;
    if (c->get_response_code() != websocketpp::http::status_code::service_unavailable) {
        stats_.on_handshake_failed();
    }
    if (config_.log_connections) {
        log("fail id=" + std::to_string(c->id) + " peer=" + c->peer + " error=\"" +
            c->get_ec().message() + "\" status=" + std::to_string(c->get_response_code()));
    }
    release(*c);
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::on_message(Hdl hdl, MsgPtr msg) {
    ConPtr c = con(hdl);
    const bool text = msg->get_opcode() == websocketpp::frame::opcode::text;
    StatsShard& shard = stats_.shard();
    shard.in[text ? 0 : 1].add(msg->get_payload().size());
    if (console_) c->messages_in.fetch_add(1, std::memory_order_relaxed);
    if (shown_) shown_->received(c->id, text, msg->get_payload().data(), msg->get_payload().size());
    if (config_.idle_timeout.count() > 0)
        c->last_active_ns.store(now_ns(), std::memory_order_relaxed);
    if (!config_.reply_prefix.empty()) msg->get_raw_payload().insert(0, config_.reply_prefix);

    if (config_.mode == Mode::broadcast) {
        broadcast(std::move(msg));
        return;
    }
    const std::size_t size = msg->get_payload().size();
    if (!c->send(msg)) {
        shard.out[text ? 0 : 1].add(size);
        if (console_) c->messages_out.fetch_add(1, std::memory_order_relaxed);
    }
    maybe_pause(c);
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::maybe_pause(const ConPtr& c) {
    // websocketpp queues every send; stop reading while the replies wait, so a client that
    // sends faster than it reads cannot grow our memory without bound.
    if (c->paused || c->get_buffered_amount() <= config_.high_water_mark) return;
    c->paused = true;
    // Pause now, not through pause_reading(): that one is posted, so the read websocketpp
    // issues when this handler returns would still be pending at resume_reading(), which
    // then issues a second read into the same buffer and corrupts the stream. We run on the
    // connection's strand inside its read handler, where the flag may be set directly.
    c->handle_pause_reading();
    arm_resume(c);
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::arm_resume(const ConPtr& c) {
    // websocketpp reports no write completion, so check the queue at a fine grain while
    // paused (only paused connections pay for this).
    if (!c->resume_timer) c->resume_timer = std::make_unique<asio::steady_timer>(io_);
    c->resume_timer->expires_after(std::chrono::milliseconds(1));
    c->resume_timer->async_wait(
        asio::bind_executor(*c->get_strand(), [this, c](const asio::error_code& ec) {
            if (ec || c->get_state() != websocketpp::session::state::open) return;
            if (c->get_buffered_amount() > config_.high_water_mark / 2) {
                arm_resume(c);
                return;
            }
            c->paused = false;
            c->resume_reading();
        }));
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::broadcast(MsgPtr msg) {
    // One frame for every connection: websocketpp sends a prepared message as it is.
    const bool text = msg->get_opcode() == websocketpp::frame::opcode::text;
    MsgPtr frame = prepare_broadcast(std::move(msg), text);
    std::lock_guard<std::mutex> lock(registry_mutex_);
    for (const auto& entry : open_) {
        // Not a structured binding: C++17 lambdas cannot capture one (clang rejects it).
        const auto& target = entry.second;
        // Each send runs on the target's strand, where its queue may be touched safely.
        asio::post(*target->get_strand(), [this, target, frame] { send_queued(target, frame); });
    }
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::send_queued(const ConPtr& target, const MsgPtr& msg) {
    if (target->get_state() != websocketpp::session::state::open || target->policy_closed) return;
    const std::uint64_t size = msg->get_payload().size();
    // Counted when due to `target`, like the fast engine: `out` includes what a close for
    // its queue drops.
    const bool text = msg->get_opcode() == websocketpp::frame::opcode::text;
    stats_.shard().out[text ? 0 : 1].add(size);
    if (target->unsent() + size > config_.max_send_queue) {
        close_for_send_queue(target, size);
        return;
    }
    if (target->waiting.empty() && target->held_bytes.load() < kHandOver) {
        give(target, msg);  // the usual case: the client keeps up
        return;
    }
    target->waiting.push_back(msg);
    target->waiting_bytes += size;
    hand_over(target);
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::close_for_send_queue(const ConPtr& target, std::uint64_t size) {
    // One slow reader must not stall or bloat the others (RFC 6455 §7.4.1: 1008 policy).
    // What waits in our queue is dropped, so the close follows what websocketpp holds (a
    // clean prefix of the stream) instead of waiting behind all of it.
    target->policy_closed = true;
    target->lost_messages = 1 + target->waiting.size();
    target->lost_bytes = size + target->waiting_bytes;
    target->waiting.clear();
    target->waiting_bytes = 0;
    stats_.on_send_queue_close(target->lost_messages, target->lost_bytes);
    log("closing id=" + std::to_string(target->id) + " peer=" + target->peer +
        " with 1008: send queue above --max-send-queue " + std::to_string(config_.max_send_queue) +
        " bytes (client not reading); " + std::to_string(target->lost_messages) + " message(s), " +
        std::to_string(target->lost_bytes) + " bytes, not delivered");
    asio::error_code ignored;
    target->close(websocketpp::close::status::policy_violation, "send queue limit exceeded",
                  ignored);
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::schedule_sweep() {
    const auto period = std::max(config_.idle_timeout / 4, Millis(20));
    sweep_timer_.expires_after(period);
    sweep_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || shutting_down_.load()) return;
        const std::int64_t limit =
            now_ns() -
            std::chrono::duration_cast<std::chrono::nanoseconds>(config_.idle_timeout).count();
        std::lock_guard<std::mutex> lock(registry_mutex_);
        for (const auto& [id, c] : open_) {
            if (c->last_active_ns.load(std::memory_order_relaxed) < limit) {
                c->last_active_ns.store(now_ns(), std::memory_order_relaxed);  // close once
                asio::post(*c->get_strand(), [this, c = c] {
                    if (config_.log_connections)
                        log("idle id=" + std::to_string(c->id) + " peer=" + c->peer);
                    asio::error_code ignored;
                    c->close(websocketpp::close::status::going_away, "idle timeout", ignored);
                });
            }
        }
        schedule_sweep();
    });
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::schedule_stats() {
    stats_timer_.expires_after(config_.stats_interval);
    stats_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || shutting_down_.load()) return;
        log("stats " + stats_.snapshot().dump());
        schedule_stats();
    });
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::shutdown() {
    if (shutdown_begun_.exchange(true)) return;
    // The deadline before the flag: a connection released on another thread meanwhile runs
    // check_drained() as soon as it sees the flag (it stopped the server at once when it read
    // a deadline not yet set).
    shutdown_deadline_ = Clock::now() + std::min(config_.close_timeout, Millis(1500));
    shutting_down_.store(true);
    log("shutting down: closing " + std::to_string(stats_.open()) + " connection(s) with 1001");
    asio::error_code ec;
    server_.stop_listening(ec);
    sweep_timer_.cancel();
    stats_timer_.cancel();
    {
        std::lock_guard<std::mutex> lock(registry_mutex_);
        for (const auto& [id, c] : open_) {
            asio::post(*c->get_strand(), [c = c] {
                asio::error_code ignored;
                c->close(websocketpp::close::status::going_away, "server shutting down", ignored);
            });
        }
    }
    // Clients that never answer the close must not hold the exit beyond ~2 s (the deadline).
    check_drained();
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::check_drained() {
    if (live_.load() == 0 || Clock::now() >= shutdown_deadline_) {
        server_.stop();
        return;
    }
    shutdown_timer_.expires_after(Millis(10));
    shutdown_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) check_drained();
    });
}

template <bool Tls, bool Deflate>
ServeError WsppEngine<Tls, Deflate>::run(std::ostream& out) {
    if (const ServeError e = setup(); e != ServeError::none) return e;

    asio::error_code ec;
    server_.listen(config_.host, std::to_string(config_.port), ec);
    if (ec) {
        log_line(LogLevel::error, "cannot listen on " + config_.host + ":" +
                                      std::to_string(config_.port) + ": " + ec.message());
        return ServeError::cannot_serve;
    }
    server_.start_accept(ec);
    if (ec) {
        log_line(LogLevel::error, "cannot accept: " + ec.message());
        return ServeError::cannot_serve;
    }
    const auto local = server_.get_local_endpoint(ec);
    signals_.async_wait([this](const asio::error_code& e, int) {
        if (!e) shutdown();
    });
    if (config_.idle_timeout.count() > 0) schedule_sweep();
    if (config_.stats_interval.count() > 0) schedule_stats();

    log("engine websocketpp, mode " + std::string(to_string(config_.mode)) + ", " +
        std::to_string(threads_) + " thread(s)" +
        (config_.deflate ? ", permessage-deflate offered" : ""));
    std::string host = local.address().to_string();
    if (local.address().is_v6()) host = "[" + host + "]";
    out << "listening on " << (Tls ? "wss" : "ws") << "://" << host << ":" << local.port()
        << std::endl;

    if (console_) console_->start(*this);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads_; ++i) pool.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& t : pool) t.join();
    if (console_) console_->stop();  // before the engine goes: it may still post to it
    log("stopped");
    return ServeError::none;
}

}  // namespace wsb::echo::detail

#include "echo_server/wspp_engine_console.hpp"

namespace wsb::echo {

template <bool Tls, bool Deflate>
ServeError run_websocketpp(const Config& config, std::ostream& out, Console* console) {
    detail::WsppEngine<Tls, Deflate> engine(config, console);
    return engine.run(out);
}

}  // namespace wsb::echo
