// The SVG line charts of the HTML report (html.cpp, html_capacity.cpp): axes, series,
// the chart element, and the text helpers their labels share.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "wsbench/histogram.hpp"
#include "wsbench/report/html.hpp"
#include "wsbench/units.hpp"

namespace wsb::report::chart {

/// The colour of input `i` (Okabe-Ito, colour-blind-safe).
std::string colour(std::size_t i);

struct Axis {
    double min = 0;
    double max = 1;
    bool log = false;
    std::string label;
    std::vector<std::pair<double, std::string>> ticks;  // value, text

    /// Where `v` lies between min and max, 0 to 1 (log10 on a log axis).
    double fraction(double v) const;
};

/// From 0 to `max` rounded up to a step of 1, 2 or 5 times a power of ten.
Axis linear_axis(double max, std::string label, const std::function<std::string(double)>& text);
/// Whole decades around [min, max] (min at least 1), ticks at 1, 2, 5 of each.
Axis log_axis(double min, double max, std::string label,
              const std::function<std::string(double)>& text);

struct Series {
    std::string name;
    std::string colour;
    bool dashed = false;
    std::vector<std::pair<double, double>> points;  // x, y
};

/// One line chart as an inline SVG element: title, axes, a polyline per series, the legend.
std::string line_chart(const std::string& title, const Axis& x, const Axis& y,
                       const std::vector<Series>& series);

/// The percentile axis of HdrHistogram plots: x = log10(1 / (1 - p)), up to 99.999 %.
inline constexpr double kMaxNines = 5;
std::vector<std::pair<double, double>> percentile_curve(const Histogram& h);
std::string percentile_label(double nines);
/// "250 us", "1.5 ms", "2 s".
std::string us_text(double us);
/// "500", "2k", "1.5M".
std::string count_text(double v);
/// The name of an input in legends: its file name without directories.
std::string short_name(const LoadgenFile& r);

}  // namespace wsb::report::chart
