// wsbench-echo-server's GET /metrics: the /stats document as Prometheus metrics (issue 18).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace wsb::echo {

/// The exposition of a /stats document (Stats::snapshot() with engine and mode): names
/// wsbench_server_*, counters with _total, labels engine, mode, direction, type and code only.
std::string metrics_text(const nlohmann::json& stats_doc);

}  // namespace wsb::echo
