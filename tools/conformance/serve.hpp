// Serve mode (`wsbench-conformance serve`): a server that plays the cases against a WebSocket
// client under test, driven by Autobahn's fuzzingserver URL protocol (/getCaseCount,
// /getCaseInfo, /runCase, /getCaseStatus, /updateReports), and writes the reports per agent.
// Its options and entry point; the server is serve_server.hpp, its cases cases/serve_table.hpp.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "conformance/config.hpp"
#include "wsbench/exit_code.hpp"

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

/// Runs serve mode to the end (SIGINT/SIGTERM, or --once): prints `listening on
/// ws://HOST:PORT` (wss:// with --tls-cert) on `out` once ready. Returns ok, usage (also
/// an unusable certificate or key) or cannot_run (cannot listen, reports not written).
ExitCode run_serve(const ServeConfig& config, std::ostream& out, std::ostream& err);

}  // namespace wsb::conformance
