// The fast engine of wsbench-echo-server (--engine fast): our own libwsbench codec, one
// event loop per thread with its own SO_REUSEPORT listener, no allocation, lock or copy per
// message beyond the one copy into the output buffer.
#pragma once

#include <ostream>

#include "echo_server/config.hpp"
#include "echo_server/server.hpp"

namespace wsb::echo {

/// Runs the fast engine until SIGINT/SIGTERM, with the same options, log lines, /stats and
/// errors as the websocketpp engine (run_server() dispatches here). `console` (may be null) is
/// started once it listens and stopped before it returns.
ServeError run_fast(const Config& config, std::ostream& out, Console* console);

}  // namespace wsb::echo
