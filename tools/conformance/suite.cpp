// A whole run of wsbench-conformance against one server (suite.hpp).
#include "conformance/suite.hpp"

#include <iostream>
#include <string>

#include "conformance/runner.hpp"
#include "conformance/writers.hpp"
#include "wsbench/system.hpp"

namespace wsb::conformance {

ExitCode run_suite(const Config& config, const std::atomic<bool>& interrupt, std::ostream& out) {
    const Selection sel = select_cases(all_cases(), config.cases, config.exclude_cases);
    for (const std::string& p : sel.unmatched) {
        wsb::log_line(wsb::LogLevel::warn,
                      "note: the pattern '" + p + "' matches no case; ignored");
    }
    if (config.list_only) {
        for (const CaseSpec* c : sel.cases) out << c->id << "  " << c->description << "\n";
        return ExitCode::ok;
    }
    if (sel.cases.empty()) {
        wsb::log_line(wsb::LogLevel::error, "no case selected (see --cases and --exclude-cases)");
        return ExitCode::usage;
    }

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
        return ExitCode::cannot_run;
    }
    if (!config.quiet) {
        wsb::log_line(wsb::LogLevel::info, "running " + std::to_string(sel.cases.size()) +
                                               " cases against " + config.url_text + ", " +
                                               std::to_string(config.parallel) + " at a time");
    }
    RunResult result;
    try {
        result = run_cases(config, sel.cases, interrupt, std::cerr);
    } catch (const std::exception& e) {
        wsb::log_line(wsb::LogLevel::error, e.what());
        return ExitCode::cannot_run;
    }
    out << summary_text(result, config.strict) << std::flush;
    ExitCode code = exit_code_for(result, config.strict);
    if (!config.report_dir.empty()) {
        std::string detail;
        if (write_reports(config, result, detail) != wsb::Errc::ok) {
            wsb::log_line(wsb::LogLevel::error, "cannot write the reports: " + detail);
            if (code == ExitCode::ok) code = ExitCode::cannot_run;
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

}  // namespace wsb::conformance
