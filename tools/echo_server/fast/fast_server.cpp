// The fast engine as a whole: TLS and listeners, the worker threads and the control loop.
#include "echo_server/fast/fast_server.hpp"

#include <algorithm>
#include <thread>

#include "echo_server/fast/worker.hpp"
#include "echo_server/server.hpp"
#include "wsbench/net/listener.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/system.hpp"

namespace wsb::echo::fast {

FastServer::FastServer(const Config& config, Console* console)
    : config_(config),
      threads_(config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency())),
      console_(console),
      stats_(threads_) {}

FastServer::~FastServer() {
    if (console_) console_->stop();  // already, unless run() ended with an exception
    workers_.clear();
    if (tls_) SSL_CTX_free(tls_);
}

nlohmann::json FastServer::stats_doc() const {
    nlohmann::json doc = stats_.snapshot();
    doc["engine"] = to_string(config_.engine);
    doc["mode"] = to_string(config_.mode);
    return doc;
}

void FastServer::broadcast(Worker& from, std::shared_ptr<const SharedFrame> frame) {
    for (auto& w : workers_) {
        if (w.get() == &from) continue;
        w->post_broadcast(frame);
    }
    from.post_broadcast(std::move(frame));
}

void FastServer::apply(std::shared_ptr<const ClientOp> op, Done done) {
    std::shared_ptr<const SharedFrame> frame;
    if (op->kind == ClientOp::Kind::send) {
        // One frame for every client, as a broadcast: the operator's bytes as typed, with
        // no --reply-prefix (that is for replies) and never compressed.
        auto f = std::make_shared<SharedFrame>();
        f->text = op->text;
        f->payload = op->payload.size();
        FrameHeader h;
        h.opcode = op->text ? Opcode::text : Opcode::binary;
        h.payload_length = f->payload;
        f->bytes.resize(encoded_header_size(h) + f->payload);
        const std::size_t pos = encode_header(h, f->bytes.data(), f->bytes.size());
        std::copy(op->payload.begin(), op->payload.end(), f->bytes.begin() + pos);
        frame = std::move(f);
    }
    for (auto& w : workers_) w->post_console(op, frame, done);
}

void FastServer::quit() {
    asio::post(control_, [this] { shutdown(); });
}

ServeError FastServer::setup_tls() {
    tls_ = SSL_CTX_new(TLS_server_method());
    if (!tls_) {
        log_line(LogLevel::error, "cannot create a TLS context");
        return ServeError::cannot_serve;
    }
    SSL_CTX_set_mode(tls_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_RELEASE_BUFFERS);
    if (const std::string error = net::configure_server(tls_, {config_.tls_cert, config_.tls_key});
        !error.empty()) {
        log_line(LogLevel::error, error);
        return ServeError::bad_config;
    }
    return ServeError::none;
}

ServeError FastServer::open_listeners(std::vector<int>& fds, std::string& bound) {
    net::ListenOptions options;
    options.host = config_.host;
    options.port = config_.port;
    options.count = threads_;
    options.reuse_port = config_.reuse_port;
    net::Listeners listeners;
    if (const std::string error = net::open_listeners(options, listeners); !error.empty()) {
        log_line(LogLevel::error, error);
        return ServeError::cannot_serve;
    }
    fds = std::move(listeners.fds);
    bound = listeners.bound;
    return ServeError::none;
}

void FastServer::shutdown() {
    if (shutting_down_.exchange(true)) return;
    log_line(LogLevel::info, "shutting down: closing " + std::to_string(stats_.open()) +
                                 " connection(s) with 1001");
    stats_timer_.cancel();
    for (auto& w : workers_) w->post_shutdown();
    // Clients that never answer the close must not hold the exit beyond ~2 s.
    shutdown_deadline_ =
        std::chrono::steady_clock::now() + std::min(config_.close_timeout, Millis(1500));
    check_drained();
}

void FastServer::check_drained() {
    if (live_.load() == 0 || std::chrono::steady_clock::now() >= shutdown_deadline_) {
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

ServeError FastServer::run(std::ostream& out) {
    if (config_.tls()) {
        if (const ServeError e = setup_tls(); e != ServeError::none) return e;
    }
    std::vector<int> listeners;
    std::string bound;
    if (const ServeError e = open_listeners(listeners, bound); e != ServeError::none) return e;
    for (unsigned i = 0; i < threads_; ++i) {
        workers_.push_back(std::make_unique<Worker>(*this, listeners[i]));
    }
    signals_.async_wait([this](const asio::error_code& e, int) {
        if (!e) shutdown();
    });
    if (config_.stats_interval.count() > 0) schedule_stats();
    serve(out, bound);
    return ServeError::none;
}

void FastServer::serve(std::ostream& out, const std::string& bound) {
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
    if (console_) console_->start(*this);
    control_.run();
    waiter.join();
    if (console_) console_->stop();  // before the workers go: it may still post to them
    log_line(LogLevel::info, "stopped");
}

}  // namespace wsb::echo::fast
