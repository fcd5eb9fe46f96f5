// html: the self-contained report page; charts are SVG drawn here, nothing loads from elsewhere.
#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <set>
#include <tuple>
#include <utility>

#include "wsbench/report/write.hpp"
#include "wsbench/units.hpp"

namespace wsb::report {

namespace {

using json = nlohmann::json;

// Colour-blind-safe palette (Okabe-Ito), one colour per input.
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string colour(std::size_t i) { return kColours[i % (sizeof kColours / sizeof *kColours)]; }

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    return buf;
}

// ------------------------------------------------------------------------------ charts

struct Axis {
    double min = 0;
    double max = 1;
    bool log = false;
    std::string label;
    std::vector<std::pair<double, std::string>> ticks;  // value, text

    double fraction(double v) const {
        if (log) {
            const double lo = std::log10(min);
            const double hi = std::log10(max);
            return (std::log10(std::max(v, min)) - lo) / (hi - lo);
        }
        return (v - min) / (max - min);
    }
};

// 1, 2 or 5 times a power of ten: steps of a linear axis a reader can add up in their head.
double nice_step(double span, int wanted) {
    const double raw = span / std::max(1, wanted);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (raw <= m * magnitude) return m * magnitude;
    }
    return 10 * magnitude;
}

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

struct Series {
    std::string name;
    std::string colour;
    bool dashed = false;
    std::vector<std::pair<double, double>> points;  // x, y
};

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
constexpr double kMaxNines = 5;  // up to 99.999%

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

std::string summary_table(const std::vector<LoadgenFile>& in) {
    std::string t = "<table class=\"summary\"><tr><th></th>";
    for (std::size_t i = 0; i < in.size(); ++i) {
        t += "<th><span class=\"swatch\" style=\"background:" + colour(i) + "\"></span>" +
             escape_markup(short_name(in[i])) + "</th>";
    }
    t += "</tr>\n";
    auto row = [&](const char* label, const std::function<std::string(const LoadgenFile&)>& f) {
        t += std::string("<tr><th>") + label + "</th>";
        for (const LoadgenFile& r : in) t += "<td>" + escape_markup(f(r)) + "</td>";
        t += "</tr>\n";
    };
    auto latency = [](const Histogram& h, double p) {
        return h.total_count() == 0
                   ? std::string("-")
                   : format_duration_us(static_cast<double>(h.value_at_percentile(p)));
    };
    row("Target", [](const LoadgenFile& r) { return r.report.config.url; });
    row("Scenario", [](const LoadgenFile& r) {
        const LoadgenSettings& c = r.report.config;
        if (c.scenario == "file") return "file " + c.scenario_file;
        std::string s = c.scenario;
        if (c.rate > 0) s += ", " + format_rate(c.rate) + " total";
        if (c.per_connection_rate > 0) s += ", " + format_rate(c.per_connection_rate) + " each";
        if (c.rate == 0 && c.per_connection_rate == 0) s += ", closed loop";
        return s + ", " + format_size(c.message_size) + " messages";
    });
    row("Created", [](const LoadgenFile& r) {
        const Envelope& e = r.report.envelope;
        std::string s = e.created + " on " + e.host.hostname;
        if (r.report.merged) {
            s += " (merge of " + std::to_string(r.report.merged->inputs) + " reports)";
        }
        if (const auto shard = r.report.config.shard; shard && shard->count > 1) {
            s += " (shard " + std::to_string(shard->index) + "/" + std::to_string(shard->count) +
                 ")";
        }
        return s;
    });
    row("Connections", [](const LoadgenFile& r) {
        return std::to_string(r.report.connections.established) + " of " +
               std::to_string(r.report.connections.target) + " (" +
               std::to_string(r.report.connections.failed) + " failed)";
    });
    row("Window",
        [](const LoadgenFile& r) { return printf_string("%.2f s", r.report.duration_s); });
    row("Messages", [](const LoadgenFile& r) {
        return std::to_string(r.report.messages_sent) + " sent, " +
               std::to_string(r.report.messages_received) + " received";
    });
    row("Throughput", [](const LoadgenFile& r) { return format_rate(r.report.received_per_s); });
    row("Errors", [](const LoadgenFile& r) {
        return std::to_string(r.report.total_errors()) +
               printf_string(" (%.3g %%)", r.report.error_rate() * 100);
    });
    for (const auto& [label, p] : {std::pair<const char*, double>{"Latency p50", 50},
                                   {"Latency p90", 90},
                                   {"Latency p99", 99},
                                   {"Latency p99.9", 99.9},
                                   {"Latency max", 100}}) {
        row(label, [&, p = p](const LoadgenFile& r) {
            return latency(r.report.latency, p) + " (uncorrected " +
                   latency(r.report.latency_uncorrected, p) + ")";
        });
    }
    row("Connect p50 / p99", [&](const LoadgenFile& r) {
        return latency(r.report.connect, 50) + " / " + latency(r.report.connect, 99);
    });
    row("Warnings", [](const LoadgenFile& r) {
        std::string s;
        for (const std::string& w : r.report.warnings) s += (s.empty() ? "" : "; ") + w;
        if (r.report.envelope.interrupted)
            s += (s.empty() ? "" : "; ") + std::string("interrupted");
        if (!r.report.fatal.empty()) s += (s.empty() ? "" : "; ") + r.report.fatal;
        return s.empty() ? std::string("none") : s;
    });
    return t + "</table>\n";
}

std::string config_tables(const std::vector<LoadgenFile>& in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        out += "<details" + std::string(i == 0 ? " open" : "") +
               "><summary><span class=\"swatch\" style=\"background:" + colour(i) + "\"></span>" +
               escape_markup(in[i].path) + "</summary><table class=\"config\">\n";
        const json config = in[i].report.config;
        for (const auto& [key, value] : config.items()) {
            out += "<tr><th>" + escape_markup(key) + "</th><td>" +
                   escape_markup(value.is_string() ? value.get<std::string>() : value.dump()) +
                   "</td></tr>\n";
        }
        out += "</table></details>\n";
    }
    return out;
}

// Scenario files: a row per input and step (counts and latency percentiles), then a row per
// input with its sessions.
std::string steps_table(const std::vector<LoadgenFile>& in, const std::set<std::string>& names) {
    auto latency = [](const Histogram& h, double p) {
        return h.total_count() == 0
                   ? std::string("-")
                   : format_duration_us(static_cast<double>(h.value_at_percentile(p)));
    };
    auto swatch = [&](std::size_t i) {
        return "<td><span class=\"swatch\" style=\"background:" + colour(i) + "\"></span>" +
               escape_markup(short_name(in[i])) + "</td>";
    };
    std::string t =
        "<table class=\"steps\"><tr><th>step</th><th>report</th><th>kind</th><th>count</th>"
        "<th>timeouts</th><th>errors</th><th>unmatched</th><th>p50</th><th>p99</th>"
        "<th>p99.9</th><th>p99 uncorrected</th></tr>\n";
    for (const std::string& name : names) {
        for (std::size_t i = 0; i < in.size(); ++i) {
            const auto it = in[i].report.steps.find(name);
            if (it == in[i].report.steps.end()) continue;
            const StepReport& s = it->second;
            t += "<tr><th>" + escape_markup(name) + "</th>" + swatch(i) + "<td>" +
                 escape_markup(s.kind) + "</td>" +
                 printf_string("<td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td>",
                               static_cast<unsigned long long>(s.count),
                               static_cast<unsigned long long>(s.timeouts),
                               static_cast<unsigned long long>(s.error_total()),
                               static_cast<unsigned long long>(s.unmatched)) +
                 "<td>" + latency(s.latency, 50) + "</td><td>" + latency(s.latency, 99) +
                 "</td><td>" + latency(s.latency, 99.9) + "</td><td>" +
                 latency(s.latency_uncorrected, 99) + "</td></tr>\n";
        }
    }
    t += "</table>\n";
    bool sessions = false;
    for (const LoadgenFile& f : in) sessions = sessions || f.report.sessions.has_value();
    if (!sessions) return t;
    t += "<table class=\"sessions\"><tr><th>sessions</th><th>started</th>"
         "<th>completed</th><th>failed</th><th>cut</th><th>unmatched</th>"
         "<th>template errors</th><th>start lag p50</th><th>start lag p99</th></tr>\n";
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& s = in[i].report.sessions;
        if (!s) continue;
        t +=
            "<tr>" + swatch(i) +
            printf_string(
                "<td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td>"
                "<td>%llu</td>",
                static_cast<unsigned long long>(s->started),
                static_cast<unsigned long long>(s->completed),
                static_cast<unsigned long long>(s->failed), static_cast<unsigned long long>(s->cut),
                static_cast<unsigned long long>(s->unmatched),
                static_cast<unsigned long long>(s->template_errors)) +
            "<td>" + latency(s->start_lag, 50) + "</td><td>" + latency(s->start_lag, 99) +
            "</td></tr>\n";
    }
    return t + "</table>\n";
}

constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px;
       color: #222; background: #fff; max-width: 1120px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.note { color: #666; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 3px 10px; text-align: left; border-bottom: 1px solid #eee;
         vertical-align: top; }
table.summary td { font-variant-numeric: tabular-nums; min-width: 300px; }
th { font-weight: 600; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
          margin-right: 6px; vertical-align: -1px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px; }
svg .title { font-size: 15px; font-weight: 600; fill: #222; }
svg .tick { font-size: 11px; fill: #555; }
svg .label { font-size: 12px; fill: #333; }
svg .legend { font-size: 12px; fill: #222; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .frame { fill: none; stroke: #999; stroke-width: 1; }
details { margin: 6px 0; }
summary { cursor: pointer; font-weight: 600; }
table.config td { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
)";

/// The corrected and uncorrected latency of one input a percentile chart draws; null when the
/// input has none (a step it does not have).
using LatencyPair = std::pair<const Histogram*, const Histogram*>;

// A latency percentile distribution per input, corrected solid, uncorrected dashed.
std::string percentile_chart(const std::vector<LoadgenFile>& in, const std::string& title,
                             const std::function<LatencyPair(const LoadgenReport&)>& latency) {
    std::vector<Series> series;
    double lo = 1e300;
    double hi = 1;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const std::string name = short_name(in[i]);
        const auto [corrected, uncorrected] = latency(in[i].report);
        if (corrected == nullptr) continue;
        for (const auto& [h, dashed, suffix] :
             {std::tuple<const Histogram*, bool, const char*>{corrected, false, " corrected"},
              {uncorrected, true, " uncorrected"}}) {
            Series s{name + suffix, colour(i), dashed, percentile_curve(*h)};
            for (const auto& [x, y] : s.points) {
                lo = std::min(lo, y);
                hi = std::max(hi, y);
            }
            series.push_back(std::move(s));
        }
    }
    Axis x;
    x.min = 0;
    x.max = kMaxNines;
    x.label = "percentile";
    for (int n = 0; n <= static_cast<int>(kMaxNines); ++n) {
        x.ticks.emplace_back(n, percentile_label(n));
    }
    return line_chart(title, x, log_axis(lo > hi ? 1 : lo, hi, "latency", us_text), series);
}

// Scenario files: a percentile chart per step (every step any input has), then the sessions.
std::string steps_section(const std::vector<LoadgenFile>& in) {
    std::set<std::string> names;
    bool sessions = false;
    for (const LoadgenFile& f : in) {
        for (const auto& [name, step] : f.report.steps) names.insert(name);
        sessions = sessions || f.report.sessions.has_value();
    }
    if (names.empty() && !sessions) return "";
    std::string out = "<h2>Steps</h2>\n";
    for (const std::string& name : names) {
        std::string kind;
        for (const LoadgenFile& f : in) {
            if (auto it = f.report.steps.find(name); it != f.report.steps.end()) {
                kind = it->second.kind;
            }
        }
        out += percentile_chart(
            in, "Step " + name + " (" + kind + "): latency percentile distribution (log scale)",
            [&name](const LoadgenReport& r) {
                const auto it = r.steps.find(name);
                return it == r.steps.end()
                           ? LatencyPair{nullptr, nullptr}
                           : LatencyPair{&it->second.latency, &it->second.latency_uncorrected};
            });
    }
    out += steps_table(in, names);
    return out;
}

/// One timeline value of a chart: its name in the legend ("" for none) and how to read it.
using TimelineMetric = std::pair<std::string, std::function<double(const TimelinePoint&)>>;

// A chart over the measured window: one series per report and metric (the first metric solid,
// the others dashed); on a log scale, points at or below 0 are left out.
std::string timeline_chart(const std::vector<LoadgenFile>& in, const std::string& chart_title,
                           const std::string& y_label, bool log_y,
                           const std::vector<TimelineMetric>& metrics,
                           const std::function<std::string(double)>& text) {
    std::vector<Series> series;
    double x_max = 1;
    double y_min = 1e300;
    double y_max = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        for (std::size_t m = 0; m < metrics.size(); ++m) {
            Series s;
            s.name = short_name(in[i]) + (metrics[m].first.empty() ? "" : " " + metrics[m].first);
            s.colour = colour(i);
            s.dashed = m > 0;
            for (const TimelinePoint& p : in[i].report.timeline) {
                const double v = metrics[m].second(p);
                if (log_y && v <= 0) continue;
                s.points.emplace_back(p.t_s, v);
                x_max = std::max(x_max, p.t_s);
                y_min = std::min(y_min, v);
                y_max = std::max(y_max, v);
            }
            series.push_back(std::move(s));
        }
    }
    Axis x = linear_axis(x_max, "seconds into the measured window",
                         [](double v) { return printf_string("%g", v); });
    const Axis y = log_y ? log_axis(y_min > y_max ? 1 : y_min, y_max, y_label, text)
                         : linear_axis(y_max, y_label, text);
    return line_chart(chart_title, x, y, series);
}

std::string timeline_charts(const std::vector<LoadgenFile>& in) {
    std::string out;
    out += timeline_chart(
        in, "Throughput (messages received per second)", "messages/s", false,
        {{"", [](const TimelinePoint& p) { return static_cast<double>(p.received); }}}, count_text);
    out += timeline_chart(
        in, "Latency p99 (solid) and p50 (dashed) per second (log scale)", "latency", true,
        {{"p99", [](const TimelinePoint& p) { return static_cast<double>(p.p99_us); }},
         {"p50", [](const TimelinePoint& p) { return static_cast<double>(p.p50_us); }}},
        us_text);
    out += timeline_chart(
        in, "Open connections", "connections", false,
        {{"", [](const TimelinePoint& p) { return static_cast<double>(p.connections); }}},
        count_text);
    out += timeline_chart(
        in, "Errors per second", "errors", false,
        {{"", [](const TimelinePoint& p) { return static_cast<double>(p.errors); }}}, count_text);
    return out;
}

}  // namespace

std::string render_html(const std::vector<LoadgenFile>& in) {
    std::string title = "wsbench report: ";
    for (std::size_t i = 0; i < in.size(); ++i) title += (i ? ", " : "") + short_name(in[i]);

    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>" +
        escape_markup(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    page += "<h1>" + escape_markup(title) + "</h1>\n";
    page += "<p class=\"note\">Made by wsbench-report " + std::string(version()) +
            ". Latencies in microseconds from the reports' HdrHistograms; corrected latency "
            "(from the intended send time) is drawn solid, uncorrected dashed.</p>\n";
    page += "<h2>Summary</h2>\n" + summary_table(in);
    page += "<h2>Latency by percentile</h2>\n" +
            percentile_chart(in, "Latency percentile distribution (log scale)",
                             [](const LoadgenReport& r) {
                                 return LatencyPair{&r.latency, &r.latency_uncorrected};
                             });
    page += steps_section(in);
    page += "<h2>Over time</h2>\n" + timeline_charts(in);
    page += "<h2>Config</h2>\n" + config_tables(in);
    page += "</body>\n</html>\n";
    return page;
}

}  // namespace wsb::report
