// Command line of wsbench-report: subcommands summary, compare, merge and html.
#pragma once

#include <ostream>

#include "wsbench/exit_code.hpp"

namespace wsb::report {

/// Runs `wsbench-report CMD ARGS...`: parses the subcommand's options (which may follow the
/// file arguments), reads the inputs, writes results to `out` (machine output alone with
/// --format json) and messages to `err`. Returns check_failed when compare found a regression,
/// usage for a bad option or an unreadable or invalid input, cannot_run when the output could
/// not be written.
ExitCode run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace wsb::report
