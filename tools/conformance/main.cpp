// wsbench-conformance: parses options, selects and runs the cases, writes the reports and
// returns the exit code (0 passed, 1 a case failed, 2 usage, 3 target unreachable);
// `wsbench-conformance serve` (testing clients) is handed to run_serve() in serve.cpp.
#include <atomic>
#include <csignal>
#include <iostream>
#include <string_view>

#include "cli.hpp"
#include "runner.hpp"
#include "serve.hpp"
#include "writers.hpp"
#include "wsbench/system.hpp"

namespace {
std::atomic<bool> g_interrupt{false};
extern "C" void on_signal(int) { g_interrupt.store(true); }
}  // namespace

int main(int argc, char** argv) {
    using namespace wsb::conformance;
    wsb::set_log_prefix("wsbench-conformance");
    if (argc > 1 && std::string_view(argv[1]) == "serve") {
        // Testing clients: a fuzzing server (serve.hpp). Signals go to its io_context.
        std::signal(SIGPIPE, SIG_IGN);
        const ServeCliResult serve = parse_serve_cli(argc - 1, argv + 1, std::cout, std::cerr);
        if (!serve.run) return serve.exit_code;
        if (serve.config.run.quiet) wsb::set_log_level(wsb::LogLevel::warn);
        return run_serve(serve.config, std::cout, std::cerr);
    }
    const CliResult cli = parse_cli(argc, argv, std::cout, std::cerr);
    if (!cli.run) return cli.exit_code;
    const Config& config = cli.config;
    if (config.quiet) wsb::set_log_level(wsb::LogLevel::warn);

    const Selection sel = select_cases(all_cases(), config.cases, config.exclude_cases);
    for (const std::string& p : sel.unmatched) {
        wsb::log_line(wsb::LogLevel::warn,
                      "note: the pattern '" + p + "' matches no case; ignored");
    }
    if (config.list_only) {
        for (const CaseSpec* c : sel.cases) std::cout << c->id << "  " << c->description << "\n";
        return kExitOk;
    }
    if (sel.cases.empty()) {
        wsb::log_line(wsb::LogLevel::error, "no case selected (see --cases and --exclude-cases)");
        return kExitUsage;
    }

    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    // One socket per running case, plus a few for the process itself.
    const wsb::FdLimit fds = wsb::raise_fd_limit(config.parallel + 64);
    if (!fds.enough) {
        wsb::log_line(wsb::LogLevel::warn, "open-file limit " + std::to_string(fds.soft) +
                                               " is below --parallel " +
                                               std::to_string(config.parallel) +
                                               " plus headroom; raise it with ulimit -n");
    }

    const std::string unreachable = probe_target(config);
    if (!unreachable.empty()) {
        wsb::log_line(wsb::LogLevel::error, unreachable);
        return kExitCannotRun;
    }
    if (!config.quiet) {
        wsb::log_line(wsb::LogLevel::info, "running " + std::to_string(sel.cases.size()) +
                                               " cases against " + config.url_text + ", " +
                                               std::to_string(config.parallel) + " at a time");
    }
    RunResult result;
    try {
        result = run_cases(config, sel.cases, g_interrupt, std::cerr);
    } catch (const std::exception& e) {
        wsb::log_line(wsb::LogLevel::error, e.what());
        return kExitCannotRun;
    }
    std::cout << summary_text(result, config.strict) << std::flush;
    int code = exit_code_for(result, config.strict);
    if (!config.report_dir.empty()) {
        std::string detail;
        if (write_reports(config, result, detail) != wsb::Errc::ok) {
            wsb::log_line(wsb::LogLevel::error, "cannot write the reports: " + detail);
            if (code == kExitOk) code = kExitCannotRun;
        } else if (!config.quiet) {
            wsb::log_line(wsb::LogLevel::info, "reports written to " + config.report_dir +
                                                   "/ (index.html, "
                                                   "report.json, index.json, junit.xml)");
        }
    }
    if (result.interrupted)
        wsb::log_line(wsb::LogLevel::warn, "interrupted: the reports are partial");
    return code;
}
