// wsbench-conformance: parses options and runs the suite (suite.hpp), or with `serve` as
// its first argument tests clients (serve.hpp); returns the exit code (wsbench/exit_code.hpp:
// 0 passed, 1 a case failed, 2 usage, 3 target unreachable or reports not written).
#include <atomic>
#include <csignal>
#include <iostream>
#include <string_view>

#include "conformance/cli.hpp"
#include "conformance/serve.hpp"
#include "conformance/suite.hpp"
#include "wsbench/system.hpp"

namespace {
std::atomic<bool> g_interrupt{false};
extern "C" void on_signal(int) { g_interrupt.store(true); }
}  // namespace

int main(int argc, char** argv) {
    using namespace wsb::conformance;
    wsb::set_log_prefix("wsbench-conformance");
    std::signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && std::string_view(argv[1]) == "serve") {
        // Testing clients: a fuzzing server. Signals go to its io_context.
        const ServeCliResult serve = parse_serve_cli(argc - 1, argv + 1, std::cout, std::cerr);
        if (!serve.run) return wsb::exit_status(serve.exit_code);
        if (serve.config.run.quiet) wsb::set_log_level(wsb::LogLevel::warn);
        return wsb::exit_status(run_serve(serve.config, std::cout, std::cerr));
    }
    const CliResult cli = parse_cli(argc, argv, std::cout, std::cerr);
    if (!cli.run) return wsb::exit_status(cli.exit_code);
    if (cli.config.quiet) wsb::set_log_level(wsb::LogLevel::warn);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    return wsb::exit_status(run_suite(cli.config, g_interrupt, std::cout));
}
