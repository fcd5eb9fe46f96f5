// compare for loadgen reports: metrics recomputed from the histograms, judged per threshold.
#include "report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

#include "report/autobahn.hpp"
#include "wsbench/units.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

struct Percentile {
    const char* name;
    double percentile;  // <0: min, >100: mean
};
constexpr Percentile kPercentiles[] = {
    {"min", -1}, {"p50", 50},     {"p75", 75},       {"p90", 90},  {"p95", 95},
    {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99}, {"max", 100}, {"mean", 101},
};

double histogram_value(const Histogram& h, double percentile) {
    if (percentile < 0) return static_cast<double>(h.min());
    if (percentile > 100) return h.mean();
    return static_cast<double>(h.value_at_percentile(percentile));
}

std::string format_value(const MetricChange& m, double v) {
    if (m.unit == "us") return format_duration_us(v);
    if (m.unit == "/s") return format_rate(v);
    if (m.unit == "%") return printf_string("%.3g%%", v);
    return printf_string("%.0f", v);
}

std::string format_change(const MetricChange& m) {
    const double d = m.change();
    if (d == 0) return "0";
    const std::string sign = d > 0 ? "+" : "-";
    return sign + format_value(m, std::fabs(d));
}

std::string format_pct(const MetricChange& m) {
    const double p = m.change_pct();
    if (std::isinf(p)) return p > 0 ? "+inf" : "-inf";
    return printf_string("%+.1f%%", p);
}

std::string verdict_text(const MetricChange& m) {
    if (m.verdict == Verdict::info) return "";
    if (m.verdict == Verdict::no_change) return printf_string("no change (%g%%)", m.threshold_pct);
    return std::string(to_string(m.verdict)) + printf_string(" (>%g%%)", m.threshold_pct);
}

void judge(MetricChange& m) {
    const double p = m.change_pct();
    if (m.base == m.current || std::fabs(p) <= m.threshold_pct) {
        m.verdict = Verdict::no_change;
        return;
    }
    const bool worse = m.higher_is_better ? m.current < m.base : m.current > m.base;
    m.verdict = worse ? Verdict::regression : Verdict::improvement;
}

std::string config_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string totals_text(const CaseTotals& t) {
    return printf_string("%zu cases, %zu passed, %zu failed", t.cases, t.passed, t.failed) +
           (t.unimplemented ? printf_string(", %zu unimplemented", t.unimplemented) : "") +
           " (agent " + t.agent + ")";
}

json totals_json(const CaseTotals& t) {
    return {{"agent", t.agent},
            {"cases", t.cases},
            {"passed", t.passed},
            {"failed", t.failed},
            {"unimplemented", t.unimplemented}};
}

json case_json(const std::optional<CaseResult>& r) {
    if (!r) return nullptr;
    return {{"behavior", r->behavior}, {"behaviorClose", r->behavior_close}};
}

std::string case_cell(const std::optional<CaseResult>& r) { return r ? r->text() : "-"; }

constexpr CaseChange::Kind kCaseKinds[] = {
    CaseChange::Kind::newly_failing, CaseChange::Kind::newly_passing, CaseChange::Kind::changed,
    CaseChange::Kind::missing, CaseChange::Kind::added};

std::string cases_text(const Comparison& c) {
    std::string out;
    for (CaseChange::Kind kind : kCaseKinds) {
        const std::size_t n = c.count(kind);
        if (n == 0) continue;
        out += printf_string("  %s (%zu):\n", to_string(kind), n);
        for (const CaseChange& k : c.cases) {
            if (k.kind != kind) continue;
            out += printf_string("    %-14s %-28s -> %s\n", k.id.c_str(), case_cell(k.base).c_str(),
                                 case_cell(k.current).c_str());
        }
    }
    if (c.cases.empty()) out += "  no case changed its verdicts\n";
    out += "  Base: " + totals_text(c.base_totals) + "\n";
    out += "  New:  " + totals_text(c.new_totals) + "\n";
    for (const std::string& note : c.notes) out += "  Note: " + note + "\n";
    out += printf_string("  %zu newly failing, %zu newly passing\n",
                         c.count(CaseChange::Kind::newly_failing),
                         c.count(CaseChange::Kind::newly_passing));
    return out;
}

std::string cases_markdown(const Comparison& c) {
    const std::size_t failing = c.count(CaseChange::Kind::newly_failing);
    std::string out =
        failing > 0
            ? printf_string("### wsbench conformance: %zu newly failing case(s)\n\n", failing)
            : std::string("### wsbench conformance: no newly failing case\n\n");
    out += "Base `" + c.base_path + "`: " + totals_text(c.base_totals) + ".  \nNew `" + c.new_path +
           "`: " + totals_text(c.new_totals) + ".\n\n";
    if (!c.cases.empty()) {
        out += "| case | base | new | change |\n|---|---|---|---|\n";
        for (const CaseChange& k : c.cases) {
            std::string change = to_string(k.kind);
            if (k.kind == CaseChange::Kind::newly_failing) change = "**" + change + "**";
            out += "| " + k.id + " | " + case_cell(k.base) + " | " + case_cell(k.current) + " | " +
                   change + " |\n";
        }
    }
    if (!c.notes.empty()) {
        out += "\n";
        for (const std::string& note : c.notes) out += "- " + note + "\n";
    }
    return out;
}

// The metrics compare judges per step of a scenario file: steps.NAME.METRIC.
constexpr const char* kStepMetrics[] = {"p50", "p99", "p99.9", "timeouts"};
constexpr const char* kStepPrefix = "steps.";

// "steps.rpc.p99.9" -> "p99.9"; "" when `name` is no step metric.
std::string step_metric_of(const std::string& name) {
    if (name.rfind(kStepPrefix, 0) != 0) return "";
    const std::size_t prefix = std::string(kStepPrefix).size();
    for (const char* metric : kStepMetrics) {
        const std::string suffix = std::string(".") + metric;
        if (name.size() > prefix + suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            return metric;
        }
    }
    return "";
}

using AddMetric = std::function<void(const std::string& name, const char* unit,
                                     bool higher_is_better, double base, double current)>;

// Scenario files: per step, p50/p99/p99.9 of its corrected latency (when either report
// recorded any) and its timeouts (expects); a step in one report alone becomes a note.
void add_step_metrics(const LoadgenFile& base, const LoadgenFile& current, const AddMetric& add,
                      std::vector<std::string>& notes) {
    const auto& bs = base.report.steps;
    const auto& ns = current.report.steps;
    std::set<std::string> names;
    for (const auto& [name, step] : bs) names.insert(name);
    for (const auto& [name, step] : ns) names.insert(name);
    for (const std::string& name : names) {
        const auto b = bs.find(name);
        const auto n = ns.find(name);
        if (b == bs.end() || n == ns.end()) {
            notes.push_back("step '" + name + "' is only in " +
                            (b == bs.end() ? current.path : base.path) + ": not compared");
            continue;
        }
        const StepReport& bstep = b->second;
        const StepReport& nstep = n->second;
        const std::string prefix = kStepPrefix + name + ".";
        if (bstep.latency.total_count() > 0 || nstep.latency.total_count() > 0) {
            for (const Percentile& p : {Percentile{"p50", 50}, {"p99", 99}, {"p99.9", 99.9}}) {
                add(prefix + p.name, "us", false, histogram_value(bstep.latency, p.percentile),
                    histogram_value(nstep.latency, p.percentile));
            }
        }
        if (bstep.kind == "expect" || nstep.kind == "expect") {
            add(prefix + "timeouts", "", false, static_cast<double>(bstep.timeouts),
                static_cast<double>(nstep.timeouts));
        }
        if (bstep.kind != nstep.kind) {
            notes.push_back("step '" + name + "' is of kind " + bstep.kind + " in " + base.path +
                            " and " + nstep.kind + " in " + current.path);
        }
    }
}

// Capacity searches (--find-max): the capacities found, higher is better; a search that found
// none compares as 0 and says why in a note.
void add_capacity_metrics(const LoadgenFile& base, const LoadgenFile& current, const AddMetric& add,
                          std::vector<std::string>& notes) {
    const auto& bc = base.report.capacity;
    const auto& nc = current.report.capacity;
    if (!bc && !nc) return;
    if (!bc || !nc) {
        notes.push_back("only " + (bc ? base.path : current.path) +
                        " is a capacity search: capacities not compared");
        return;
    }
    if (bc->mode != nc->mode) {
        notes.push_back("the searches differ: " + bc->mode + " in " + base.path + ", " + nc->mode +
                        " in " + current.path + ": capacities not compared");
        return;
    }
    auto found = [](const CapacityReport& c) { return c.found ? *c.highest_passing : 0.0; };
    add("capacity", bc->mode == "rate" ? "/s" : "", true, found(*bc), found(*nc));
    for (const auto* side : {&base, &current}) {
        const CapacityReport& c = *side->report.capacity;
        if (!c.found) notes.push_back(side->path + ": no capacity found (" + c.stop + ")");
    }
    if (bc->slo != nc->slo) notes.push_back("the searches' --slo terms differ");
    notes.push_back(
        printf_string("each capacity is known within its search's precision (%g%%, "
                      "%g%%): a smaller change is not a difference",
                      bc->precision * 100, nc->precision * 100));
}

}  // namespace

double Thresholds::for_metric(const std::string& name) const {
    if (auto it = override_pct.find(name); it != override_pct.end()) return it->second;
    // steps.rpc.p99 without its own threshold takes p99's.
    if (const std::string metric = step_metric_of(name); !metric.empty()) {
        if (auto it = override_pct.find(metric); it != override_pct.end()) return it->second;
        return default_pct;
    }
    const std::string prefix = "uncorrected.";
    if (name.rfind(prefix, 0) == 0) {
        if (auto it = override_pct.find(name.substr(prefix.size())); it != override_pct.end()) {
            return it->second;
        }
    }
    return default_pct;
}

const std::vector<std::string>& loadgen_metric_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n{"throughput", "errors", "error_rate", "capacity"};
        for (const Percentile& p : kPercentiles) n.emplace_back(p.name);
        for (const Percentile& p : kPercentiles) n.push_back(std::string("uncorrected.") + p.name);
        for (const char* family : {"connect.", "handshake."}) {
            for (const char* p : {"p50", "p99", "max"}) n.push_back(std::string(family) + p);
        }
        return n;
    }();
    return names;
}

std::string parse_threshold(const std::string& text, Thresholds& t) {
    std::string name;
    std::string value = text;
    if (const std::size_t eq = text.find('='); eq != std::string::npos) {
        name = text.substr(0, eq);
        value = text.substr(eq + 1);
        const auto& names = loadgen_metric_names();
        if (std::find(names.begin(), names.end(), name) == names.end() &&
            step_metric_of(name).empty()) {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
            return "--threshold '" + text + "': unknown metric '" + name + "' (one of " + known +
                   ", or steps.STEP.p50, .p99, .p99.9, .timeouts for a step of a scenario file)";
        }
    }
    if (!value.empty() && value.back() == '%') value.pop_back();
    char* end = nullptr;
    const double pct = value.empty() ? -1 : std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(pct >= 0) || std::isinf(pct)) {
        return "--threshold '" + text + "': expected a percentage such as 10% or p99=5%";
    }
    if (name.empty()) {
        t.default_pct = pct;
    } else {
        t.override_pct[name] = pct;
    }
    return "";
}

const char* to_string(Verdict v) noexcept {
    switch (v) {
        case Verdict::no_change:
            return "no change";
        case Verdict::improvement:
            return "improvement";
        case Verdict::regression:
            return "regression";
        case Verdict::info:
            return "";
    }
    return "?";
}

double MetricChange::change_pct() const {
    if (base == current) return 0;
    if (base == 0) {
        return current > 0 ? std::numeric_limits<double>::infinity()
                           : -std::numeric_limits<double>::infinity();
    }
    return (current - base) / std::fabs(base) * 100.0;
}

std::size_t Comparison::count(CaseChange::Kind k) const {
    std::size_t n = 0;
    for (const CaseChange& c : cases) n += c.kind == k ? 1 : 0;
    return n;
}

std::size_t Comparison::count(Verdict v) const {
    std::size_t n = 0;
    for (const MetricChange& m : metrics) n += m.verdict == v ? 1 : 0;
    return n;
}

Comparison compare_loadgen(const LoadgenFile& base, const LoadgenFile& current,
                           const Thresholds& thresholds) {
    Comparison c;
    c.kind = ReportKind::loadgen;
    c.base_path = base.path;
    c.new_path = current.path;
    const LoadgenReport& b = base.report;
    const LoadgenReport& n = current.report;

    auto add = [&](const std::string& name, const char* unit, bool higher_is_better, double bv,
                   double nv) {
        MetricChange m;
        m.name = name;
        m.unit = unit;
        m.higher_is_better = higher_is_better;
        m.base = bv;
        m.current = nv;
        m.threshold_pct = thresholds.for_metric(name);
        judge(m);
        c.metrics.push_back(m);
    };
    // As recorded: a merged report's throughput is the sum of its inputs', over their windows.
    add("throughput", "/s", true, b.received_per_s, n.received_per_s);
    add("errors", "", false, static_cast<double>(b.total_errors()),
        static_cast<double>(n.total_errors()));
    add("error_rate", "%", false, b.error_rate() * 100, n.error_rate() * 100);

    auto add_latency = [&](const std::string& prefix, const Histogram& bh, const Histogram& nh) {
        for (const Percentile& p : kPercentiles) {
            add(prefix + p.name, "us", false, histogram_value(bh, p.percentile),
                histogram_value(nh, p.percentile));
        }
    };
    if (b.latency.total_count() > 0 || n.latency.total_count() > 0) {
        add_latency("", b.latency, n.latency);
    }
    if (b.latency_uncorrected.total_count() > 0 || n.latency_uncorrected.total_count() > 0) {
        add_latency("uncorrected.", b.latency_uncorrected, n.latency_uncorrected);
    }
    // The connect scenario measures connections, not messages.
    if (b.config.scenario == "connect" || n.config.scenario == "connect") {
        auto add_connection = [&](const std::string& family, const Histogram& bh,
                                  const Histogram& nh) {
            for (const Percentile& p : {Percentile{"p50", 50}, {"p99", 99}, {"max", 100}}) {
                add(family + p.name, "us", false, histogram_value(bh, p.percentile),
                    histogram_value(nh, p.percentile));
            }
        };
        add_connection("connect.", b.connect, n.connect);
        add_connection("handshake.", b.handshake, n.handshake);
    }
    add_step_metrics(base, current, add, c.notes);
    add_capacity_metrics(base, current, add, c.notes);

    // Runs of different shape compare poorly; say so, but compare anyway.
    const json bc = b.config;
    const json nc = n.config;
    for (const char* key : {"url", "scenario", "scenario_file", "connections", "rate",
                            "per_connection_rate", "pipeline", "message_size", "message_type",
                            "duration_s", "warmup_s", "messages_per_connection", "coalesce_s"}) {
        const json bv = bc.value(key, json());
        const json nv = nc.value(key, json());
        if (bv != nv) {
            c.notes.push_back(std::string("config differs: ") + key + " " + config_text(bv) +
                              " -> " + config_text(nv));
        }
    }
    if (b.envelope.interrupted) c.notes.push_back(base.path + " was interrupted");
    if (n.envelope.interrupted) c.notes.push_back(current.path + " was interrupted");
    return c;
}

Comparison compare_inputs(const Input& base, const Input& current, const Thresholds& thresholds) {
    if (is_case_results(base.kind) && is_case_results(current.kind))
        return compare_autobahn(base, current);
    if (base.kind != current.kind) {
        throw InputError(base.path + " is a " + to_string(base.kind) + " report but " +
                         current.path + " is a " + to_string(current.kind) +
                         " report: compare takes two of the same kind");
    }
    if (base.kind == ReportKind::loadgen) {
        return compare_loadgen(to_loadgen(base), to_loadgen(current), thresholds);
    }
    throw InputError(base.path + ": comparing " + to_string(base.kind) +
                     " reports is not supported");
}

std::string render_text(const Comparison& c) {
    std::string out = "wsbench-report compare (" + std::string(to_string(c.kind)) + "): base " +
                      c.base_path + ", new " + c.new_path + "\n";
    if (c.kind != ReportKind::loadgen) return out + cases_text(c);
    int width = 18;  // wider for long step names (steps.NAME.timeouts)
    for (const MetricChange& m : c.metrics) {
        width = std::max(width, static_cast<int>(m.name.size()));
    }
    out += printf_string("  %-*s%14s%14s%14s%10s  %s\n", width, "metric", "base", "new", "change",
                         "change%", "verdict");
    for (const MetricChange& m : c.metrics) {
        out +=
            printf_string("  %-*s%14s%14s%14s%10s  %s\n", width, m.name.c_str(),
                          format_value(m, m.base).c_str(), format_value(m, m.current).c_str(),
                          format_change(m).c_str(), format_pct(m).c_str(), verdict_text(m).c_str());
    }
    for (const std::string& note : c.notes) out += "  Note: " + note + "\n";
    out += printf_string("  %zu regression(s), %zu improvement(s), %zu without change\n",
                         c.count(Verdict::regression), c.count(Verdict::improvement),
                         c.count(Verdict::no_change));
    return out;
}

json render_json(const Comparison& c) {
    if (c.kind != ReportKind::loadgen) {
        json cases = json::array();
        for (const CaseChange& k : c.cases) {
            cases.push_back({{"id", k.id},
                             {"change", to_string(k.kind)},
                             {"base", case_json(k.base)},
                             {"new", case_json(k.current)}});
        }
        return json{
            {"kind", to_string(c.kind)},
            {"base", c.base_path},
            {"new", c.new_path},
            {"cases", cases},
            {"totals", {{"base", totals_json(c.base_totals)}, {"new", totals_json(c.new_totals)}}},
            {"regressions", c.count(CaseChange::Kind::newly_failing)},
            {"improvements", c.count(CaseChange::Kind::newly_passing)},
            {"notes", c.notes},
            {"passed", !c.regressed()}};
    }
    json metrics = json::array();
    for (const MetricChange& m : c.metrics) {
        const double pct = m.change_pct();
        metrics.push_back({
            {"name", m.name},
            {"unit", m.unit},
            {"base", m.base},
            {"new", m.current},
            {"change", m.change()},
            {"change_pct", std::isinf(pct) ? json(nullptr) : json(pct)},
            {"threshold_pct", m.threshold_pct},
            {"better", m.higher_is_better ? "higher" : "lower"},
            {"verdict", to_string(m.verdict)},
        });
    }
    return json{
        {"kind", to_string(c.kind)},
        {"base", c.base_path},
        {"new", c.new_path},
        {"metrics", metrics},
        {"regressions", c.count(Verdict::regression)},
        {"improvements", c.count(Verdict::improvement)},
        {"notes", c.notes},
        {"passed", !c.regressed()},
    };
}

std::string render_markdown(const Comparison& c) {
    if (c.kind != ReportKind::loadgen) return cases_markdown(c);
    std::string out;
    const std::size_t regressions = c.count(Verdict::regression);
    const std::size_t improvements = c.count(Verdict::improvement);
    out += regressions > 0 ? printf_string("### wsbench: %zu regression(s)\n\n", regressions)
                           : std::string("### wsbench: no regression\n\n");
    out += "Base `" + c.base_path + "`, new `" + c.new_path + "`";
    out += printf_string(": %zu regression(s), %zu improvement(s).\n\n", regressions, improvements);
    out += "| metric | base | new | change | verdict |\n";
    out += "|---|---:|---:|---:|---|\n";
    for (const MetricChange& m : c.metrics) {
        std::string verdict = verdict_text(m);
        if (m.verdict == Verdict::regression) verdict = "**" + verdict + "**";
        out += "| " + m.name + " | " + format_value(m, m.base) + " | " +
               format_value(m, m.current) + " | " + format_change(m) + " (" + format_pct(m) +
               ") | " + verdict + " |\n";
    }
    if (!c.notes.empty()) {
        out += "\n";
        for (const std::string& note : c.notes) out += "- " + note + "\n";
    }
    return out;
}

}  // namespace wsb::report
