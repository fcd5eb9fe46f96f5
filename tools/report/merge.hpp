// merge: several loadgen reports (shards of one run, or hosts loading one target at once)
// into one exact report.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "report/input.hpp"

namespace wsb::report {

/// Merges loadgen reports into one "wsbench.loadgen/1" report model (its JSON valid against
/// reports/loadgen.schema.json), written by wsbench-report and marked with a `merged` section
/// {inputs, sources [{file, hostname, created, started, shard}], shards {count, merged,
/// missing}}:
/// - counters (connections, messages, bytes, errors by kind, close codes) are summed;
/// - histograms are added bucket by bucket, so min, max and every percentile are those of one
///   histogram holding every value; the latency summaries are recomputed from them;
/// - timelines are aligned on the wall-clock start of each window (`started`) and summed per
///   second; a second's p50/p99 come from the sum of the inputs' per-second histograms when
///   every input carries them, else they are the largest of the inputs' (noted in warnings);
/// - scenario files: steps are merged by name, exactly (counts, timeouts, errors by kind and
///   unmatched summed, latency histograms added; a step an input lacks counts nothing there),
///   and the sessions summed (start lag histograms added); inputs that ran different scenario
///   files (config.scenario_file) are merged with a warning;
/// - throughput is the sum of the inputs' (each over its own window: the load the target saw
///   while all ran); duration_s spans from the earliest start to the latest end.
/// Shards of one run (config.shard) must all have the same N, distinct indices and the same
/// totals; reports of separate runs add their connections and rates. Throws InputError (the
/// message names the files and the difference) when fewer than two reports are given, the
/// runs differ in what they measured (target, scenario, message size and type, pipeline,
/// duration, warmup, per-connection rate, -n, ping interval, subprotocols, reply timeout), a
/// shard appears twice, shards mix with unsharded runs, histograms have different layouts, or a
/// step is an expect in one input and a listen rule in another.
/// `warnings` receives what the user should know (missing shards, windows far apart).
/// The merged report is made at `created` (its envelope's time).
LoadgenReport merge_loadgen(
    const std::vector<LoadgenFile>& inputs, std::vector<std::string>& warnings,
    std::chrono::system_clock::time_point created = std::chrono::system_clock::now());

}  // namespace wsb::report
