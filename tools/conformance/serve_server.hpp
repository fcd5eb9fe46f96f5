// The fuzzing server of serve mode: accepts connections, answers Autobahn's fuzzingserver URL
// protocol, plays each /runCase through a Session in the server role and writes the reports
// per agent.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/runner.hpp"
#include "conformance/serve.hpp"
#include "conformance/session.hpp"
#include "wsbench/net/accept_backoff.hpp"

namespace wsb::conformance {

/// The path and decoded query parameters of a request-target ("/runCase?case=3&agent=x").
struct Target {
    std::string path;
    std::map<std::string, std::string> query;
};
Target parse_target(const std::string& target);

/// The fuzzing server. Single-threaded: every handler runs on the io_context's thread.
class Server {
  public:
    Server(asio::io_context& io, const ServeConfig& config, std::vector<CaseSpec> cases,
           std::ostream& progress);
    ~Server();

    /// wss://: loads --tls-cert and --tls-key; false with the reason in `error` when it
    /// cannot (unreadable, not PEM, key not matching the certificate).
    bool load_tls(std::string& error);
    /// Binds and listens; throws std::system_error when it cannot. Returns the real port.
    std::uint16_t listen();
    /// SIGINT/SIGTERM: accepts nothing more, closes running cases with 1001 (they are
    /// reported as interrupted), and stops the io_context once they ended (or after the
    /// closing handshake timeout).
    void stop();
    /// Writes the reports of every agent seen so far; false (logged) when a write failed.
    bool write_all_reports();
    /// True once --once is satisfied and the server should exit.
    bool finished() const noexcept { return finished_; }

  private:
    struct Connection;
    struct AgentResults {
        std::string started;
        std::map<std::size_t, CaseResult> results;  // by 0-based case index
    };

    void accept();
    void on_accept_error(const std::error_code& ec);
    void read_request(std::shared_ptr<Connection> conn);
    void on_request(std::shared_ptr<Connection> conn);
    void reply_and_close(std::shared_ptr<Connection> conn, const std::string& text, bool then_stop);
    void run_case(std::shared_ptr<Connection> conn, std::size_t index, const std::string& agent);
    bool write_reports(const std::string& agent, AgentResults& results);
    RunResult run_result(const std::string& agent, const AgentResults& results) const;

    asio::io_context& io_;
    const ServeConfig& config_;
    std::vector<CaseSpec> cases_;  // sessions refer to these: never resized
    std::ostream& progress_;
    asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<asio::ssl::context> tls_;  // wss:// only
    net::AcceptBackoff backoff_;
    asio::steady_timer accept_pause_;  // accepting paused after a failed accept
    std::map<std::string, AgentResults> agents_;
    std::mt19937_64 rng_{std::random_device{}()};
    bool finished_ = false;
    bool stopping_ = false;
    std::size_t running_ = 0;                       // cases being played
    std::vector<std::weak_ptr<Session>> sessions_;  // to interrupt them on stop()
    asio::steady_timer stop_timer_;
};

}  // namespace wsb::conformance
