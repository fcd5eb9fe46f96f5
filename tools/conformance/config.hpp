// Every effective option of a wsbench-conformance run, filled by the CLI, shared read-only.
#pragma once

#include <string>
#include <vector>

#include "wsbench/url.hpp"

namespace wsb::conformance {

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
    bool list_only = false;  ///< --list: print the selected cases, run nothing
};

}  // namespace wsb::conformance
