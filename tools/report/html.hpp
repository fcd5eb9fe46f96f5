// html: one self-contained HTML page (inline SVG charts, no external resources) for one or
// more loadgen reports, overlaid for comparison.
#pragma once

#include <string>
#include <vector>

#include "report/input.hpp"

namespace wsb::report {

/// The page: a summary table per input, the latency percentile distribution on a log scale
/// (corrected solid, uncorrected dashed), throughput and p50/p99 over time, connections and
/// errors over time, and each input's config. Reports of scenario files add a Steps section: a
/// percentile chart per step (every step any input has), a table of each step's counts and
/// percentiles per input, and a table of each input's sessions. Charts are SVG generated here; the
/// page loads nothing from elsewhere (no scripts, fonts or stylesheets).
/// Capacity searches (--find-max) add a section first: p50 and p99 against offered load (the
/// knee) with the capacity marked, throughput against offered load, and each search's steps.
std::string render_html(const std::vector<LoadgenFile>& inputs);

/// That section (html_capacity.cpp); "" when no input is a capacity search.
std::string capacity_section(const std::vector<LoadgenFile>& inputs);

/// The page for Autobahn index.json files (as Autobahn's wstest or wsbench-conformance write
/// them): pass/fail totals per file and agent, overall and by section, then one table per
/// section with a row per case and a column per file and agent; each cell is coloured by the
/// case's two verdicts (behavior, behaviorClose) and shows the remote close code and the
/// duration, with the case's details on hover and a link to its per-case report. Rows whose
/// outcome differs between columns are highlighted. Self-contained like render_html().
/// Throws InputError for an input that is not an index.json or is malformed.
std::string render_autobahn_html(const std::vector<Input>& inputs);

}  // namespace wsb::report
