// Entry point of the echo server engines.
#pragma once

#include <ostream>

#include "echo_server/config.hpp"

namespace wsb::echo {

/// Why a server stopped, logged where it happened; main() alone turns it into an exit code.
enum class ServeError {
    none,          ///< ran until SIGINT/SIGTERM and shut down cleanly
    bad_config,    ///< a configuration it cannot serve: unreadable or mismatched TLS files
    cannot_serve,  ///< could not listen or accept (port in use, no TLS context)
};

/// Runs the server described by `config` until SIGINT/SIGTERM; prints the listening line to
/// `out` once it accepts connections.
ServeError run_server(const Config& config, std::ostream& out);

/// The websocketpp engine, one instantiation per TLS and deflate combination.
template <bool Tls, bool Deflate>
ServeError run_websocketpp(const Config& config, std::ostream& out);

}  // namespace wsb::echo
