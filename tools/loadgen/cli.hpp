// Command-line parsing of wsbench-loadgen into a Config, with every check that needs no socket.
#pragma once

#include <chrono>
#include <cxxopts.hpp>
#include <memory>
#include <ostream>
#include <string>

#include "loadgen/config.hpp"
#include "wsbench/cli.hpp"
#include "wsbench/exit_code.hpp"
#include "wsbench/scenario/model.hpp"

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

// The Messages and Compression options (cli_messages.cpp).

/// Adds -m, --message-type, --payload-file, --payload-order and the --deflate options.
void add_message_options(cxxopts::Options& options, const Config& defaults);
/// Reads them into `c` (after the scenario): loads --payload-file, checks the window sizes.
void read_messages(const cli::Values& v, Config& c);
/// --coalesce against the rest of the config (after a scenario file and a rate search set it).
void check_coalesce(const Config& c);

// The live metrics options (cli_metrics.cpp).

/// Adds --metrics-listen, --metrics-linger, --metrics-push and --metrics-push-interval.
void add_metrics_options(cxxopts::Options& options);
/// Reads them into `c`: HOST:PORT and the http:// URL checked.
void read_metrics(const cli::Values& v, Config& c);

// --scenario FILE (cli_scenario.cpp).

/// Sessions still running when a scenario file's last phase ends get this long to finish
/// (--drain-timeout overrides it), then they are cut.
inline constexpr std::chrono::seconds kScriptDrainTimeout{10};
/// --check-scenario FILE: the plan on `out`, or the file's error as a UsageError.
void check_scenario(const std::string& path, std::ostream& out);
/// True for echo, broadcast and connect.
bool is_builtin_scenario(const std::string& name);
/// Loads and compiles a scenario file; UsageError naming FILE:LINE:COL on an error.
std::shared_ptr<scenario::Scenario> load_script(const std::string& path);
/// Makes `c` run `s`: refuses the options that do not apply to a file, gives a file without
/// phases one from -c and -d, offers its subprotocols, sets the scenario drain time.
void apply_script(const cli::Values& v, std::shared_ptr<scenario::Scenario> s, Config& c);

// --find-max, the capacity search (cli_capacity.cpp).

/// Adds --find-max, --start-rate, --max-rate, --max-connections, --step, --step-duration and
/// --precision (the "Capacity search" group).
void add_capacity_options(cxxopts::Options& options);
/// Reads them into `c` (after every other option): refuses the options a search sets itself
/// (-d, -n, -R in a rate search, ...) and a search without --slo.
void read_capacity(const cli::Values& v, Config& c);

}  // namespace wsb::loadgen
