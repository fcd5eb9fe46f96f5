// html for capacity searches (--find-max): latency against offered load, where the knee shows,
// throughput against offered load, and a table of every step with the search's result.
#include <algorithm>
#include <vector>

#include "html_chart.hpp"
#include "wsbench/report/html.hpp"
#include "wsbench/report/write.hpp"
#include "wsbench/units.hpp"

namespace wsb::report {
namespace {

using namespace chart;

// A search's steps in order of value (the search runs them out of order when it bisects).
std::vector<const CapacityStep*> by_value(const CapacityReport& c) {
    std::vector<const CapacityStep*> steps;
    for (const CapacityStep& s : c.steps) steps.push_back(&s);
    std::stable_sort(steps.begin(), steps.end(), [](const CapacityStep* a, const CapacityStep* b) {
        return a->value < b->value;
    });
    return steps;
}

std::string value_text(double v, const std::string& mode) {
    return mode == "connections"
               ? printf_string("%.0f", v)
               : (v >= 100 ? printf_string("%.0f/s", v) : printf_string("%.3g/s", v));
}

// p99 (solid) and p50 (dashed) of each step against its value, and a dashed vertical line at
// each capacity found.

// The x axis of a search: what a step's value counts. A scenario file's steps count its
// sessions (rate: new sessions a second), the built-in scenarios' messages or connections.
std::string axis_name(const std::vector<LoadgenFile>& in, const std::string& mode) {
    const bool files = !in.empty() && std::all_of(in.begin(), in.end(), [](const LoadgenFile& f) {
        return f.report.config.scenario == "file";
    });
    if (mode == "connections") return files ? "sessions" : "connections";
    return files ? "offered sessions/s" : "offered messages/s";
}

std::string knee_chart(const std::vector<LoadgenFile>& in, const std::string& mode) {
    std::vector<Series> series;
    double x_max = 1;
    double lo = 1e300;
    double hi = 1;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& c = in[i].report.capacity;
        if (!c || c->mode != mode) continue;
        for (const auto& [name, p, dashed] :
             {std::tuple<const char*, double, bool>{" p99", 99, false}, {" p50", 50, true}}) {
            Series s{short_name(in[i]) + name, colour(i), dashed, {}};
            for (const CapacityStep* step : by_value(*c)) {
                if (step->latency.total_count() == 0) continue;
                const double v = static_cast<double>(step->latency.value_at_percentile(p));
                s.points.emplace_back(step->value, std::max(1.0, v));
                x_max = std::max(x_max, step->value);
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            series.push_back(std::move(s));
        }
    }
    const Axis y = log_axis(lo > hi ? 1 : lo, hi, "latency", us_text);
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& c = in[i].report.capacity;
        if (!c || !c->found || c->mode != mode) continue;
        series.push_back(
            Series{short_name(in[i]) + " capacity " + value_text(*c->highest_passing, mode),
                   colour(i),
                   true,
                   {{*c->highest_passing, y.min}, {*c->highest_passing, y.max}}});
    }
    const Axis x = linear_axis(x_max, axis_name(in, mode), count_text);
    return line_chart("Latency against offered load: p99 (solid), p50 (dashed), log scale", x, y,
                      series);
}

std::string throughput_chart(const std::vector<LoadgenFile>& in, const std::string& mode) {
    std::vector<Series> series;
    double x_max = 1;
    double y_max = 1;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& c = in[i].report.capacity;
        if (!c || c->mode != mode) continue;
        Series s{short_name(in[i]), colour(i), false, {}};
        for (const CapacityStep* step : by_value(*c)) {
            s.points.emplace_back(step->value, step->received_per_s());
            x_max = std::max(x_max, step->value);
            y_max = std::max(y_max, step->received_per_s());
        }
        series.push_back(std::move(s));
    }
    return line_chart("Throughput (messages received per second) against offered load",
                      linear_axis(x_max, axis_name(in, mode), count_text),
                      linear_axis(y_max, "messages/s", count_text), series);
}

std::string percentile_cell(const Histogram& h, double p) {
    return h.total_count() == 0 ? "-" : us_text(static_cast<double>(h.value_at_percentile(p)));
}

std::string steps_table(const LoadgenFile& f) {
    const CapacityReport& c = *f.report.capacity;
    std::string slo;
    for (const std::string& t : c.slo) slo += (slo.empty() ? "" : ", ") + t;
    std::string out = "<h3>" + escape_markup(short_name(f)) + ": " +
                      (c.found ? "capacity " + value_text(*c.highest_passing, c.mode)
                               : std::string("no capacity found")) +
                      "</h3>\n<p class=\"note\">Search by " + escape_markup(c.mode) + ", SLO " +
                      escape_markup(slo) +
                      printf_string(", precision %g%%. Stopped (", c.precision * 100) +
                      escape_markup(c.stop) + "): " + escape_markup(c.detail) + "</p>\n";
    out += "<table>\n<tr><th>step</th><th>" + escape_markup(c.mode) +
           "</th><th>throughput</th><th>p50</th><th>p99</th><th>p99.9</th><th>errors</th>"
           "<th>SLO</th><th>generator</th><th>why</th></tr>\n";
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
        const CapacityStep& s = c.steps[i];
        out += "<tr><td>" + std::to_string(i + 1) + "</td><td>" + value_text(s.value, c.mode) +
               "</td><td>" + format_rate(s.received_per_s()) + "</td><td>" +
               percentile_cell(s.latency, 50) + "</td><td>" + percentile_cell(s.latency, 99) +
               "</td><td>" + percentile_cell(s.latency, 99.9) + "</td><td>" +
               std::to_string(s.total_errors()) + "</td><td>" +
               (s.breaches.empty() ? "pass" : "<b>FAIL</b>") + "</td><td>" +
               (s.generator_bound ? "<b>saturated</b>" : "ok") +
               printf_string(", cpu %.0f%%", s.generator_cpu * 100) + "</td><td>" +
               escape_markup(s.breaches.empty() ? std::string() : s.breaches.front()) +
               "</td></tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace

std::string capacity_section(const std::vector<LoadgenFile>& in) {
    std::string mode;
    for (const LoadgenFile& f : in) {
        if (f.report.capacity && mode.empty()) mode = f.report.capacity->mode;
    }
    if (mode.empty()) return "";
    std::string out = "<h2>Capacity search</h2>\n";
    out +=
        "<p class=\"note\">Each step is one run at the offered load; the knee is where latency "
        "turns up. The rest of the page shows each input's highest passing step.</p>\n";
    for (const LoadgenFile& f : in) {
        if (f.report.capacity && f.report.capacity->mode != mode) {
            out += "<p class=\"note\">" + escape_markup(short_name(f)) + " searched " +
                   escape_markup(f.report.capacity->mode) + ", not " + escape_markup(mode) +
                   ": left out of the charts (its table is below).</p>\n";
        }
    }
    out += knee_chart(in, mode) + throughput_chart(in, mode);
    for (const LoadgenFile& f : in) {
        if (f.report.capacity) out += steps_table(f);
    }
    return out;
}

}  // namespace wsb::report
