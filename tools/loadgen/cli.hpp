// Command-line parsing of wsbench-loadgen into a Config, with every check that needs no socket.
#pragma once

#include <ostream>

#include "loadgen/config.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::loadgen {

/// The outcome of parsing: run with `config`, or exit with `exit_code` (0 after --help or
/// --version, 2 after a usage error, already explained on `err`).
struct CliResult {
    bool run = false;  ///< true: start a run with `config`; false: exit with `exit_code`
    ExitCode exit_code = ExitCode::ok;  ///< ok after --help or --version, usage after an error
    Config config;                      ///< every option, validated; meaningful only when `run`
};

/// Parses argv (DESIGN.md §4): options before or after the positional URL, flags named as in
/// wrk, h2load and tcpkali where the meaning matches, counts/sizes/durations/rates with unit
/// suffixes. Help and version go to `out`; a usage error (bad value, missing or malformed URL,
/// contradictory options, unreadable --ca) is one line on `err` that names the flag, and exit
/// code 2. Warnings about options that parse but look wrong also go to `err`.
CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace wsb::loadgen
