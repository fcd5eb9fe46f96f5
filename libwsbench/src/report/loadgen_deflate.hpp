// The permessage-deflate parts of a loadgen report (config.deflate, `deflate`), written and read
// for loadgen.cpp's to_json/from_json, and the summary table's Deflate row.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "wsbench/report/loadgen.hpp"

namespace wsb::report::detail {

/// config.deflate, config.payload_file and config.payload_order into the settings' JSON `j`,
/// each when set.
void write_deflate_settings(nlohmann::json& j, const LoadgenSettings& c);
/// Reads them when present. Throws FormatError naming the JSON path.
void read_deflate_settings(const nlohmann::json& j, LoadgenSettings& c);

/// Adds `deflate` to the report's JSON when the run had it: the counts, the agreed parameters,
/// the ratios (wire / payload, 0 without payload) and cpu_us_per_message (the generator's CPU
/// over the messages sent and received).
void write_deflate_section(nlohmann::json& j, const LoadgenReport& r);
/// Reads `deflate` when present (older reports and runs without --deflate have none).
void read_deflate_section(const nlohmann::json& d, LoadgenReport& r);

/// "N of M connections, sent 12.3 MiB -> 1.1 MiB (9.1%), received ... , 2.1 us CPU/message",
/// or "" when the report has no `deflate`.
std::string deflate_summary(const LoadgenReport& r);

/// The generator's CPU (every thread's) per message sent or received, microseconds; 0 without
/// messages.
double cpu_us_per_message(const LoadgenReport& r);

}  // namespace wsb::report::detail
