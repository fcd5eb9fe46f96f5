// Every effective option of a wsbench-conformance run, filled by the CLI, shared read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wsbench/url.hpp"

namespace wsb::conformance {

/// Autobahn's protocol timeouts (seconds, before --timeout-scale).
inline constexpr double kOpenHandshakeTimeout = 5.0;
inline constexpr double kCloseHandshakeTimeout = 1.0;
inline constexpr double kServerDropTimeout = 1.0;

/// `wsbench-conformance serve` only: the server side's own options, for report.json's config.
struct ServeSide {
    std::string host;              ///< --host
    std::uint16_t port = 0;        ///< the port listened on (the one picked with --port 0)
    std::uint16_t port_asked = 0;  ///< --port as given
    bool tls = false;              ///< wss:// (--tls-cert and --tls-key)
    std::string tls_cert;          ///< --tls-cert
    std::string tls_key;           ///< --tls-key
    bool once = false;             ///< --once
    bool agent_from_url = false;   ///< --agent-name-from-url
};

struct Config {
    std::string url_text;                    ///< the target as given
    Url url;                                 ///< parsed target
    std::vector<std::string> cases{"*"};     ///< --cases globs
    std::vector<std::string> exclude_cases;  ///< --exclude-cases globs
    std::string agent;                       ///< --agent; empty: the server's Server header
    unsigned parallel = 16;                  ///< cases running at once (9.x run one at a time)
    double timeout_scale = 1.0;              ///< multiplies every timeout (not case pauses)
    bool strict = false;                     ///< NON-STRICT counts as a failure
    std::string report_dir = "reports/conformance";  ///< where the report files go; "" none
    bool quiet = false;                              ///< no progress on stderr
    int verbosity = 0;                               ///< -v: one line per case
    bool insecure = false;                           ///< wss: do not verify the certificate
    std::string ca_file;                             ///< wss: trust these CA certificates
    std::size_t wire_log_limit = 256;                ///< wire log entries kept per case
    bool list_only = false;          ///< --list: print the selected cases, run nothing
    std::optional<ServeSide> serve;  ///< set in serve mode: we are the server, testing clients
};

}  // namespace wsb::conformance
