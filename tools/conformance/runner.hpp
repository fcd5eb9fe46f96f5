// The case runner: selects cases by glob, runs them on concurrent connections (9.x one at a
// time, after the others), judges each, and reports progress on stderr.
#pragma once

#include <atomic>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/config.hpp"
#include "conformance/judge.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::conformance {

/// A glob over case ids, anchored at both ends: `*` matches any run of characters, `?` one
/// character, everything else itself ("6.*" matches 6.1.1 and 6.23.7, not 16.1).
bool glob_match(std::string_view pattern, std::string_view id) noexcept;

/// The cases `includes` select minus those `excludes` select, in Autobahn's order; patterns
/// that match no case at all are listed in `unmatched` (the CLI notes them and goes on).
struct Selection {
    std::vector<const CaseSpec*> cases;
    std::vector<std::string> unmatched;
};
Selection select_cases(const std::vector<CaseSpec>& all, const std::vector<std::string>& includes,
                       const std::vector<std::string>& excludes);

/// One case run to the end (or not run, when the run was interrupted first).
struct CaseResult {
    const CaseSpec* spec = nullptr;
    bool ran = false;
    std::string started;  ///< RFC 3339 UTC
    Observation obs;
    Verdict verdict;
};

/// A whole run.
struct RunResult {
    std::string agent;  ///< --agent, else the server's Server header, else "UnknownServer"
    std::vector<CaseResult> cases;  ///< in selection order
    bool interrupted = false;
    std::string fatal;  ///< why the run could not start (target unreachable)
    std::string started;
    double wall_ms = 0;
};

/// Checks that the target accepts TCP connections (within the open handshake timeout);
/// on failure returns a message such as "cannot connect to ws://127.0.0.1:1/: connection
/// refused".
std::string probe_target(const Config& config);

/// Runs `cases` against the target. `interrupt` is polled: once set, running cases close with
/// 1001 and no new case starts. Progress lines go to `progress` unless config.quiet.
RunResult run_cases(const Config& config, const std::vector<const CaseSpec*>& cases,
                    const std::atomic<bool>& interrupt, std::ostream& progress);

/// ok when every case ran and passed, check_failed otherwise, cannot_run for a fatal error.
ExitCode exit_code_for(const RunResult& result, bool strict);

/// The fixed-width human summary: counts per verdict and the cases that did not pass.
std::string summary_text(const RunResult& result, bool strict);

}  // namespace wsb::conformance
