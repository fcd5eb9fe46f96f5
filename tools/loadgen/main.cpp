// wsbench-loadgen: parses options, runs the load, writes the report and the summary, and
// returns the exit code (0 ok, 1 SLO breached or run failed, 2 usage, 3 could not run);
// with --find-max, runs the capacity search instead (capacity.hpp).
#include <csignal>
#include <iostream>

#include "loadgen/capacity.hpp"
#include "loadgen/cli.hpp"
#include "loadgen/metrics_server.hpp"
#include "loadgen/run.hpp"
#include "loadgen/run_report.hpp"
#include "loadgen/slo.hpp"
#include "wsbench/report.hpp"
#include "wsbench/system.hpp"

namespace {
std::atomic<bool> g_interrupt{false};
extern "C" void on_signal(int) { g_interrupt.store(true); }
}  // namespace

int main(int argc, char** argv) {
    using namespace wsb::loadgen;
    wsb::set_log_prefix("wsbench-loadgen");
    const CliResult cli = parse_cli(argc, argv, std::cout, std::cerr);
    if (!cli.run) return wsb::exit_status(cli.exit_code);
    const Config& config = cli.config;
    if (config.quiet) wsb::set_log_level(wsb::LogLevel::warn);
    if (config.verbosity > 0) wsb::set_log_level(wsb::LogLevel::debug);

    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    if (config.capacity.mode != CapacityOptions::Mode::none) {
        try {
            return wsb::exit_status(capacity_main(config, g_interrupt));
        } catch (const std::exception& e) {
            wsb::log_line(wsb::LogLevel::error, e.what());
            return wsb::exit_status(wsb::ExitCode::cannot_run);
        }
    }

    RunResult result;
    std::unique_ptr<MetricsService> metrics;
    try {
        if (config.metrics()) metrics = std::make_unique<MetricsService>(config, std::cerr);
        result = run_load(config, g_interrupt, std::cerr, metrics.get());
    } catch (const std::exception& e) {
        wsb::log_line(wsb::LogLevel::error, e.what());
        return wsb::exit_status(wsb::ExitCode::cannot_run);
    }
    if (!result.fatal.empty()) wsb::log_line(wsb::LogLevel::error, result.fatal);

    const auto breaches = evaluate_slo(config.slo, result);
    for (const auto& b : breaches) wsb::log_line(wsb::LogLevel::error, "SLO breached: " + b);

    // The summary goes to stdout, unless the report itself does.
    std::ostream& summary_out = config.json_path == "-" ? std::cerr : std::cout;
    summary_out << summary_table(result) << std::flush;

    wsb::ExitCode code = exit_code_for(result, !breaches.empty());
    const nlohmann::json report = build_report(result);
    if (!config.json_path.empty()) {
        std::string detail;
        const wsb::Errc e = wsb::write_report(report, config.json_path, &detail);
        if (e != wsb::Errc::ok) {
            wsb::log_line(wsb::LogLevel::error, "cannot write the report: " + detail);
            if (code == wsb::ExitCode::ok) code = wsb::ExitCode::cannot_run;
        } else if (config.json_path != "-" && !config.quiet) {
            wsb::log_line(wsb::LogLevel::info, "report written to " + config.json_path);
        }
    }
    if (metrics) {
        metrics->report(report, config.json_path);  // --dashboard: /report.html, the end
        metrics->finish(g_interrupt);               // the last push; --metrics-linger
    }
    return wsb::exit_status(code);
}
