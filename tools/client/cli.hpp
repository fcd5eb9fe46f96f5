// Command-line parsing of wsbench-client into a Config.
#pragma once

#include <ostream>

#include "client/config.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::client {

/// The outcome of parsing: run with `config`, or exit with `exit_code` (0 after --help or
/// --version, 2 after a usage error, already explained on `err`).
struct CliResult {
    bool run = false;
    ExitCode exit_code = ExitCode::ok;
    Config config;
};

/// Parses argv. Help and version go to `out`; errors name the flag and go to `err`.
CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace wsb::client
