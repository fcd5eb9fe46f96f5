// The common envelope of every wsbench report (DESIGN §5), latency summaries, and writing reports.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "wsbench/error.hpp"
#include "wsbench/histogram.hpp"

namespace wsb {

/// The wsbench version every tool reports (the CMake project version, e.g. "0.1.0").
std::string_view version() noexcept;

/// `t` as an RFC 3339 timestamp in UTC with milliseconds: "2024-05-01T12:34:56.789Z".
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);

/// The machine a report was made on: {hostname, os, cpus}. `os` is uname(2)'s sysname and
/// release ("Linux 6.1.0-18-amd64"); `cpus` the online processors. Fields that cannot be
/// read are "" or 0, never an error.
nlohmann::json host_info();

/// The common envelope of DESIGN §5: `schema` (e.g. "wsbench.loadgen/1"), `tool` {name,
/// version()}, `created` (now, RFC 3339 UTC with milliseconds), `host` (host_info()), `target`
/// {url}, `config` (every effective option, as the tool passes it), `interrupted`. Tools then
/// add their own sections to the returned object (nlohmann::json writes keys sorted).
nlohmann::json make_envelope(std::string_view schema, std::string_view tool_name,
                             std::string_view target_url, const nlohmann::json& config,
                             bool interrupted);

/// The summary of a latency histogram every report uses (DESIGN §5), in the histogram's unit
/// (microseconds in wsbench): {count, min, mean, stddev, p50, p75, p90, p95, p99, p99_9, p99_99,
/// max}. count, min, max and the percentiles are integers (HdrHistogram's highest equivalent
/// values, so they agree with any tool reading the encoded histogram); mean and stddev are
/// numbers. Every field is 0 for an empty histogram.
nlohmann::json latency_summary(const Histogram& histogram);

/// Writes `report` as pretty JSON (two-space indent, a final newline) to `path`, or to stdout
/// when `path` is "-". A regular file is replaced atomically: the JSON goes to a temporary file
/// beside it, is flushed to disk, then renamed over `path`, so readers never see half a report
/// (through a symlink, its target is replaced). Existing non-regular files (/dev/stdout, a
/// FIFO) are written in place. Strings that are not valid UTF-8 are written with U+FFFD in
/// place of the bad bytes rather than failing.
/// Returns Errc::ok, or Errc::io_error when the file cannot be created, written or renamed (no
/// temporary file is left behind); `detail`, when given, then receives a message naming the
/// file and the system error ("cannot create /x/r.json.tmp.42: No such file or directory").
Errc write_report(const nlohmann::json& report, const std::string& path,
                  std::string* detail = nullptr);

/// `s` made safe as XML 1.0 or HTML text and attribute values: & < > " ' escaped, control
/// characters other than tab and newline dropped (XML 1.0 allows none), and, when `s` is not
/// valid UTF-8, every byte above 0x7F replaced by '?' so the document stays well-formed.
/// Used by every report writer (JUnit XML, HTML pages).
std::string escape_markup(const std::string& s);

}  // namespace wsb
