// Live metrics of a run (issue 18): the counters and latency buckets a worker hands the
// coordinator once a second, their sum, and the Prometheus exposition made of it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loadgen/result.hpp"
#include "wsbench/histogram.hpp"

namespace wsb::loadgen {

/// The latency buckets' upper bounds in µs: fixed and log-spaced (1-2.5-5 per decade) from
/// 50 µs to 25 s, the same for every histogram so that shards and steps sum.
inline constexpr std::array<std::uint64_t, 18> kLiveBucketsUs = {
    50,     100,     250,     500,     1'000,     2'500,     5'000,     10'000,     25'000,
    50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 25'000'000};

/// A latency histogram reduced to Prometheus buckets: fixed size, so copying it allocates
/// nothing.
struct LiveBuckets {
    std::array<std::uint64_t, kLiveBucketsUs.size()> le{};  ///< cumulative: values <= bound
    std::uint64_t count = 0;                                ///< every value
    double sum_us = 0;  ///< the sum, each value taken as its bucket's median equivalent

    void add(const LiveBuckets& other);
};

/// Reduces `h` to the live buckets (one pass over its non-empty buckets, no allocation).
LiveBuckets live_buckets(const Histogram& h);

/// A scenario file's named step.
struct LiveStep {
    bool expect = true;          ///< an expect step (its latencies count in the run's)
    std::uint64_t count = 0;     ///< matched replies (expect) or messages taken (listen)
    std::uint64_t timeouts = 0;  ///< expects that saw no match in time
    LiveBuckets latency;
    LiveBuckets latency_uncorrected;
};

/// The cumulative counters of a worker (or, summed, of the run) at one moment.
struct LiveCounters {
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_failed = 0;
    std::uint64_t connections_open = 0;
    ErrorCounts errors{};
    std::map<std::uint16_t, std::uint64_t> close_codes;
    // Scenario files.
    std::uint64_t sessions_started = 0;
    std::uint64_t sessions_completed = 0;
    std::uint64_t sessions_failed = 0;
    std::uint64_t sessions_cut = 0;
    std::vector<LiveStep> steps;  ///< by the file's step-name index
    LiveBuckets latency;          ///< corrected
    LiveBuckets latency_uncorrected;
    LiveBuckets schedule_lag;

    /// Adds `other`'s counters (steps by index).
    void add(const LiveCounters& other);
};

/// One second of a run as the coordinator's Monitor saw it: the dashboard's per-second event.
struct LiveSecond {
    std::uint64_t sent = 0;         ///< messages sent in the second
    std::uint64_t received = 0;     ///< messages received in the second
    std::uint64_t errors = 0;       ///< errors counted in the second
    std::uint64_t connections = 0;  ///< open at its end
    std::uint64_t p50_us = 0;       ///< corrected latency of the second's replies; 0: none
    std::uint64_t p99_us = 0;
    /// Scenario files: p50 and p99 of each step's second (file order; 0: none).
    std::vector<std::array<std::uint64_t, 2>> steps;
};

/// The second of `second` (the latencies merged from the workers) and `steps` (per step).
LiveSecond live_second(std::uint64_t sent, std::uint64_t received, std::uint64_t errors,
                       std::uint64_t connections, const Histogram& second,
                       const std::vector<Histogram>& steps);

/// The counters of a finished run's merged result: the same numbers as its JSON report
/// (steps in `step_names` order).
LiveCounters live_counters(const RunResult& r, const std::vector<std::string>& step_names);

/// What labels every sample of the exposition, and the families it has: all bounded (no URL,
/// no connection id).
struct LiveLabels {
    std::string scenario;                 ///< echo, broadcast, connect, or the file's stem
    std::string shard;                    ///< --shard's I ("0" without sharding)
    std::vector<std::string> step_names;  ///< a scenario file's steps, in file order
    bool open_loop = false;               ///< the schedule lag histogram is meaningful
    std::uint64_t connections_target = 0;
};

/// The labels of a run of `config` (this process's shard).
LiveLabels live_labels(const Config& config);

/// The Prometheus exposition (text format 0.0.4) of `c`: names wsbench_loadgen_*, counters
/// with _total, latencies as histograms in seconds (docs/loadgen.md, "Live metrics").
/// `cpu_s` is the process's CPU time so far, `running` false once the run is over.
std::string live_metrics_text(const LiveCounters& c, const LiveLabels& labels, double cpu_s,
                              bool running);

/// Every metric family live_metrics_text() can write, for the dashboard's check.
std::vector<std::string> live_metric_names();

}  // namespace wsb::loadgen
