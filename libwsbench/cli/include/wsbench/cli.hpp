// The command-line convention every wsbench tool follows: one usage-error type, option values
// read with units and named in every message, cxxopts' own messages cleaned up, --version.
//
// A tool builds its cxxopts::Options, then calls parse() with a function that reads the
// result into its config through Values and throws UsageError on a bad value:
//
//   const ExitCode rc = cli::parse(options, argc, argv, err, [&](const cxxopts::ParseResult& r) {
//       const cli::Values v(r);
//       c.connections = v.count("connections");
//       if (c.connections == 0) throw cli::UsageError{"--connections must be above 0"};
//   });
//
// Any error prints "<program>: <message> (see --help)" as one line and gives ExitCode::usage.
#pragma once

#include <chrono>
#include <cstdint>
#include <cxxopts.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "wsbench/exit_code.hpp"

namespace wsb::cli {

/// A bad command line. `message` names the flag and its value; parse() prints it.
struct UsageError {
    std::string message;
};

/// "--flag 'value'": how every message quotes the value it refuses.
std::string quoted(std::string_view flag, std::string_view value);

/// `message` with control characters escaped (\r, \n, \xNN), so an error that quotes a value
/// such as -H $'X: 1\r\nY: 2' is still one line on stderr.
std::string one_line(std::string_view message);

/// cxxopts' message with ASCII quotes and the option spelled as a flag, a short option with its
/// long name too: "Option ‘c’ is missing an argument" -> "option -c/--connections is missing
/// an argument".
std::string cxxopts_message(const cxxopts::Options& options, std::string what);

/// Reads the values of a parsed command line. Every value is read as text and parsed here
/// (wsbench/units.hpp), so each error names the flag, quotes the value and shows an example.
class Values {
  public:
    explicit Values(const cxxopts::ParseResult& r) : r_(r) {}

    /// True when the option was given (or has a default).
    bool given(const std::string& name) const { return r_.count(name) > 0; }
    std::string text(const std::string& name) const { return r_[name].as<std::string>(); }
    /// Every occurrence of a repeatable option, in command-line order.
    std::vector<std::string> all(const std::string& name) const;

    /// A count with k/M/G suffixes ("10k"); `example` completes "expected a count such as".
    std::uint64_t count(const std::string& name, const char* example = "1000 or 10k") const;
    /// A size with k/M/G or KiB/MiB/GiB suffixes.
    std::uint64_t size(const std::string& name) const;
    /// A duration (500ms, 10s, 1m30s; a bare number is seconds); never negative.
    std::chrono::nanoseconds duration(const std::string& name) const;
    /// A rate per second (5000, 5k, 5k/s, 300/m).
    double rate(const std::string& name) const;
    /// Plain decimal digits, no suffix (a port, a thread count).
    std::uint64_t whole(const std::string& name) const;
    /// A decimal number such as 1, 0.5 or 2.5 (finite, not negative).
    double number(const std::string& name) const;

  private:
    const cxxopts::ParseResult& r_;
};

/// Prints "<tool> <version>" and a newline (wsb::version()).
void print_version(std::ostream& out, std::string_view tool);

/// Parses argv with `options` and hands the result to `read`, which fills the tool's
/// configuration and throws UsageError on a bad value. A UsageError or any cxxopts error is
/// printed on `err` as "<options.program()>: <message> (see --help)", one line, and gives
/// ExitCode::usage; otherwise ExitCode::ok.
ExitCode parse(cxxopts::Options& options, int argc, const char* const* argv, std::ostream& err,
               const std::function<void(const cxxopts::ParseResult&)>& read);

}  // namespace wsb::cli
