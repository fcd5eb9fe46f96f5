// Entry point of the echo server engines.
#pragma once

#include <ostream>

#include "echo_server/config.hpp"

namespace wsb::echo {

class Console;

/// Why a server stopped, logged where it happened; main() alone turns it into an exit code.
enum class ServeError {
    none,          ///< ran until SIGINT/SIGTERM and shut down cleanly
    bad_config,    ///< a configuration it cannot serve: unreadable or mismatched TLS files
    cannot_serve,  ///< could not listen or accept (port in use, no TLS context)
};

/// Runs the server described by `config` until SIGINT/SIGTERM (or the console's /quit); prints
/// the listening line to `out` once it accepts connections, then starts the console when
/// config.console asks for one.
ServeError run_server(const Config& config, std::ostream& out);

/// The websocketpp engine, one instantiation per TLS and deflate combination. `console` (may
/// be null) is started once it listens and stopped before it returns.
template <bool Tls, bool Deflate>
ServeError run_websocketpp(const Config& config, std::ostream& out, Console* console);

}  // namespace wsb::echo
