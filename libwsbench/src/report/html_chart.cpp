// The SVG line charts of wsbench-report html: axes (linear and log), series as polylines,
// the legend, and the text helpers of their labels.
#include "html_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "wsbench/report/write.hpp"

namespace wsb::report::chart {

// Colour-blind-safe palette (Okabe-Ito), one colour per input.
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string colour(std::size_t i) { return kColours[i % (sizeof kColours / sizeof *kColours)]; }

// ------------------------------------------------------------------------------ charts

double Axis::fraction(double v) const {
    if (log) {
        const double lo = std::log10(min);
        const double hi = std::log10(max);
        return (std::log10(std::max(v, min)) - lo) / (hi - lo);
    }
    return (v - min) / (max - min);
}

namespace {

// 1, 2 or 5 times a power of ten: steps of a linear axis a reader can add up in their head.
double nice_step(double span, int wanted) {
    const double raw = span / std::max(1, wanted);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (raw <= m * magnitude) return m * magnitude;
    }
    return 10 * magnitude;
}

}  // namespace

Axis linear_axis(double max, std::string label, const std::function<std::string(double)>& text) {
    Axis a;
    a.label = std::move(label);
    if (!(max > 0)) max = 1;
    const double step = nice_step(max, 5);
    a.max = std::ceil(max / step) * step;
    for (double v = 0; v <= a.max + step / 2; v += step) a.ticks.emplace_back(v, text(v));
    return a;
}

Axis log_axis(double min, double max, std::string label,
              const std::function<std::string(double)>& text) {
    Axis a;
    a.log = true;
    a.label = std::move(label);
    min = std::max(min, 1.0);
    max = std::max(max, min * 10);
    a.min = std::pow(10.0, std::floor(std::log10(min)));
    a.max = std::pow(10.0, std::ceil(std::log10(max)));
    const bool sparse = std::log10(a.max / a.min) > 4;
    for (double decade = a.min; decade < a.max * 1.5; decade *= 10) {
        a.ticks.emplace_back(decade, text(decade));
        if (!sparse && decade < a.max) {
            a.ticks.emplace_back(decade * 2, text(decade * 2));
            a.ticks.emplace_back(decade * 5, text(decade * 5));
        }
    }
    return a;
}

namespace {

// The geometry of a chart: the SVG's size and where the plot sits in it.
struct Plot {
    static constexpr double kWidth = 1080;
    static constexpr double kHeight = 330;
    static constexpr double kLeft = 80;
    static constexpr double kRight = 40;
    static constexpr double kTop = 56;
    static constexpr double kBottom = 50;
    static constexpr double kPlotW = kWidth - kLeft - kRight;
    static constexpr double kPlotH = kHeight - kTop - kBottom;
    const Axis& x;
    const Axis& y;

    double px(double v) const { return kLeft + x.fraction(v) * kPlotW; }
    double py(double v) const { return kTop + (1 - y.fraction(v)) * kPlotH; }
    double clamped_px(double v) const { return std::clamp(px(v), kLeft, kLeft + kPlotW); }
    double clamped_py(double v) const { return std::clamp(py(v), kTop, kTop + kPlotH); }
};

// Grid lines, tick labels, the frame and the axis labels.
std::string chart_axes(const Plot& p) {
    std::string svg;
    for (const auto& [v, text] : p.y.ticks) {
        if (v < p.y.min || v > p.y.max * 1.0001) continue;
        const double yy = p.py(v);
        svg += printf_string(
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
            Plot::kLeft, yy, Plot::kLeft + Plot::kPlotW, yy, Plot::kLeft - 6, yy + 4,
            escape_markup(text).c_str());
    }
    for (const auto& [v, text] : p.x.ticks) {
        if (v < p.x.min || v > p.x.max * 1.0001) continue;
        const double xx = p.px(v);
        svg += printf_string(
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>\n",
            xx, Plot::kTop, xx, Plot::kTop + Plot::kPlotH, xx, Plot::kTop + Plot::kPlotH + 16,
            escape_markup(text).c_str());
    }
    svg += printf_string(
        "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" class=\"frame\"/>\n",
        Plot::kLeft, Plot::kTop, Plot::kPlotW, Plot::kPlotH);
    svg += printf_string(
        "<text x=\"%.1f\" y=\"%.1f\" class=\"label\" text-anchor=\"middle\">%s</text>\n",
        Plot::kLeft + Plot::kPlotW / 2, Plot::kHeight - 10, escape_markup(p.x.label).c_str());
    svg += printf_string(
        "<text transform=\"translate(16 %.1f) rotate(-90)\" class=\"label\" "
        "text-anchor=\"middle\">%s</text>\n",
        Plot::kTop + Plot::kPlotH / 2, escape_markup(p.y.label).c_str());
    return svg;
}

// One polyline per series, clipped to the plot; a dot for a series of one point.
std::string chart_lines(const Plot& p, const std::vector<Series>& series) {
    std::string svg;
    for (const Series& s : series) {
        if (s.points.empty()) continue;
        std::string path;
        for (const auto& [vx, vy] : s.points) {
            path += printf_string("%s%.1f,%.1f", path.empty() ? "" : " ", p.clamped_px(vx),
                                  p.clamped_py(vy));
        }
        svg += "<polyline fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"2\"" +
               (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + path + "\"><title>" +
               escape_markup(s.name) + "</title></polyline>\n";
        if (s.points.size() == 1) {
            svg += printf_string("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                                 p.clamped_px(s.points[0].first), p.clamped_py(s.points[0].second),
                                 s.colour.c_str());
        }
    }
    return svg;
}

// The legend: one row between the title and the plot, wrapping when long.
std::string chart_legend(const std::vector<Series>& series) {
    std::string svg;
    double lx = Plot::kLeft;
    double ly = 40;
    for (const Series& s : series) {
        const double width = 44 + 7.0 * static_cast<double>(s.name.size());
        if (lx + width > Plot::kLeft + Plot::kPlotW && lx > Plot::kLeft) {
            lx = Plot::kLeft;
            ly += 14;
        }
        svg += printf_string(
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"2\"%s/><text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>\n",
            lx, ly - 4, lx + 28, ly - 4, s.colour.c_str(),
            s.dashed ? " stroke-dasharray=\"6 4\"" : "", lx + 34, ly,
            escape_markup(s.name).c_str());
        lx += width;
    }
    return svg;
}
}  // namespace

// One line chart as an inline SVG element.
std::string line_chart(const std::string& title, const Axis& x, const Axis& y,
                       const std::vector<Series>& series) {
    const Plot plot{x, y};
    std::string svg = printf_string(
        "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
        "role=\"img\">\n",
        Plot::kWidth, Plot::kHeight, Plot::kWidth, Plot::kHeight);
    svg += "<title>" + escape_markup(title) + "</title>\n";
    svg += printf_string("<text x=\"%.0f\" y=\"20\" class=\"title\">%s</text>\n", Plot::kLeft,
                         escape_markup(title).c_str());
    svg += chart_axes(plot);
    svg += chart_lines(plot, series);
    svg += chart_legend(series);
    svg += "</svg>\n";
    return svg;
}

// ------------------------------------------------------------------------------ data

// The percentile axis of HdrHistogram plots: x = log10(1 / (1 - p)), so 90%, 99%, 99.9% ...
// are equally spaced.

std::vector<std::pair<double, double>> percentile_curve(const Histogram& h) {
    std::vector<std::pair<double, double>> points;
    if (h.total_count() == 0) return points;
    for (int i = 0; i <= 100; ++i) {
        const double nines = kMaxNines * i / 100.0;
        const double p = 100.0 * (1 - std::pow(10.0, -nines));
        points.emplace_back(nines, std::max(1.0, static_cast<double>(h.value_at_percentile(p))));
    }
    return points;
}

std::string percentile_label(double nines) {
    if (nines == 0) return "0%";
    const double p = 100.0 * (1 - std::pow(10.0, -nines));
    return printf_string("%.*f%%", std::max(0, static_cast<int>(nines) - 2), p);
}

std::string us_text(double us) {
    if (us >= 1e6) return printf_string("%g s", us / 1e6);
    if (us >= 1e3) return printf_string("%g ms", us / 1e3);
    return printf_string("%g us", us);
}

std::string count_text(double v) {
    if (v >= 1e6) return printf_string("%gM", v / 1e6);
    if (v >= 1e3) return printf_string("%gk", v / 1e3);
    return printf_string("%g", v);
}

// The name of an input in legends: its file name without directories.
std::string short_name(const LoadgenFile& r) {
    const std::size_t slash = r.path.find_last_of('/');
    return slash == std::string::npos ? r.path : r.path.substr(slash + 1);
}

}  // namespace wsb::report::chart
