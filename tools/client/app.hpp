// App: the client's event loop: a Session to the server, a Console for the user, and the
// options that decide when the run ends (-x/-w, -n/--until/--timeout, --reconnect) and how.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "client/backoff.hpp"
#include "client/command.hpp"
#include "client/config.hpp"
#include "client/console.hpp"
#include "client/exit_rules.hpp"
#include "client/session.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::client {

/// The exit code of a run that ended with `ending` (docs/client.md): `requested` is the code
/// the client chose when it started the closing handshake itself (-n met, /quit, a timeout),
/// nullopt when the server or the network ended it.
ExitCode exit_code_for(const Ending& ending, std::optional<ExitCode> requested);

/// One line for the user on how a connection ended ("closed by the server: 1001 'bye'").
std::string describe(const Ending& ending);

class App : public SessionHandler {
  public:
    /// `tls` is the client context for wss:// (null for ws://).
    App(asio::io_context& io, const Config& config, Console& console, asio::ssl::context* tls);

    /// Connects and runs the loop until the run ends; returns its exit code.
    ExitCode run();

  private:
    using Clock = std::chrono::steady_clock;

    void connect();
    void on_request(std::string_view head) override;
    void on_response(std::string_view head) override;
    void on_open(const OpenInfo& info) override;
    void on_message(bool binary, std::string_view payload) override;
    void on_ping(std::string_view payload) override;
    void on_pong(std::string_view payload) override;
    void on_writable() override;
    void on_end(const Ending& ending) override;

    void on_line(std::string line);
    void on_input_end();
    void run_command(Command command);
    void send(Opcode opcode, std::string_view payload);
    void send_file(const std::string& path);
    void send_ping(std::string payload);
    void done_sending();
    void close_and_exit(ExitCode code, std::uint16_t close_code = 1000,
                        std::string_view reason = {});
    void schedule_reconnect();
    void arm_ping_timer();
    void stop(ExitCode code);

    asio::io_context& io_;
    const Config& config_;
    Console& console_;
    asio::ssl::context* tls_;
    std::shared_ptr<Session> session_;
    ExitRules rules_;
    Backoff backoff_;
    std::mt19937 rng_;
    asio::signal_set signals_;
    asio::steady_timer wait_timer_;
    asio::steady_timer timeout_timer_;
    asio::steady_timer ping_timer_;
    asio::steady_timer reconnect_timer_;

    ExitCode exit_ = ExitCode::ok;
    std::optional<ExitCode> requested_;  // set when we start the close: the code it ends with
    bool stopped_ = false;
    bool sent_initial_ = false;  // -x went out (once, or on every reconnect)
    bool input_ended_ = false;   // stdin reached its end
    bool was_open_ = false;      // some connection opened
    bool input_paused_ = false;  // stdin waits while the socket is behind
    Clock::time_point opened_at_;
    std::deque<std::string> queued_;  // lines typed before the connection opened
    std::deque<std::pair<std::string, Clock::time_point>> pings_;  // awaiting their pong
    std::uint64_t ping_counter_ = 0;
};

}  // namespace wsb::client
