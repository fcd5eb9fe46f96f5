// The live dashboard of --dashboard (issue 18): one self-contained page that draws the run as it
// goes from server-sent events, and the run's HTML report at the end. It runs on a listener
// thread of its own; the coordinator hands it an event once a second and never waits on it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "loadgen/config.hpp"
#include "loadgen/metrics.hpp"
#include "wsbench/report/loadgen.hpp"

namespace wsb::loadgen {

struct CapacityStepRun;

/// A finished step of a capacity search (--find-max) as the dashboard draws it.
struct LiveCapacityStep {
    std::size_t number = 0;  ///< 1 for the first step run
    double value = 0;        ///< messages/s (rate) or connections
    double throughput = 0;   ///< messages received per second of the step's window
    std::uint64_t p50_us = 0;
    std::uint64_t p99_us = 0;
    std::string verdict;  ///< pass, fail, generator_bound, unreachable, interrupted
};

/// Step `number` of a search as the dashboard shows it (dashboard_events.cpp).
LiveCapacityStep live_capacity_step(std::size_t number, const CapacityStepRun& step);

// The events of /events (dashboard_events.cpp): each a JSON object, docs/loadgen.md "Live
// dashboard" lists their fields.

/// One server-sent event: `event: NAME`, `data: JSON` (one line), a blank line.
std::string sse_event(std::string_view name, const nlohmann::json& data);
/// `hello`, the first event a client gets: what runs (title, target, scenario, steps, search).
nlohmann::json hello_event(const Config& config);
/// `second`: one second's rates, connections, errors and latency, and the run's totals so far.
nlohmann::json second_event(double t_s, const LiveSecond& s, const LiveCounters& totals);
/// `step`: a finished step of a capacity search.
nlohmann::json capacity_step_event(const LiveCapacityStep& step);
/// `end`: the report is written; its numbers (the JSON report's) and the HTML report's URL.
nlohmann::json end_event(const report::LoadgenReport& r, const std::string& report_url);

/// The page at / (dashboard_page.cpp): inline CSS (the HTML report's) and JS, no other resource.
std::string dashboard_page(const std::string& title);

struct DashboardServer;

/// The dashboard's listener: GET / (the page), GET /events (text/event-stream: the history so
/// far, then each event as it comes), GET /report.html (503 until the end); 404 and 405
/// otherwise. A client whose unsent events pass a bound is dropped, so none can hold up the
/// coordinator or grow the process.
class Dashboard {
  public:
    /// Listens on config.dashboard and announces `dashboard on http://HOST:PORT/` on `err`.
    /// Throws std::runtime_error when it cannot listen.
    Dashboard(const Config& config, std::ostream& err);
    ~Dashboard();
    Dashboard(const Dashboard&) = delete;
    Dashboard& operator=(const Dashboard&) = delete;

    /// A second of the run (the coordinator, once a second).
    void second(const LiveSecond& s, const LiveCounters& totals);
    /// A finished step of a capacity search.
    void capacity_step(const LiveCapacityStep& step);
    /// The end: `report_html` served at /report.html from now on, and the `end` event.
    void end(std::string report_html, const report::LoadgenReport& r);

    std::uint16_t port() const { return port_; }

  private:
    void post(std::string frame, std::shared_ptr<const std::string> report = nullptr);

    std::unique_ptr<DashboardServer> server_;
    std::uint16_t port_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace wsb::loadgen
