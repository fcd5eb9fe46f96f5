// The `capacity` section of a loadgen report (a --find-max search), written and read for
// loadgen.cpp's to_json/from_json.
#pragma once

#include <nlohmann/json.hpp>

#include "wsbench/report/loadgen.hpp"

namespace wsb::report::detail {

/// The section as JSON: the parameters, `steps` (each with its counters, latency summaries and
/// histograms) and `result` {found, highest_passing, first_failing, stop, detail}.
nlohmann::json capacity_json(const CapacityReport& c);

/// Reads the section. Throws FormatError naming the JSON path ("$.capacity.steps[2].value: ...").
CapacityReport read_capacity(const nlohmann::json& j);

}  // namespace wsb::report::detail
