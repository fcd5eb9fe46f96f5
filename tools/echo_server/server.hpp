// Entry point of the echo server engines.
#pragma once

#include <ostream>

#include "config.hpp"

namespace wsb::echo {

/// Exit codes (DESIGN.md §4).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCannotRun = 3;

/// Runs the server described by `config` until SIGINT/SIGTERM; prints the listening line to
/// `out` once it accepts connections. Returns an exit code: 0 after a clean shutdown, 2 for
/// a configuration it cannot serve (unreadable TLS files), 3 when it cannot listen.
int run_server(const Config& config, std::ostream& out);

/// The websocketpp engine, one instantiation per TLS and deflate combination.
template <bool Tls, bool Deflate>
int run_websocketpp(const Config& config, std::ostream& out);

}  // namespace wsb::echo
