// Serve mode (`wsbench-conformance serve`): a server that plays the cases against a WebSocket
// client under test, driven by Autobahn's fuzzingserver URL protocol (/getCaseCount,
// /getCaseInfo, /runCase, /getCaseStatus, /updateReports), and writes the reports per agent.
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

#include "case.hpp"
#include "config.hpp"
#include "runner.hpp"
#include "session.hpp"
#include "wsbench/exit_code.hpp"
#include "wsbench/net/accept_backoff.hpp"

namespace wsb::conformance {

/// Every effective option of `wsbench-conformance serve`.
struct ServeConfig {
    Config run;  ///< cases, report_dir, timeout_scale, wire_log_limit, quiet, strict
    std::string host = "127.0.0.1";  ///< --host: address to listen on
    std::uint16_t port = 9001;       ///< --port: 0 picks a free one (printed)
    bool once = false;               ///< --once: exit after the first agent's /updateReports
    bool agent_from_url = false;     ///< --agent-name-from-url: refuse requests without agent=
    std::string tls_cert;            ///< --tls-cert: PEM certificate chain; with tls_key, wss://
    std::string tls_key;             ///< --tls-key: PEM private key
    bool tls() const noexcept { return !tls_cert.empty(); }
};

/// Parses `serve`'s options (argv[0] is "serve"): usage errors go to `err`, ExitCode::usage.
struct ServeCliResult {
    bool run = false;
    ExitCode exit_code = ExitCode::ok;
    ServeConfig config;
};
ServeCliResult parse_serve_cli(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err);

/// Section C, served only: the client's duties in the opening handshake (RFC 6455 §4.1, §9.1;
/// RFC 7692 §7): C.1.x a 101 with a wrong or missing Sec-WebSocket-Accept, without Upgrade or
/// Connection, with Upgrade: h2c, or a 200 or 403 instead of a 101; C.2.x a subprotocol or an
/// extension the client did not offer; C.3.x permessage-deflate with parameters that are
/// invalid, unknown, repeated or not asked for. Each is followed by a text message the client
/// must never echo (it MUST fail the connection, or never take it as open).
std::vector<CaseSpec> client_handshake_cases();

/// The cases serve mode plays, copied from the selection: the H.x handshake probes (which
/// bend a client's request) are left out; the M.x texts are rewritten for the swapped roles
/// (the server sends masked frames, which a client MUST fail, §5.1); then the C.x cases that
/// `includes` select and `excludes` do not (patterns matching nothing in C are ignored).
std::vector<CaseSpec> serve_cases(const std::vector<const CaseSpec*>& selected,
                                  const std::vector<std::string>& includes = {},
                                  const std::vector<std::string>& excludes = {});

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

/// Runs serve mode to the end (SIGINT/SIGTERM, or --once): prints `listening on
/// ws://HOST:PORT` (wss:// with --tls-cert) on `out` once ready. Returns ok, usage (also
/// an unusable certificate or key) or cannot_run (cannot listen, reports not written).
ExitCode run_serve(const ServeConfig& config, std::ostream& out, std::ostream& err);

}  // namespace wsb::conformance
