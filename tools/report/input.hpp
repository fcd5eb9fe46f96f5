// Reading report files for wsbench-report: which kind of report a file is, checked field by
// field, with messages that name the file and the JSON path at fault.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "result.hpp"
#include "wsbench/histogram.hpp"

namespace wsb::report {

/// Bad input: an unreadable file, malformed JSON, a report of another schema or a newer
/// version, a field of the wrong type, an undecodable histogram, reports that cannot be
/// combined. The message names the file and the problem; the tool exits 2 (DESIGN §4).
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The kinds of file wsbench-report reads.
enum class ReportKind {
    loadgen,      ///< "wsbench.loadgen/1" (reports/loadgen.schema.json)
    conformance,  ///< "wsbench.conformance/1", the conformance runner's report
    autobahn,     ///< Autobahn testsuite's index.json: agent -> case id -> result
};

/// "loadgen", "conformance", "autobahn".
const char* to_string(ReportKind kind) noexcept;

/// A parsed report file of any kind.
struct Input {
    std::string path;  ///< as given on the command line
    ReportKind kind = ReportKind::loadgen;
    nlohmann::json doc;
};

/// Reads and parses `path` ("-" for stdin) and tells its kind from the `schema` field, or from
/// the shape of an Autobahn index.json. Throws InputError for an unreadable file, malformed or
/// truncated JSON, a missing or unknown schema, or a newer version of a known one.
Input read_input(const std::string& path);

/// read_input() on text already read; `path` names it in messages. (The fuzz target's entry.)
Input parse_input(const std::string& path, std::string_view text);

/// The parts of a "wsbench.loadgen/1" report that compare, merge and html use, checked.
struct LoadgenReport {
    std::string path;
    nlohmann::json doc;               ///< the whole report, as read
    loadgen::RunResult run;           ///< counters, histograms, timeline, config (as far as used)
    std::string created;              ///< envelope `created`
    std::string hostname;             ///< envelope host.hostname
    std::string os;                   ///< envelope host.os
    std::uint64_t cpus = 0;           ///< envelope host.cpus
    std::string target_url;           ///< envelope target.url
    std::uint64_t merged_inputs = 0;  ///< merged.inputs of a merged report, else 0
    /// Wall-clock start of the measured window (`started`, newer reports): timeline t_s
    /// counts from here. Milliseconds since the Unix epoch.
    std::optional<std::int64_t> started_ms;
    /// Per-second latency histograms of the timeline (`timeline[].histogram`, newer reports);
    /// empty when any entry lacks one.
    std::vector<Histogram> timeline_histograms;
    double received_per_s = 0;      ///< summary.throughput.received_per_s, as recorded
    bool has_schedule_lag = false;  ///< histograms.schedule_lag present
    std::uint64_t shard_index = 0;  ///< config.shard.index (0 without --shard)
    std::uint64_t shard_count = 1;  ///< config.shard.count (1 without --shard)
};

/// Checks `input` as a loadgen report and decodes it. Throws InputError naming the file and
/// the JSON path ("base.json: $.summary.messages.sent: expected a non-negative integer") for
/// a missing or mistyped field and for a histogram that does not decode.
LoadgenReport to_loadgen(const Input& input);

/// read_input() then to_loadgen(); InputError when the file is not a loadgen report.
LoadgenReport read_loadgen(const std::string& path);

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp ("2024-05-01T12:34:56.789Z",
/// offsets allowed); nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339_ms(const std::string& text);

}  // namespace wsb::report
