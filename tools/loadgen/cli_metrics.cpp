// The live metrics options of wsbench-loadgen (issue 18): --metrics-listen, --metrics-linger,
// --metrics-push, --metrics-push-interval and --dashboard.
#include <cxxopts.hpp>
#include <string>

#include "loadgen/cli.hpp"
#include "loadgen/metrics_server.hpp"

namespace wsb::loadgen {

using cli::UsageError;

void add_metrics_options(cxxopts::Options& options) {
    // clang-format off
    options.add_options("Metrics")
        ("metrics-listen", "serve live Prometheus metrics at http://HOST:PORT/metrics from the start of "
                           "the run until the process exits (port 0: any free port, announced on stderr)", cxxopts::value<std::string>(), "HOST:PORT")
        ("metrics-linger", "keep serving /metrics and the --dashboard this long after the run, so a "
                           "scraper gets the final values and a browser the report (SIGINT ends it early)",
                           cxxopts::value<std::string>()->default_value("0"), "TIME")
        ("metrics-push", "push the same metrics to this Prometheus Pushgateway (http://HOST:PORT) every "
                         "--metrics-push-interval and at the end, as job wsbench-loadgen, shard I; "
                         "a failed push is a warning", cxxopts::value<std::string>(), "URL")
        ("metrics-push-interval", "time between pushes", cxxopts::value<std::string>()->default_value("10s"), "TIME")
        ("dashboard", "serve a live dashboard at http://HOST:PORT/ (port 0: any free port, announced on "
                      "stderr): charts that fill each second, a --find-max search's knee, and at the end "
                      "the HTML report at /report.html; self-contained, loads nothing from elsewhere",
                      cxxopts::value<std::string>(), "HOST:PORT");
    // clang-format on
}

void read_metrics(const cli::Values& v, Config& c) {
    std::string why;
    if (v.given("metrics-listen")) {
        c.metrics_listen = v.text("metrics-listen");
        std::string host;
        std::uint16_t port = 0;
        if (!parse_host_port(c.metrics_listen, host, port, why)) {
            throw UsageError{cli::quoted("--metrics-listen", c.metrics_listen) + ": " + why};
        }
    }
    if (v.given("dashboard")) {
        c.dashboard = v.text("dashboard");
        std::string host;
        std::uint16_t port = 0;
        if (!parse_host_port(c.dashboard, host, port, why)) {
            throw UsageError{cli::quoted("--dashboard", c.dashboard) + ": " + why};
        }
    }
    if (v.given("metrics-push")) {
        c.metrics_push = v.text("metrics-push");
        HttpTarget target;
        if (!parse_http_target(c.metrics_push, target, why)) {
            throw UsageError{cli::quoted("--metrics-push", c.metrics_push) + ": " + why};
        }
    }
    c.metrics_linger = v.duration("metrics-linger");
    c.metrics_push_interval = v.duration("metrics-push-interval");
    if (c.metrics_linger.count() > 0 && c.metrics_listen.empty() && c.dashboard.empty()) {
        throw UsageError{
            "--metrics-linger needs --metrics-listen or --dashboard: it keeps them served"};
    }
    if (c.metrics_push_interval < std::chrono::milliseconds(100)) {
        throw UsageError{"--metrics-push-interval must be at least 100ms"};
    }
}

}  // namespace wsb::loadgen
