// The self-contained HTML page of loadgen reports (inline SVG charts, no external resources),
// one or more overlaid for comparison: `wsbench-report html` and the loadgen's live dashboard
// (its /report.html) both make it here.
#pragma once

#include <string>
#include <vector>

#include "wsbench/report/loadgen.hpp"

namespace wsb::report {

/// A loadgen report as read: its file name (legends show it without directories, the config
/// section in full) and its model.
struct LoadgenFile {
    std::string path;
    LoadgenReport report;
};

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

/// The page's stylesheet (no <style> element around it): the live dashboard uses it too, so
/// both look alike.
const char* html_style() noexcept;

}  // namespace wsb::report
