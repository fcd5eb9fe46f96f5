// The `capacity` section of a loadgen report (a --find-max search), written and read for
// loadgen.cpp's to_json/from_json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "wsbench/report/loadgen.hpp"

namespace wsb::report::detail {

/// The section as JSON: the parameters, `steps` (each with its counters, latency summaries and
/// histograms) and `result` {found, highest_passing, first_failing, stop, detail}.
nlohmann::json capacity_json(const CapacityReport& c);

/// Reads the section. Throws FormatError naming the JSON path ("$.capacity.steps[2].value: ...").
CapacityReport read_capacity(const nlohmann::json& j);

/// A step's value as text: "4750/s" (rate, to the message per second) or "48" (connections).
std::string capacity_value_text(double value, const std::string& mode);

/// The search as the human summary shows it: a line of parameters, the table of steps (value,
/// throughput, p50/p99/p99.9, errors, SLO verdict, generator health), the result and why it
/// stopped. Ends with a newline.
std::string capacity_summary(const CapacityReport& c);

}  // namespace wsb::report::detail
