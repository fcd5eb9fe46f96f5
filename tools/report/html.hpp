// html: one self-contained HTML page (inline SVG charts, no external resources) for one or
// more loadgen reports, overlaid for comparison.
#pragma once

#include <string>
#include <vector>

#include "input.hpp"

namespace wsb::report {

/// The page: a summary table per input, the latency percentile distribution on a log scale
/// (corrected solid, uncorrected dashed), throughput and p50/p99 over time, connections and
/// errors over time, and each input's config. Charts are SVG generated here; the page loads
/// nothing from elsewhere (no scripts, fonts or stylesheets).
std::string render_html(const std::vector<LoadgenReport>& inputs);

}  // namespace wsb::report
