// The capacity search of --find-max rate|connections: steps of runs at increasing values
// (doubling from the start, or --step), then bisection between the highest passing value and
// the lowest failing one, until the capacity is known within --precision (docs/loadgen.md).
// CapacitySearch and judge_step are pure; run_capacity runs the steps (capacity_run.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "loadgen/config.hpp"
#include "loadgen/result.hpp"
#include "wsbench/exit_code.hpp"
#include "wsbench/report/loadgen.hpp"

namespace wsb::loadgen {

class MetricsService;

/// What one step of a search showed.
enum class StepOutcome : std::uint8_t {
    pass,             ///< every --slo term held and every connection opened
    fail,             ///< an --slo term broke, or connections could not open
    generator_bound,  ///< the generator itself was saturated: the step says nothing of the target
    unreachable,      ///< no connection could be opened at all
    interrupted,      ///< SIGINT/SIGTERM during the step
};

/// Why a search stopped.
enum class StopReason : std::uint8_t {
    running,            ///< it has not
    precision,          ///< the highest pass and the lowest failure are within --precision
    max_reached,        ///< the cap (--max-rate, --max-connections) passed
    first_step_failed,  ///< even the first value failed
    generator_bound,    ///< a step saturated the generator
    unreachable,        ///< a step could not open any connection
    interrupted,        ///< stopped by a signal
};
/// "running", "precision", "max_reached", "first_step_failed", "generator_bound",
/// "unreachable", "interrupted" (the report's capacity.result.stop).
const char* to_string(StopReason r) noexcept;

/// The search's parameters: integer values for connections.
struct SearchParams {
    bool integer = false;    ///< connections: every value is a whole number
    double start = 1;        ///< the first value, above 0
    double max = 0;          ///< cap; 0: none
    double step = 0;         ///< added each growth step; 0: doubling
    double precision = 0.1;  ///< fraction of the highest passing value
};

/// The search as a state machine: next() is the value to run, record() its outcome.
class CapacitySearch {
  public:
    explicit CapacitySearch(SearchParams params);

    /// The value of the next step; nullopt once the search stopped.
    std::optional<double> next() const;
    /// Records the outcome of the step run at `value` (the last next()).
    void record(double value, StepOutcome outcome);

    StopReason stop() const { return stop_; }
    bool done() const { return stop_ != StopReason::running; }
    /// True when the search stopped with a capacity: within the precision, or the cap passed.
    bool found() const {
        return stop_ == StopReason::precision || stop_ == StopReason::max_reached;
    }
    std::optional<double> highest_passing() const { return pass_; }
    std::optional<double> first_failing() const { return fail_; }
    const SearchParams& params() const { return params_; }

  private:
    void choose_next();

    SearchParams params_;
    std::optional<double> pass_;  ///< the highest value that passed
    std::optional<double> fail_;  ///< the lowest value that failed
    double next_ = 0;
    StopReason stop_ = StopReason::running;
};

/// The search's parameters from --find-max and its options.
SearchParams search_params(const CapacityOptions& options);

/// A step's verdict: its outcome and what broke (the --slo breaches, connections that could
/// not open, why the run stopped early).
struct StepJudgement {
    StepOutcome outcome = StepOutcome::pass;
    std::vector<std::string> breaches;
    bool generator_bound = false;  ///< the generator was the bottleneck (busiest_worker, warnings)
    double generator_cpu = 0;      ///< busiest_worker() of the step
};

/// A worker thread above this share of a core over a step's loaded time saturates the
/// generator: the step measured the generator, not the target.
inline constexpr double kGeneratorBound = 0.9;

/// The busiest worker thread's CPU time over the step's loaded time (ramp, warmup, window;
/// not the drain after it), as a share of a core; 0 for a step under half a second.
double busiest_worker(const RunResult& result);

/// True for the warning of the generator's health check that the generator itself was the
/// bottleneck (run.cpp): a worker thread used more than 90 % of a core. The schedule-lag
/// warning is not one: sends also leave late when the target pushes back, which is the limit
/// a search looks for, and latencies are corrected for it (the table shows it).
bool is_generator_warning(const std::string& warning);

/// Judges one step's run against the --slo terms. Interrupted beats everything; a run that
/// opened no connection is unreachable; a saturated generator (a worker thread above
/// kGeneratorBound of a core over the loaded time, or the run's own warning) makes the step
/// generator_bound whatever its SLO said; any breach, failed connection or early stop makes it
/// fail.
StepJudgement judge_step(const RunResult& result, const std::vector<SloTerm>& slo);

/// One finished step: the value, its run and its verdict.
struct CapacityStepRun {
    double value = 0;
    RunResult result;
    StepJudgement judgement;
};

/// A whole search: its steps in order and where it stopped.
struct CapacityRun {
    Config config;  ///< the config of the search (as given)
    CapacitySearch search{SearchParams{}};
    std::vector<CapacityStepRun> steps;
};

/// The table's header line and one line per step: value, throughput, p50/p99/p99.9, errors,
/// SLO verdict, generator health.
std::string capacity_table_header(CapacityOptions::Mode mode);
std::string capacity_table_line(const CapacityStepRun& step, CapacityOptions::Mode mode);
/// The result lines after the table: the highest passing and first failing value and why the
/// search stopped. Ends with a newline.
std::string capacity_result_text(const CapacityRun& run);
/// A sentence saying why the search stopped (the report's capacity.result.detail).
std::string stop_detail(const CapacityRun& run);

/// The report's `capacity` section.
report::CapacityReport capacity_report(const CapacityRun& run);
/// The exit code of a search: ok when a capacity was found, cannot_run when the target was
/// unreachable, check_failed otherwise (the first step failed, generator-bound, interrupted).
ExitCode capacity_exit_code(const CapacityRun& run);

/// Runs the search: each step is a run_load() of `config` at the step's value for
/// capacity.step_duration after capacity.step_warmup. A table line per step goes to `table`
/// as it finishes; a line as each step starts goes to `progress` unless config.quiet.
/// Setting `interrupt` stops the step under way and the search. With `metrics` (--dashboard)
/// each step's seconds and each finished step go to it.
CapacityRun run_capacity(const Config& config, const std::atomic<bool>& interrupt,
                         std::ostream& table, std::ostream& progress,
                         MetricsService* metrics = nullptr);

/// The report of a search, made at `created`: the highest passing step's run (else the last
/// step's) as the usual sections, and `capacity`; `interrupted` when a signal stopped it.
report::LoadgenReport capacity_search_report(const CapacityRun& run,
                                             std::chrono::system_clock::time_point created);

/// wsbench-loadgen --find-max: runs the search (the table on stdout, or on stderr with
/// --json -), prints the result, writes the report to --json, and returns the exit code.
ExitCode capacity_main(const Config& config, const std::atomic<bool>& interrupt);

}  // namespace wsb::loadgen
