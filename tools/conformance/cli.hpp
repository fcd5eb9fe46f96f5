// Command-line parsing of wsbench-conformance into a Config.
#pragma once

#include <ostream>

#include "conformance/config.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::conformance {

/// The outcome of parsing: run with `config`, or exit with `exit_code` (0 after --help or
/// --version, 2 after a usage error, already explained on `err`).
struct CliResult {
    bool run = false;
    ExitCode exit_code = ExitCode::ok;
    Config config;
};

/// Parses argv (DESIGN §4): the target URL positional, options before or after it.
CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

/// Splits a comma-separated list, trimming spaces and dropping empty items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace wsb::conformance
