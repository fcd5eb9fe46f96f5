// wsbench-echo-server: parses options and runs the selected engine.
#include <csignal>
#include <iostream>

#include "echo_server/cli.hpp"
#include "echo_server/server.hpp"
#include "wsbench/exit_code.hpp"
#include "wsbench/system.hpp"

namespace {

wsb::ExitCode exit_code(wsb::echo::ServeError error) {
    switch (error) {
        case wsb::echo::ServeError::none:
            return wsb::ExitCode::ok;
        case wsb::echo::ServeError::bad_config:
            return wsb::ExitCode::usage;
        case wsb::echo::ServeError::cannot_serve:
            return wsb::ExitCode::cannot_run;
    }
    return wsb::ExitCode::cannot_run;
}

}  // namespace

int main(int argc, char** argv) {
    wsb::set_log_prefix("wsbench-echo-server");
    const auto cli = wsb::echo::parse_cli(argc, argv, std::cout, std::cerr);
    if (!cli.run) return wsb::exit_status(cli.exit_code);
    if (cli.config.verbosity < 0) wsb::set_log_level(wsb::LogLevel::warn);
    // Writes to a client that vanished must fail with EPIPE, not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return wsb::exit_status(exit_code(wsb::echo::run_server(cli.config, std::cout)));
    } catch (const std::exception& e) {
        wsb::log_line(wsb::LogLevel::error, e.what());
        return wsb::exit_status(wsb::ExitCode::cannot_run);
    }
}
