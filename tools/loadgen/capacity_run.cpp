// The capacity search's runs: one run_load() per step at the value CapacitySearch chose, judged
// against --slo, a table line each as it finishes.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "loadgen/capacity.hpp"
#include "loadgen/metrics_server.hpp"
#include "loadgen/run.hpp"
#include "loadgen/run_report.hpp"
#include "wsbench/report/write.hpp"
#include "wsbench/scenario/model.hpp"
#include "wsbench/system.hpp"
#include "wsbench/units.hpp"

namespace wsb::loadgen {
namespace {

/// The config of the step at `value`: the search's config with its rate or connections, the
/// step's window and warmup, and no progress lines of its own (the search prints its table).
Config step_config(const Config& search, double value) {
    Config c = search;
    if (search.capacity.mode == CapacityOptions::Mode::rate) {
        c.rate = value;
    } else {
        c.connections = static_cast<std::uint64_t>(std::llround(value));
    }
    c.duration = search.capacity.step_duration;
    c.warmup = search.capacity.step_warmup;
    if (search.script) {
        // A scenario file's one phase: `value` sessions (closed), or `value` new sessions per
        // second, steady (open: a ramp in the file is the search's to make).
        auto script = std::make_shared<scenario::Scenario>(*search.script);
        scenario::Phase& phase = script->phases.front();
        if (search.capacity.mode == CapacityOptions::Mode::rate) {
            phase.arrival_rate = value;
            phase.ramp_to = value;
            c.rate = search.rate;
        } else {
            phase.users = c.connections;
        }
        phase.duration = c.duration;
        c.script = std::move(script);
    }
    c.quiet = true;
    return c;
}

}  // namespace

CapacityRun run_capacity(const Config& config, const std::atomic<bool>& interrupt,
                         std::ostream& table, std::ostream& progress, MetricsService* metrics) {
    CapacityRun run;
    run.config = config;
    run.search = CapacitySearch(search_params(config.capacity));
    const auto mode = config.capacity.mode;
    table << capacity_table_header(mode) << std::flush;
    while (const auto value = run.search.next()) {
        if (interrupt.load()) {
            run.search.record(*value, StepOutcome::interrupted);
            break;
        }
        if (!config.quiet) {
            const std::string what =
                mode == CapacityOptions::Mode::rate
                    ? "rate " + format_rate(*value)
                    : std::to_string(static_cast<std::uint64_t>(std::llround(*value))) +
                          " connections";
            progress << "step " << (run.steps.size() + 1) << ": " << what << " for "
                     << format_duration_us(
                            static_cast<double>(config.capacity.step_duration.count()) / 1e3)
                     << std::endl;
        }
        CapacityStepRun step;
        step.value = *value;
        step.result = run_load(step_config(config, *value), interrupt, progress, metrics);
        step.judgement = judge_step(step.result, config.slo);
        run.search.record(*value, step.judgement.outcome);
        std::string number = std::to_string(run.steps.size() + 1);
        number.resize(std::max<std::size_t>(number.size(), 4), ' ');  // the "step" column
        table << number << " " << capacity_table_line(step, mode) << std::flush;
        if (metrics) metrics->capacity_step(live_capacity_step(run.steps.size() + 1, step));
        run.steps.push_back(std::move(step));
    }
    return run;
}

report::LoadgenReport capacity_search_report(const CapacityRun& run,
                                             std::chrono::system_clock::time_point created) {
    // The rest of the report is the highest passing step's run, else the last step's.
    const CapacityStepRun* chosen = nullptr;
    for (const CapacityStepRun& s : run.steps) {
        if (run.search.highest_passing() && s.value == *run.search.highest_passing() &&
            s.judgement.outcome == StepOutcome::pass) {
            chosen = &s;
        }
    }
    if (!chosen && !run.steps.empty()) chosen = &run.steps.back();
    RunResult empty;
    empty.config = run.config;
    empty.interrupted = true;
    report::LoadgenReport r = to_report(chosen ? chosen->result : empty, created);
    r.envelope.interrupted = run.search.stop() == StopReason::interrupted;
    r.capacity = capacity_report(run);
    return r;
}

ExitCode capacity_main(const Config& config, const std::atomic<bool>& interrupt) {
    std::ostream& out = config.json_path == "-" ? std::cerr : std::cout;
    // --dashboard (and the live metrics): each step's seconds, each step as it ends, the report.
    std::unique_ptr<MetricsService> metrics;
    if (config.metrics()) metrics = std::make_unique<MetricsService>(config, std::cerr);
    const CapacityRun run = run_capacity(config, interrupt, out, std::cerr, metrics.get());
    out << capacity_result_text(run) << std::flush;
    ExitCode code = capacity_exit_code(run);
    const nlohmann::json j = capacity_search_report(run, std::chrono::system_clock::now());
    std::string detail;
    if (config.json_path.empty()) {
        // no report file
    } else if (write_report(j, config.json_path, &detail) != Errc::ok) {
        log_line(LogLevel::error, "cannot write the report: " + detail);
        if (code == ExitCode::ok) code = ExitCode::cannot_run;
    } else if (config.json_path != "-" && !config.quiet) {
        log_line(LogLevel::info, "report written to " + config.json_path);
    }
    if (metrics) {
        metrics->report(j, config.json_path);
        metrics->finish(interrupt);
    }
    return code;
}

}  // namespace wsb::loadgen
