// The "wsbench.loadgen/1" report (reports/loadgen.schema.json) as a model: what wsbench-loadgen
// writes, what wsbench-report reads, merges, compares and renders, with one to_json/from_json.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "wsbench/histogram.hpp"
#include "wsbench/report/envelope.hpp"

namespace wsb::report {

/// The schema identifier of loadgen reports.
inline constexpr const char* kLoadgenSchema = "wsbench.loadgen/1";
/// The tool name in the envelope of a report the load generator wrote.
inline constexpr const char* kLoadgenTool = "wsbench-loadgen";

/// The error kinds every loadgen report lists (zeros included), in the order the human summary
/// prints them: connect, tls, handshake, timeout, read, write, protocol, closed_by_peer,
/// unmatched, lost, duplicated.
inline constexpr const char* kLoadgenErrorKinds[] = {
    "connect",        "tls",       "handshake", "timeout",    "read", "write", "protocol",
    "closed_by_peer", "unmatched", "lost",      "duplicated",
};

/// The error kinds of a scenario file's step (steps.<name>.errors lists them, zeros included):
/// capture, timestamp, template.
inline constexpr const char* kStepErrorKinds[] = {"capture", "timestamp", "template"};

/// A request header of the run; credential values are already "<redacted>".
struct HeaderSetting {
    std::string name;
    std::string value;
};

/// --shard I/N: shard `index` of `count` (count 1: not sharded).
struct ShardId {
    std::uint64_t index = 0;
    std::uint64_t count = 1;
};

/// --deflate: the permessage-deflate offer every connection made (RFC 7692 §7.1), config.deflate.
struct DeflateOffered {
    std::string offer;  ///< the Sec-WebSocket-Extensions element sent
    bool client_no_context_takeover = false;
    bool server_no_context_takeover = false;
    std::uint64_t client_max_window_bits = 0;  ///< 8-15; 0: offered without a value
    std::uint64_t server_max_window_bits = 0;  ///< 8-15; 0: not offered
};

/// The permessage-deflate parameters a server agreed to (RFC 7692 §7.1).
struct DeflateAgreed {
    bool client_no_context_takeover = false;
    bool server_no_context_takeover = false;
    std::uint64_t client_max_window_bits = 15;  ///< our compressor's window
    std::uint64_t server_max_window_bits = 15;  ///< the server's compressor's window
};

/// What compression did in a --deflate run (the report's `deflate`). Bytes count the messages
/// that the report's messages.sent and messages.received count: `bytes` is the payload before
/// compression (after inflating, received), `wire_bytes` the frame payload bytes on the wire.
/// The ratios (wire / payload) and the generator's CPU per message are derived by to_json.
struct DeflateCounts {
    std::uint64_t connections = 0;        ///< connections that negotiated permessage-deflate
    std::optional<DeflateAgreed> agreed;  ///< the first such connection's parameters
    std::uint64_t sent_bytes = 0;
    std::uint64_t sent_wire_bytes = 0;
    std::uint64_t received_bytes = 0;
    std::uint64_t received_wire_bytes = 0;
};

/// A snapshot of the run's settings: the report's `config` section, every effective option
/// as the report prints it (durations in seconds). Not the load generator's CLI Config.
struct LoadgenSettings {
    std::string url;
    std::string scenario = "echo";  ///< echo, broadcast, connect, or "file" (a scenario file)
    std::string scenario_file;      ///< --scenario FILE: the file's path; "" for the built-ins
    std::uint64_t connections = 0;  ///< total of the whole run (every shard)
    std::uint64_t threads = 0;      ///< threads used
    double duration_s = 0;
    std::uint64_t messages_per_connection = 0;  ///< -n; 0: no limit
    double warmup_s = 0;
    double rate = 0;  ///< total messages/s; 0: closed loop
    double per_connection_rate = 0;
    std::uint64_t pipeline = 1;
    std::optional<std::uint64_t> stall;  ///< --stall (broadcast slow consumers), when given
    std::optional<double> coalesce_s;    ///< --coalesce, when above 0
    std::uint64_t message_size = 0;
    std::string message_type = "binary";  ///< binary or text
    double connect_rate = 0;              ///< 0: unlimited
    double connect_timeout_s = 0;
    std::optional<std::uint64_t> max_connecting;  ///< absent in reports before it existed
    std::optional<double> drain_timeout_s;        ///< absent in older reports
    std::optional<double> reply_timeout_s;        ///< absent in older reports
    double ping_interval_s = 0;
    std::vector<HeaderSetting> headers;
    std::vector<std::string> subprotocols;
    std::string origin;
    bool insecure = false;
    std::string ca_file;
    std::vector<std::string> source_ips;
    std::vector<std::string> slo;           ///< --slo terms as written
    std::optional<ShardId> shard;           ///< absent in merged reports
    std::optional<DeflateOffered> deflate;  ///< --deflate
    std::string payload_file;               ///< --payload-file; "" when none
    std::string payload_order;              ///< --payload-order with a file: "order" or "random"
};

/// This process's part of a --shard run (the report's top-level `shard` section).
struct ShardPart {
    std::uint64_t index = 0;
    std::uint64_t count = 2;
    std::uint64_t first_connection = 0;  ///< global id of the shard's first connection
    std::uint64_t connections = 0;
    double rate = 0;
    double connect_rate = 0;
};

/// One second of the measured window (t_s counts from `started`).
struct TimelinePoint {
    double t_s = 0;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t connections = 0;  ///< open at the end of the second
    std::uint64_t errors = 0;
    std::uint64_t p50_us = 0;  ///< of the latencies recorded in that second
    std::uint64_t p99_us = 0;
    /// That second's latencies, HdrHistogram V2 compressed base64, so merges recompute p50/p99
    /// exactly; empty when the point carries none (older reports). from_json checks it decodes.
    std::string histogram;
};

/// One worker thread's health.
struct ThreadHealth {
    std::uint64_t index = 0;
    double cpu_s = 0;  ///< CPU time the thread used
    std::uint64_t connections = 0;
    /// The loop that ran its connections: "epoll" (the loadgen's own, plain TCP) or "asio"
    /// (wss://, WSBENCH_LOADGEN_IO=asio); empty in older reports.
    std::string event_loop;
    /// CPU time the thread used in the window: warmup and summary.duration_s (a scenario file:
    /// until its last session ended); absent when the window never opened, and in older reports.
    std::optional<double> window_cpu_s;
};

/// Broadcast deliveries that should have arrived, and those lost or duplicated.
struct BroadcastCounts {
    std::uint64_t expected = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
};

/// The --slo verdict of the run.
struct SloVerdict {
    std::vector<std::string> terms;
    bool passed = true;
    std::vector<std::string> breaches;
};

/// A scenario file's named step, an expect's or a listen rule's: the report's steps.<name>.
struct StepReport {
    std::string kind = "expect";  ///< "expect" (request/reply) or "listen" (pushes)
    std::uint64_t count = 0;      ///< matched replies (expect) or messages taken (listen)
    std::uint64_t timeouts = 0;   ///< expects that saw no match within their timeout
    /// By kind, zeros included: "capture" (a capture found nothing in the match), "timestamp"
    /// (listen: no integer at sent_at), "template" (a render of the step failed).
    std::map<std::string, std::uint64_t> errors;
    /// Messages that arrived while this expect was the oldest one waiting and that nothing
    /// took (no expect, no listen rule).
    std::uint64_t unmatched = 0;
    Histogram latency;              ///< µs; from the intended send time in a rate loop
    Histogram latency_uncorrected;  ///< µs; from the actual send time
    /// The sum of `errors`.
    std::uint64_t error_total() const;
};

/// The sessions of a scenario-file run: the report's `sessions`.
struct SessionCounts {
    std::uint64_t started = 0;
    std::uint64_t completed = 0;        ///< ran to their end (the last step or a close step)
    std::uint64_t failed = 0;           ///< the connection failed or was lost before the end
    std::uint64_t cut = 0;              ///< still running when the run ended (drain, signal)
    std::uint64_t unmatched = 0;        ///< messages no expect and no listen rule took
    std::uint64_t template_errors = 0;  ///< renders that failed (e.g. division by zero)
    /// Sessions a protocol error ended (they are among `failed`), by the error's description.
    std::map<std::string, std::uint64_t> errors;
    Histogram start_lag;  ///< µs; open model: actual minus intended start
};

/// One report a merged report was made from.
struct MergeSource {
    std::string file;
    std::string hostname;
    std::string created;
    std::string started;           ///< "" when that report had none
    std::optional<ShardId> shard;  ///< when it was a shard of a --shard run
};

/// The `merged` section of wsbench-report merge's output.
struct MergeInfo {
    std::uint64_t inputs = 0;
    std::vector<MergeSource> sources;
    /// Shards of one --shard run: N, and which were merged and missing.
    struct Shards {
        std::uint64_t count = 0;
        std::vector<std::uint64_t> merged;
        std::vector<std::uint64_t> missing;
    };
    std::optional<Shards> shards;
};

/// One step of a capacity search (--find-max): a run at `value` with its own counters and
/// histograms, and its verdict.
struct CapacityStep {
    double value = 0;              ///< messages/s (rate) or connections
    bool passed = false;           ///< every --slo term held and every connection opened
    bool generator_bound = false;  ///< the generator's health check warned: not the target's limit
    double generator_cpu = 0;      ///< the busiest worker thread's share of a core, loaded time
    std::vector<std::string> breaches;  ///< what failed (--slo terms, connections, early stop)
    std::vector<std::string> warnings;  ///< the run's warnings (the generator's health)
    std::string fatal;                  ///< why the step's run stopped early; ""
    double duration_s = 0;              ///< the measured window
    std::uint64_t connections_target = 0;
    std::uint64_t connections_established = 0;
    std::uint64_t connections_failed = 0;
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
    std::map<std::string, std::uint64_t> errors;  ///< by kind, the non-zero ones
    double error_rate = 0;                        ///< as summary.error_rate
    Histogram latency;                            ///< µs, corrected
    Histogram latency_uncorrected;                ///< µs
    /// Received messages per second of the window (0 when empty).
    double received_per_s() const;
    double sent_per_s() const;
    std::uint64_t total_errors() const;
};

/// The `capacity` section of a search's report: its parameters, every step, the result.
struct CapacityReport {
    std::string mode = "rate";  ///< "rate" or "connections"
    double start = 0;
    double max = 0;        ///< 0: no cap
    double step = 0;       ///< connections: added each step; 0: doubling
    double precision = 0;  ///< a fraction
    double step_duration_s = 0;
    double warmup_s = 0;
    std::vector<std::string> slo;  ///< the terms as written
    std::vector<CapacityStep> steps;
    bool found = false;                     ///< a capacity was found (within precision, or the cap)
    std::optional<double> highest_passing;  ///< the capacity when found
    std::optional<double> first_failing;
    /// precision, max_reached, first_step_failed, generator_bound, unreachable, interrupted
    std::string stop;
    std::string detail;  ///< why it stopped, a sentence
};

/// Everything a "wsbench.loadgen/1" report holds. The latency summaries (`latency_us`, ...),
/// summary.errors, summary.error_rate, summary.connections.opened_per_s and generator.cpu_s are
/// not stored: to_json derives them from the histograms and counters, as the writers always did.
struct LoadgenReport {
    Envelope envelope;  ///< schema kLoadgenSchema; tool kLoadgenTool or "wsbench-report"
    LoadgenSettings config;
    std::optional<std::int64_t> started_ms;  ///< window start, Unix milliseconds
    std::optional<ShardPart> shard;

    struct Connections {
        std::uint64_t target = 0;
        std::uint64_t established = 0;
        std::uint64_t failed = 0;
        double ramp_s = 0;  ///< first connect started to last open or failed (0: unknown)
    } connections;
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    double duration_s = 0;  ///< the measured window
    double sent_per_s = 0;  ///< summary.throughput, as recorded (a merge sums its inputs')
    double received_per_s = 0;

    Histogram latency;                      ///< µs, corrected for coordinated omission
    Histogram latency_uncorrected;          ///< µs, from the actual send time
    Histogram connect;                      ///< µs, TCP connect
    Histogram handshake;                    ///< µs, opening handshake
    std::optional<Histogram> schedule_lag;  ///< µs; absent in older reports

    std::vector<TimelinePoint> timeline;
    std::map<std::string, std::uint64_t> errors;  ///< by kind (kLoadgenErrorKinds and others)
    std::map<std::uint16_t, std::uint64_t> close_codes;

    std::vector<ThreadHealth> threads;
    std::vector<std::string> warnings;

    std::optional<BroadcastCounts> broadcast;  ///< the broadcast scenario
    std::optional<DeflateCounts> deflate;      ///< --deflate
    std::map<std::string, StepReport> steps;   ///< scenario files: by step name
    std::optional<SessionCounts> sessions;     ///< scenario files
    std::optional<SloVerdict> slo;             ///< when --slo was given
    std::string fatal;                         ///< why the run stopped early; "" when it did not
    std::optional<MergeInfo> merged;           ///< in the output of wsbench-report merge
    /// --find-max: the search; the rest of the report is its highest passing step (else its last)
    std::optional<CapacityReport> capacity;

    /// The sum of `errors`.
    std::uint64_t total_errors() const;
    /// What errors are counted against: the messages sent (in broadcast, the expected
    /// deliveries) plus the connections targeted.
    std::uint64_t error_attempts() const;
    /// total_errors() / error_attempts(): 0 without errors, 1 with errors but no attempts.
    double error_rate() const;
    /// `errors[kind]`, 0 when absent.
    std::uint64_t error_count(const std::string& kind) const;
    /// True when every timeline point carries its histogram (and there is a timeline).
    bool has_timeline_histograms() const;
};

/// errors / attempts as the report and --slo share it: 0 without errors, 1 with errors but no
/// attempts.
double error_rate_of(std::uint64_t errors, std::uint64_t attempts);

/// The whole report, valid against reports/loadgen.schema.json; keys sorted (nlohmann).
void to_json(nlohmann::json& j, const LoadgenReport& report);
/// Reads a report, checking every field it uses. Throws FormatError naming the JSON path
/// ("$.summary.messages.sent: expected a non-negative integer") for a missing or mistyped
/// field and a histogram that does not decode. Fields older writers did not write are optional.
void from_json(const nlohmann::json& j, LoadgenReport& report);

void to_json(nlohmann::json& j, const LoadgenSettings& settings);
void from_json(const nlohmann::json& j, LoadgenSettings& settings);
void to_json(nlohmann::json& j, const TimelinePoint& point);
void to_json(nlohmann::json& j, const ThreadHealth& thread);

/// Member-wise equality (histograms compare by their counts), for round-trip checks.
bool operator==(const HeaderSetting& a, const HeaderSetting& b);
bool operator==(const ShardId& a, const ShardId& b);
bool operator==(const ShardPart& a, const ShardPart& b);
bool operator==(const TimelinePoint& a, const TimelinePoint& b);
bool operator==(const ThreadHealth& a, const ThreadHealth& b);
bool operator==(const BroadcastCounts& a, const BroadcastCounts& b);
bool operator==(const DeflateOffered& a, const DeflateOffered& b);
bool operator==(const DeflateAgreed& a, const DeflateAgreed& b);
bool operator==(const DeflateCounts& a, const DeflateCounts& b);
bool operator==(const StepReport& a, const StepReport& b);
bool operator==(const SessionCounts& a, const SessionCounts& b);
bool operator==(const SloVerdict& a, const SloVerdict& b);
bool operator==(const MergeSource& a, const MergeSource& b);
bool operator==(const MergeInfo::Shards& a, const MergeInfo::Shards& b);
bool operator==(const MergeInfo& a, const MergeInfo& b);
bool operator==(const CapacityStep& a, const CapacityStep& b);
bool operator==(const CapacityReport& a, const CapacityReport& b);
bool operator==(const LoadgenReport::Connections& a, const LoadgenReport::Connections& b);
bool operator==(const LoadgenSettings& a, const LoadgenSettings& b);
bool operator==(const LoadgenReport& a, const LoadgenReport& b);

/// The fixed-width human summary of a report, in the spirit of wrk and h2load: target,
/// scenario, window, connections, messages, bytes and rates, a latency table (corrected and
/// uncorrected: min, p50, p90, p99, p99.9, max, mean), connect and handshake p50/p99; for a
/// scenario file a row per step (name, kind, count, timeouts, errors, corrected p50/p99/p99.9
/// and uncorrected p99) and a sessions row (started, completed, failed, cut, start lag p99);
/// non-zero errors by kind, close codes, warnings, and why the run stopped when it was interrupted
/// or failed. A capacity search's report starts with its table of steps and result, then the
/// rest for the highest passing step. Printed by wsbench-loadgen after a run and by
/// `wsbench-report summary`. Ends with a newline.
std::string summary_table(const LoadgenReport& report);

}  // namespace wsb::report
