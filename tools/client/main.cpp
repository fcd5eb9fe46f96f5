// wsbench-client: parses options, picks the console (a terminal or a script) and runs the loop.
#include <unistd.h>

#include <clocale>
#include <iostream>
#include <memory>

#include "client/app.hpp"
#include "client/cli.hpp"
#include "client/console.hpp"
#include "client/terminal_console.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/system.hpp"

int main(int argc, char** argv) {
    wsb::set_log_prefix("wsbench-client");
    const auto cli = wsb::client::parse_cli(argc, argv, std::cout, std::cerr);
    if (!cli.run) return wsb::exit_status(cli.exit_code);
    const wsb::client::Config& config = cli.config;
    try {
        asio::io_context io;
        std::shared_ptr<asio::ssl::context> tls;
        if (config.url.secure) {
            std::string error;
            tls = wsb::net::make_client_context({config.insecure, config.ca_file}, error);
            if (!tls) {
                wsb::log_line(wsb::LogLevel::error, error);
                return wsb::exit_status(wsb::ExitCode::usage);
            }
        }
        std::unique_ptr<wsb::client::Console> console;
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
            std::setlocale(LC_CTYPE, "");  // libedit edits UTF-8 lines only in a UTF-8 locale
            console = std::make_unique<wsb::client::TerminalConsole>(io, config);
        } else {
            console = std::make_unique<wsb::client::PipeConsole>(io, config);
        }
        wsb::client::App app(io, config, *console, tls.get());
        return wsb::exit_status(app.run());
    } catch (const std::exception& e) {
        wsb::log_line(wsb::LogLevel::error, e.what());
        return wsb::exit_status(wsb::ExitCode::cannot_run);
    }
}
