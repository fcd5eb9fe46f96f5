// The common envelope of every wsbench report (DESIGN §5), its timestamps and the latency
// summaries every report uses. Pure: the creation time is passed in, nothing reads a clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "wsbench/histogram.hpp"

namespace wsb {

/// The wsbench version every tool reports (the CMake project version, e.g. "0.1.0").
std::string_view version() noexcept;

/// `t` as an RFC 3339 timestamp in UTC with milliseconds: "2024-05-01T12:34:56.789Z".
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);

/// Milliseconds since the Unix epoch as format_rfc3339_utc() writes them.
std::string format_rfc3339_utc_ms(std::int64_t unix_ms);

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp ("2024-05-01T12:34:56.789Z",
/// offsets allowed); nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339_ms(const std::string& text);

namespace report {

/// A report that does not hold what its schema says: the message names the JSON path and the
/// problem ("$.summary.messages.sent: expected a non-negative integer"). Thrown by from_json.
struct FormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The machine a report was made on.
struct Host {
    std::string hostname;
    std::string os;  ///< uname(2)'s sysname and release ("Linux 6.1.0-18-amd64")
    std::uint64_t cpus = 0;
};

/// This machine: fields that cannot be read are "" or 0, never an error.
Host host_info();

/// The common envelope of DESIGN §5 less `config`, which each tool's model holds: `schema`
/// (e.g. "wsbench.loadgen/1"), `tool` {name, version}, `created` (RFC 3339), `host`
/// {hostname, os, cpus}, `target` {url}, `interrupted`.
struct Envelope {
    std::string schema;
    std::string tool_name;
    std::string tool_version{version()};
    std::string created;  ///< RFC 3339, as written or read
    Host host;
    std::string target_url;
    bool interrupted = false;
};

/// The envelope of a report made now by this build on this machine: `created` is `created`
/// (the caller's clock read), `host` host_info(), `tool.version` version().
Envelope make_envelope(std::string_view schema, std::string_view tool_name,
                       std::string_view target_url, std::chrono::system_clock::time_point created,
                       bool interrupted);

/// Writes the envelope's keys into the object `j` (other keys are kept).
void to_json(nlohmann::json& j, const Envelope& envelope);
/// Reads the envelope's keys; `tool` may be absent in reports of older tools. Throws FormatError.
void from_json(const nlohmann::json& j, Envelope& envelope);

bool operator==(const Host& a, const Host& b);
bool operator==(const Envelope& a, const Envelope& b);

}  // namespace report

/// The summary of a latency histogram every report uses (DESIGN §5), in the histogram's unit
/// (microseconds in wsbench): {count, min, mean, stddev, p50, p75, p90, p95, p99, p99_9, p99_99,
/// max}. count, min, max and the percentiles are integers (HdrHistogram's highest equivalent
/// values, so they agree with any tool reading the encoded histogram); mean and stddev are
/// numbers. Every field is 0 for an empty histogram.
nlohmann::json latency_summary(const Histogram& histogram);

}  // namespace wsb
