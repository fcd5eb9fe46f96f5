// Command line of wsbench-report: subcommands summary, compare, merge and html.
#pragma once

#include <ostream>

namespace wsb::report {

/// Exit codes (DESIGN.md §4).
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;  ///< compare found a regression
inline constexpr int kExitUsage = 2;        ///< bad option, unreadable or invalid input
inline constexpr int kExitCannotRun = 3;    ///< the output could not be written

/// Runs `wsbench-report CMD ARGS...`: parses the subcommand's options (which may follow the
/// file arguments), reads the inputs, writes results to `out` (machine output alone with
/// --format json) and messages to `err`. Returns the exit code.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace wsb::report
