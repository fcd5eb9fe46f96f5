// The scenario-file sections of a loadgen report (`steps`, `sessions`), written and read for
// loadgen.cpp's to_json/from_json.
#pragma once

#include <nlohmann/json.hpp>

#include "wsbench/report/loadgen.hpp"

namespace wsb::report::detail {

/// Adds `steps` and `sessions` to the report's JSON `j`: `steps` when the run was a scenario
/// file (config.scenario "file") or has steps, `sessions` when present. A built-in scenario's
/// report gets neither key.
void write_scenario_sections(nlohmann::json& j, const LoadgenReport& r);

/// Reads `steps` and `sessions` when present (older reports and built-in scenarios have
/// neither). Throws FormatError naming the JSON path ("$.steps.rpc.count: ...").
void read_scenario_sections(const nlohmann::json& d, LoadgenReport& r);

}  // namespace wsb::report::detail
