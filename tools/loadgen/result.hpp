// What a run measured: the merged results of every worker, ready for the report and the
// summary table.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/config.hpp"
#include "wsbench/histogram.hpp"
#include "wsbench/report/loadgen.hpp"

namespace wsb::loadgen {

/// Nanoseconds since the run's time origin (steady clock).
using Ns = std::int64_t;

/// Failures counted by kind; every kind lands in the report's `errors` object.
enum class ErrorKind : std::uint8_t {
    connect,         ///< TCP connect failed or timed out
    tls,             ///< TLS handshake failed
    handshake,       ///< WebSocket opening handshake refused or malformed
    timeout,         ///< connect timeout, or replies that never came within the drain time
    read,            ///< read error (reset, EOF mid-frame)
    write,           ///< write error
    protocol,        ///< the server broke RFC 6455 (invalid frame, bad UTF-8, ...)
    closed_by_peer,  ///< the server closed the connection during the run
    unmatched,       ///< a reply whose marker matched nothing in flight
    lost,            ///< broadcast: a delivery that never arrived
    duplicated,      ///< broadcast: a delivery that arrived twice
    count_
};
inline constexpr std::size_t kErrorKinds = static_cast<std::size_t>(ErrorKind::count_);
static_assert(kErrorKinds == std::size(report::kLoadgenErrorKinds),
              "every ErrorKind is named in the report's kLoadgenErrorKinds, in enum order");
/// The kind's name in reports (report::kLoadgenErrorKinds).
const char* to_string(ErrorKind k) noexcept;

using ErrorCounts = std::array<std::uint64_t, kErrorKinds>;

/// One second of the measured window and one worker thread's health: the report model's own
/// types, filled by the workers and the monitor.
using TimelinePoint = report::TimelinePoint;
using ThreadHealth = report::ThreadHealth;

struct RunResult {
    Config config;

    std::uint64_t connections_target = 0;
    std::uint64_t connections_established = 0;
    std::uint64_t connections_failed = 0;
    /// From the first connect started to the last connection open or failed (0: unknown).
    double ramp_s = 0;

    std::uint64_t messages_sent = 0;      ///< in the measured window (after warmup)
    std::uint64_t messages_received = 0;  ///< replies (echo) or deliveries (broadcast)
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    double duration_s = 0;  ///< the measured window
    /// Wall-clock time the measured window started (timeline t_s counts from here), so reports
    /// from several hosts align; unset when the window never opened.
    std::optional<std::chrono::system_clock::time_point> started;

    Histogram latency;              ///< µs; corrected from the intended send time (open loop)
    Histogram latency_uncorrected;  ///< µs; from the actual send time
    Histogram connect;              ///< µs; TCP connect
    Histogram handshake;            ///< µs; WebSocket opening handshake (after TCP/TLS)
    Histogram schedule_lag;         ///< µs; actual minus intended send time (open loop)

    std::vector<TimelinePoint> timeline;
    ErrorCounts errors{};
    std::map<std::uint16_t, std::uint64_t> close_codes;  ///< codes the server closed with

    std::vector<ThreadHealth> threads;
    std::vector<std::string> warnings;  ///< e.g. the generator, not the target, was saturated

    /// Scenario files (--scenario FILE): the named steps and the sessions, as in the report.
    std::map<std::string, report::StepReport> steps;
    std::optional<report::SessionCounts> sessions;

    /// --deflate: negotiated connections, the first one's parameters, bytes before and after.
    report::DeflateCounts deflate;

    std::uint64_t broadcast_expected = 0;  ///< broadcast: deliveries that should have arrived
    bool interrupted = false;              ///< stopped by SIGINT/SIGTERM
    std::string fatal;                     ///< why the run could not go on, if it stopped early

    std::uint64_t total_errors() const {
        std::uint64_t n = 0;
        for (auto e : errors) n += e;
        return n;
    }
};

}  // namespace wsb::loadgen
