// The load generator's outputs: a run's result as the "wsbench.loadgen/1" report model
// (wsbench/report/loadgen.hpp), its JSON, and the human summary table.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/config.hpp"
#include "loadgen/result.hpp"
#include "wsbench/report/loadgen.hpp"

namespace wsb::loadgen {

/// Every effective option of `config` as the report's settings snapshot: url, scenario,
/// connections, threads, duration_s, messages_per_connection, warmup_s, rate,
/// per_connection_rate, pipeline, message_size, message_type, connect_rate, connect_timeout_s,
/// max_connecting, drain_timeout_s, reply_timeout_s, ping_interval_s, headers, subprotocols,
/// origin, insecure, ca_file, source_ips, slo (the terms as written) and shard {index, count}.
/// Durations are seconds. The values of credential headers (Authorization,
/// Proxy-Authorization, Cookie) are "<redacted>" so reports can be shared.
report::LoadgenSettings settings_of(const Config& config);

/// settings_of() as the report's `config` JSON.
nlohmann::json config_to_json(const Config& config);

/// What errors are counted against: the messages sent plus the connections targeted. In the
/// broadcast scenario each expected delivery can fail (be lost), so the expected deliveries
/// replace the messages sent.
std::uint64_t error_attempts(const RunResult& result);

/// The error rate the report (`summary.error_rate`) and --slo share: total errors /
/// error_attempts(), a fraction. 0 when there were no errors; 1 when there were errors but no
/// attempts.
double error_rate(const RunResult& result);

/// The received messages per second of the measured window (0 when the window is empty).
double received_per_second(const RunResult& result);

/// The report of a run (issue 5, DESIGN §5), made at `created`: the envelope; `started` when
/// the window opened; `shard` (this process's part) with --shard, the config keeping the totals;
/// counters, throughput, histograms, timeline, every ErrorKind (zeros included), close codes,
/// generator health; `broadcast` {expected, lost, duplicated} in the broadcast scenario; `slo`
/// {terms, passed, breaches} when --slo was given; `fatal` when the run stopped early.
/// `config.threads` is the number of threads used when the option was 0 (one per core).
report::LoadgenReport to_report(const RunResult& result,
                                std::chrono::system_clock::time_point created);

/// to_report() made now, as JSON (valid against reports/loadgen.schema.json).
nlohmann::json build_report(const RunResult& result);

/// The fixed-width human summary of the run (report::summary_table of its report).
std::string summary_table(const RunResult& result);

}  // namespace wsb::loadgen
