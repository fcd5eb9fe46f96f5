// The load generator's outputs: the "wsbench.loadgen/1" JSON report and the human summary table.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "config.hpp"
#include "result.hpp"

namespace wsb::loadgen {

/// The schema identifier of loadgen reports (reports/loadgen.schema.json describes it).
inline constexpr const char* kReportSchema = "wsbench.loadgen/1";
/// The tool name in the report envelope.
inline constexpr const char* kToolName = "wsbench-loadgen";

/// Every effective option of `config` as the report's `config` section: url, scenario,
/// connections, threads, duration_s, messages_per_connection, warmup_s, rate,
/// per_connection_rate, pipeline, message_size, message_type, connect_rate, connect_timeout_s,
/// drain_timeout_s, ping_interval_s, headers ([{name, value}]), subprotocols, origin, insecure,
/// ca_file, source_ips, slo (the terms as written) and shard {index, count}. Durations are seconds.
/// The values of credential headers (Authorization, Proxy-Authorization, Cookie) are written as
/// "<redacted>" so reports can be shared.
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

/// One second of the timeline: {t_s, sent, received, connections, errors, p50_us, p99_us}, and
/// `histogram` (that second's latencies, HdrHistogram V2 base64) when the point carries one.
void to_json(nlohmann::json& j, const TimelinePoint& point);

/// One worker thread's health: {index, cpu_s, connections}.
void to_json(nlohmann::json& j, const ThreadHealth& thread);

/// The "wsbench.loadgen/1" report of a run (issue 5, DESIGN §5): the envelope (make_envelope)
/// then `scenario`; `started` (RFC 3339 wall-clock start of the measured window) when known;
/// `shard` {index, count, first_connection, connections, rate, connect_rate} with --shard
/// (config keeps the totals and config.shard {index, count}); `summary` {connections {target,
/// established, failed}, messages {sent, received}, bytes {sent, received}, duration_s, throughput
/// {sent_per_s, received_per_s}, errors (total), error_rate}; `latency_us`,
/// `latency_uncorrected_us`, `connect_latency_us`, `handshake_latency_us` (latency_summary);
/// `histograms` {latency, latency_uncorrected, connect, handshake, schedule_lag} (HdrHistogram V2
/// compressed base64); `timeline`
/// [{t_s, sent, received, connections, errors, p50_us, p99_us}]; `errors` (every ErrorKind
/// name, zeros included); `close_codes` {"1000": n, ...}; `generator` {threads [{index, cpu_s,
/// connections}], cpu_s, schedule_lag_us, warnings}; `broadcast` {expected, lost, duplicated}
/// in the broadcast scenario; `slo` {terms, passed, breaches} when --slo was given; `fatal`
/// when the run stopped early. `config.threads` is the number of threads used when the option
/// was 0 (one per core).
nlohmann::json build_report(const RunResult& result);

/// The fixed-width human summary printed on stdout at the end of a run, in the spirit of wrk
/// and h2load: target, scenario, window, connections, messages, bytes and rates, a latency
/// table (corrected and uncorrected: min, p50, p90, p99, p99.9, max, mean), connect and
/// handshake p50/p99, non-zero errors by kind, close codes, warnings, and why the run stopped
/// when it was interrupted or failed. Ends with a newline.
std::string summary_table(const RunResult& result);

}  // namespace wsb::loadgen
