// The live metrics' outlets (issue 18): GET /metrics on a listener of its own thread
// (--metrics-listen), pushes to a Prometheus Pushgateway (--metrics-push), and the live
// dashboard (--dashboard, dashboard.hpp). The coordinator publishes an immutable text snapshot
// and the dashboard's event once a second; the workers are never involved.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <thread>

#include "loadgen/config.hpp"
#include "loadgen/dashboard.hpp"
#include "loadgen/metrics.hpp"

namespace wsb::loadgen {

/// An http:// URL split for a request: host, port (80 by default), path ("" for none).
struct HttpTarget {
    std::string host;
    std::uint16_t port = 80;
    std::string path;
};
/// Parses `http://host[:port][/path]` (a trailing '/' dropped); false with `why` set otherwise.
bool parse_http_target(const std::string& url, HttpTarget& out, std::string& why);
/// The Pushgateway path of a shard's group: PATH/metrics/job/wsbench-loadgen/shard/N.
std::string push_path(const HttpTarget& gateway, std::uint64_t shard);

/// Splits "HOST:PORT" ("[::1]:PORT" for IPv6); false with `why` set otherwise.
bool parse_host_port(const std::string& text, std::string& host, std::uint16_t& port,
                     std::string& why);

/// One HTTP request to `target` with `body`, answered within `timeout`: "" when the answer
/// is 2xx, else what went wrong ("connect: Connection refused", "HTTP 400: ...").
std::string http_send(const HttpTarget& target, const std::string& method, const std::string& path,
                      const std::string& body, std::chrono::milliseconds timeout);

/// The run's live metrics: snapshots in, /metrics and pushes out.
class MetricsService {
  public:
    /// Starts the listener of --metrics-listen (announcing `metrics on http://HOST:PORT/metrics`
    /// on `err`), the pusher of --metrics-push and the --dashboard. Throws std::runtime_error
    /// when a listener cannot bind.
    MetricsService(const Config& config, std::ostream& err);
    ~MetricsService();
    MetricsService(const MetricsService&) = delete;
    MetricsService& operator=(const MetricsService&) = delete;

    /// The labels of the run (its run config: this shard's share), and the zero snapshot.
    void begin(const Config& run_config);
    /// A new snapshot of the run's totals (the coordinator, once a second; and once at the end
    /// with `running` false, from the merged result).
    void publish(const LiveCounters& totals, bool running);
    /// True with --dashboard: second() and the rest go somewhere.
    bool dashboard() const { return dashboard_ != nullptr; }
    /// A second of the run for the dashboard, with the totals last published.
    void second(const LiveSecond& s);
    /// A finished step of a capacity search for the dashboard.
    void capacity_step(const LiveCapacityStep& step);
    /// The run's report (as written to `path`, "" or "-" for none or stdout): the dashboard
    /// serves its HTML page (what `wsbench-report html PATH` makes) and announces the end.
    void report(const nlohmann::json& report, const std::string& path);
    /// After the run: the last push, then /metrics and the dashboard served for
    /// --metrics-linger (or until `interrupt`), then everything stopped.
    void finish(const std::atomic<bool>& interrupt);

    /// The port /metrics listens on (0 without --metrics-listen).
    std::uint16_t port() const { return port_; }
    /// The snapshot served now.
    std::shared_ptr<const std::string> snapshot() const;

  private:
    struct Listener;
    void push_loop();
    void push_now();

    const Config& config_;
    std::ostream& err_;
    LiveLabels labels_;
    mutable std::mutex mutex_;
    std::shared_ptr<const std::string> text_;  ///< guarded by mutex_
    std::unique_ptr<Listener> listener_;
    std::uint16_t port_ = 0;
    // The pusher.
    HttpTarget gateway_;
    std::string push_path_;
    std::thread pusher_;
    std::condition_variable wake_;
    bool over_ = false;          ///< the final snapshot was published; guarded by mutex_
    bool stopping_ = false;      ///< guarded by mutex_
    bool push_failing_ = false;  ///< the last push failed (warn once per failing streak)
    // The dashboard (coordinator only).
    std::unique_ptr<Dashboard> dashboard_;
    LiveCounters totals_;  ///< as last published
};

}  // namespace wsb::loadgen
