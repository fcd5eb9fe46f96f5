// The fast engine as a whole: TLS and listener setup, one Worker per thread, the control
// loop (signals, --stats-interval, shutdown) and the state the workers share.
#pragma once

#include <openssl/ssl.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "echo_server/config.hpp"
#include "echo_server/console.hpp"
#include "echo_server/fast/conn.hpp"
#include "echo_server/server.hpp"
#include "echo_server/stats.hpp"

namespace wsb::echo::fast {

class Worker;

/// Owns the workers and what they share: the configuration, the stats, the TLS context
/// and the connection counters. Only atomics change while they run. It is the console's
/// engine: each console action goes to every worker, which does it on its own clients.
class FastServer : public ConsoleEngine {
  public:
    /// `console` (may be null) is started once the server listens, stopped before run() ends.
    FastServer(const Config& config, Console* console);
    ~FastServer() override;
    FastServer(const FastServer&) = delete;
    FastServer& operator=(const FastServer&) = delete;

    /// Serves until SIGINT/SIGTERM; prints the listening line to `out` once it accepts.
    /// Returns an exit code: 0 after a clean shutdown, 2 for TLS files it cannot use, 3 when
    /// it cannot listen.
    ServeError run(std::ostream& out);

    const Config& config() const { return config_; }
    Stats& stats() { return stats_; }
    SSL_CTX* tls() const { return tls_; }
    bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }

    std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
    /// One more handshake against --max-connections; false (and nothing counted) when full.
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

    /// Posts `frame` to every worker, `from` last.
    void broadcast(Worker& from, std::shared_ptr<const SharedFrame> frame);
    /// The /stats document: the counters plus engine and mode.
    nlohmann::json stats_doc() const;
    /// Where workers show received messages: the console, unless absent or quiet.
    Console* shown_on() const {
        return console_ && console_->shows_messages() ? console_ : nullptr;
    }

    // ConsoleEngine, called on the console's thread.
    unsigned parts() const override { return threads_; }
    void apply(std::shared_ptr<const ClientOp> op, Done done) override;
    std::string stats_json() const override { return stats_doc().dump(); }
    void quit() override;

  private:
    ServeError open_listeners(std::vector<int>& fds, std::string& bound);
    ServeError setup_tls();
    void serve(std::ostream& out, const std::string& bound);
    void shutdown();
    void check_drained();
    void schedule_stats();

    const Config& config_;
    const unsigned threads_;
    Console* const console_;
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
    std::chrono::steady_clock::time_point shutdown_deadline_;
};

}  // namespace wsb::echo::fast
