// html: the self-contained report page; charts are SVG drawn here, nothing loads from elsewhere.
#include "wsbench/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <set>
#include <tuple>
#include <utility>

#include "html_chart.hpp"
#include "wsbench/report/write.hpp"
#include "wsbench/units.hpp"

namespace wsb::report {

namespace {

using json = nlohmann::json;

using namespace chart;  // html_chart.hpp: the SVG line charts and their helpers

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

const char* html_style() noexcept { return kStyle; }

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
    page += capacity_section(in);
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
