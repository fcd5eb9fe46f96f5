// The coordinator of a run: resolves the target, starts one worker per thread, opens the
// measured window once every connection settled, prints progress and merges the results.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "loadgen/config.hpp"
#include "loadgen/result.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::loadgen {

/// Whether `connections` to one target fit the local ports of the source addresses (0 means
/// the default one): `fatal` when they cannot, `warning` past half of them (see run.cpp).
struct PortSpace {
    std::string fatal;
    std::string warning;
};
PortSpace check_port_space(std::uint64_t connections, std::size_t source_addresses,
                           std::uint64_t ports_per_source);

class MetricsService;

/// Runs the load described by `config`. Progress lines go to `progress` once a second
/// unless config.quiet. Setting `interrupt` (from a signal handler) stops the run within a
/// second: connections close with 1001 and the result is marked interrupted. With `metrics`
/// (--metrics-listen, --metrics-push) the run's totals are published to it once a second and
/// once at the end (the report's numbers).
/// Never throws; what stopped a run early is in RunResult::fatal.
RunResult run_load(const Config& config, const std::atomic<bool>& interrupt, std::ostream& progress,
                   MetricsService* metrics = nullptr);

/// What one worker hands the coordinator once its thread is done.
struct WorkerOutcome {
    RunResult result;         ///< the worker's share (its config, counters, histograms)
    bool lost_all = false;    ///< every connection it had open was lost before the end
    Ns lost_at = 0;           ///< when the last one was lost (valid when lost_all)
    std::string first_error;  ///< the first reason a connection could not open, or ""
};

/// The run's times as the coordinator saw them, in ns since the run's origin (-1: never).
struct RunTimes {
    Ns first_connect = -1;  ///< the first connect started
    Ns last_settle = -1;    ///< the last connection opened or failed
    Ns window_start = -1;   ///< the window opened (warmup starts here); -1: it never did
    Ns stopped_at = -1;     ///< the interrupt was seen
    Ns ended = 0;           ///< every worker was done
    /// The wall-clock time at `ended`, so the window's start gets a wall-clock time.
    std::chrono::system_clock::time_point wall_at_end;
};

/// The run's result from its workers' outcomes (merged in order) and its times: window
/// length, ramp time, broadcast losses, what made the run fatal, and the warnings about the
/// generator itself. `run` is the config the run used (this shard's part with --shard),
/// `start` the result so far (config snapshot, target, timeline, preflight warnings).
/// Pure: reads no clock and does no I/O.
RunResult finish_run(const Config& run, RunResult start, std::vector<WorkerOutcome> workers,
                     const RunTimes& times);

/// The outcome of a finished run: cannot_run when it could not run (fatal before any
/// connection opened, or none could be opened), check_failed when an SLO was breached or every
/// connection was lost before the end, ok otherwise.
ExitCode exit_code_for(const RunResult& result, bool slo_breached);

}  // namespace wsb::loadgen
