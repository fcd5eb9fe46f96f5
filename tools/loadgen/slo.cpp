// Parsing --slo terms and judging a run's result against them.
#include "loadgen/slo.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "loadgen/run_report.hpp"
#include "wsbench/units.hpp"

namespace wsb::loadgen {
namespace {

using Metric = SloTerm::Metric;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A plain non-negative decimal ("12", "0.5", ".5"): what percentiles and percentages are.
bool parse_decimal(std::string_view s, double& out) {
    bool digits = false;
    bool dot = false;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            digits = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    if (!digits || s.back() == '.') return false;
    out = std::strtod(std::string(s).c_str(), nullptr);
    return std::isfinite(out);
}

// "%g"-style number without trailing zeros: 5 -> "5", 0.1 -> "0.1", 99.99 -> "99.99".
std::string compact_number(double v, int precision = 6) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    return buf;
}

// format_duration_us() without trailing zeros: 5000 -> "5 ms", 2500 -> "2.5 ms".
std::string compact_duration_us(double us) {
    std::string s = format_duration_us(us);
    const auto space = s.find(' ');
    const auto dot = s.find('.');
    if (space == std::string::npos || dot == std::string::npos || dot > space) return s;
    std::size_t end = space;
    while (end > dot + 1 && s[end - 1] == '0') --end;
    if (end == dot + 1) end = dot;
    return s.substr(0, end) + s.substr(space);
}

std::string quoted(std::string_view term) { return "--slo term '" + std::string(term) + "'"; }

struct ParseError {
    Errc code;
    std::string message;
};

// Fills `error` for a bad term and returns false.
bool bad(std::string_view term, Errc code, const std::string& why, ParseError& error) {
    error = {code, quoted(term) + ": " + why};
    return false;
}

// A latency bound ("5ms"), in microseconds into t.value.
bool parse_latency_value(std::string_view term, std::string_view value, SloTerm& t,
                         ParseError& error) {
    if (value.find_first_not_of("0123456789. ") == std::string_view::npos) {
        return bad(term, Errc::invalid_argument,
                   "give the latency a unit, e.g. " + std::string(value) + "ms", error);
    }
    std::chrono::nanoseconds ns{};
    const Errc e = parse_duration(value, ns);
    if (e != Errc::ok) {
        return bad(term, e, "'" + std::string(value) + "' is not a duration (e.g. 500us, 5ms, 1s)",
                   error);
    }
    t.value = static_cast<double>(ns.count()) / 1000.0;
    return true;
}

// "p99", "p99.9", "p99_9": the percentile into t.percentile.
bool parse_percentile(std::string_view term, const std::string& metric, SloTerm& t,
                      ParseError& error) {
    std::string number = metric.substr(1);
    for (char& c : number) c = c == '_' ? '.' : c;
    double p = 0;
    if (!parse_decimal(number, p)) {
        return bad(term, Errc::invalid_argument,
                   "'" + metric + "' is not a percentile; write p50, p99, p99.9, ...", error);
    }
    if (!(p > 0 && p <= 100)) {
        return bad(term, Errc::invalid_argument, "a percentile must be above 0 and at most 100",
                   error);
    }
    t.metric = Metric::latency_percentile;
    t.percentile = p;
    return true;
}

// errors<10 (a count) or errors<0.1% (a rate); `noun` ("error", "timeout") for messages.
bool parse_count_or_rate(std::string_view term, std::string_view value, Metric count_metric,
                         Metric rate_metric, const char* noun, SloTerm& t, ParseError& error) {
    if (value.back() == '%') {
        double percent = 0;
        if (!parse_decimal(trim(value.substr(0, value.size() - 1)), percent)) {
            return bad(term, Errc::unit_malformed,
                       "'" + std::string(value) + "' is not a percentage (e.g. 0.1%)", error);
        }
        if (percent > 100) {
            return bad(term, Errc::unit_out_of_range, "a rate above 100% is no bound", error);
        }
        t.metric = rate_metric;
        t.value = percent / 100.0;
        return true;
    }
    std::uint64_t n = 0;
    const Errc e = parse_count(value, n);
    if (e != Errc::ok) {
        return bad(term, e,
                   "'" + std::string(value) + "' is not " + (noun[0] == 'e' ? "an " : "a ") + noun +
                       " count or rate (e.g. 10, or 0.1% for a rate)",
                   error);
    }
    t.metric = count_metric;
    t.value = static_cast<double>(n);
    return true;
}

// A step's count>N.
bool parse_count_value(std::string_view term, std::string_view value, SloTerm& t,
                       ParseError& error) {
    std::uint64_t n = 0;
    const Errc e = parse_count(value, n);
    if (e != Errc::ok) {
        return bad(term, e, "'" + std::string(value) + "' is not a count (e.g. 100, 1k)", error);
    }
    t.metric = Metric::count;
    t.value = static_cast<double>(n);
    return true;
}

constexpr const char* kMetricsHelp =
    "use p50, p90, p99, p99.9 (any pNN), max, mean, errors or throughput; for a step of a "
    "scenario file STEP.pNN, STEP.max, STEP.mean, STEP.timeouts, STEP.errors or STEP.count";

// Metrics of a step alone, or of the whole run alone: refused on the other side.
bool misplaced(std::string_view term, const std::string& metric, bool per_step, ParseError& error) {
    if (per_step && metric == "throughput") {
        return !bad(term, Errc::invalid_argument,
                    "throughput is a metric of the whole run, not of a step; per step: pNN, max, "
                    "mean, timeouts, errors, count",
                    error);
    }
    if (!per_step && (metric == "timeouts" || metric == "count")) {
        return !bad(term, Errc::invalid_argument,
                    "'" + metric + "' is a metric of a scenario file's step; write STEP." + metric +
                        (metric == "count" ? ">100" : "<0.1%") + ", e.g. rpc." + metric +
                        (metric == "count" ? ">100" : "<0.1%"),
                    error);
    }
    return false;
}

// The metric (lowercased) and its bound into `t`.
bool parse_metric(std::string_view term, const std::string& metric, std::string_view value,
                  SloTerm& t, ParseError& error) {
    if (metric == "max" || metric == "mean") {
        t.metric = metric == "max" ? Metric::latency_max : Metric::latency_mean;
        return parse_latency_value(term, value, t, error);
    }
    if (metric.size() > 1 && metric[0] == 'p' &&
        metric.find_first_not_of("0123456789._", 1) == std::string::npos) {
        return parse_percentile(term, metric, t, error) &&
               parse_latency_value(term, value, t, error);
    }
    if (misplaced(term, metric, !t.step.empty(), error)) return false;
    if (metric == "errors") {
        return parse_count_or_rate(term, value, Metric::errors, Metric::error_rate, "error", t,
                                   error);
    }
    if (metric == "timeouts") {
        return parse_count_or_rate(term, value, Metric::timeouts, Metric::timeout_rate, "timeout",
                                   t, error);
    }
    if (metric == "count") return parse_count_value(term, value, t, error);
    if (metric == "throughput") {
        double rate = 0;
        const Errc e = parse_rate(value, rate);
        if (e != Errc::ok) {
            return bad(term, e, "'" + std::string(value) + "' is not a rate (e.g. 10000, 10k/s)",
                       error);
        }
        t.metric = Metric::throughput;
        t.value = rate;
        return true;
    }
    return bad(term, Errc::invalid_argument, "unknown metric '" + metric + "'; " + kMetricsHelp,
               error);
}

// A metric name parse_metric knows (lowercased), or a pNN-like one it judges.
bool is_metric_name(std::string_view m) {
    for (const char* known : {"max", "mean", "errors", "throughput", "timeouts", "count"}) {
        if (m == known) return true;
    }
    return m.size() > 1 && m[0] == 'p' && m.find_first_not_of("0123456789._", 1) == m.npos;
}

// "rpc.p99" -> step "rpc", metric "p99"; "p99.9" -> no step. Step names come from the scenario
// file and may hold dots themselves, and pNN.N holds one: the step ends at the first dot that
// a metric name follows ("user.login.p99.9" -> "user.login", "p99.9").
void split_step(std::string_view name, std::string& step, std::string& metric) {
    for (std::size_t dot = name.find('.'); dot != std::string_view::npos;
         dot = name.find('.', dot + 1)) {
        const std::string rest = lower(name.substr(dot + 1));
        if (dot > 0 && is_metric_name(rest)) {
            step = std::string(name.substr(0, dot));
            metric = rest;
            return;
        }
    }
    step.clear();
    metric = lower(name);
}

// Parses one trimmed, non-empty term; returns false and fills `error` when it is bad.
bool parse_term(std::string_view term, SloTerm& t, ParseError& error) {
    auto fail = [&](const std::string& why) {
        return bad(term, Errc::invalid_argument, why, error);
    };
    const auto op = term.find_first_of("<>");
    if (op == std::string_view::npos) {
        return fail("no comparison; write METRIC<VALUE or METRIC>VALUE, e.g. p99<5ms");
    }
    t.less_than = term[op] == '<';
    std::string_view value = term.substr(op + 1);
    if (!value.empty() && value.front() == '=') return fail("use < or > (comparisons are strict)");
    value = trim(value);
    std::string metric;
    split_step(trim(term.substr(0, op)), t.step, metric);
    if (metric.empty()) return fail("no metric before the comparison");
    if (value.empty()) return fail("no value after the comparison");
    if (value.find_first_of("<>") != std::string_view::npos) {
        return fail("more than one comparison in one term");
    }
    t.text = std::string(term);
    if (!parse_metric(term, metric, value, t, error)) return false;
    if (t.less_than && t.value <= 0) {
        const std::string prefix = t.step.empty() ? "" : t.step + ".";
        if (t.metric == Metric::errors || t.metric == Metric::error_rate) {
            return fail("can never hold (nothing is below 0); for no errors write " + prefix +
                        "errors<1");
        }
        if (t.metric == Metric::timeouts || t.metric == Metric::timeout_rate) {
            return fail("can never hold (nothing is below 0); for no timeouts write " + prefix +
                        "timeouts<1");
        }
        return fail("can never hold (nothing is below 0)");
    }
    return true;
}

// "p99", "p99.9", "max", "mean": the latency a term is about, for messages.
std::string latency_label(const SloTerm& t) {
    switch (t.metric) {
        case Metric::latency_max:
            return "max";
        case Metric::latency_mean:
            return "mean";
        default:
            return "p" + compact_number(t.percentile);
    }
}

const char* op_text(const SloTerm& t) { return t.less_than ? "<" : ">"; }

bool holds(const SloTerm& t, double measured) {
    return t.less_than ? measured < t.value : measured > t.value;
}

bool is_latency(Metric m) {
    return m == Metric::latency_percentile || m == Metric::latency_max || m == Metric::latency_mean;
}

// A latency term against `h`: "" when it holds, else why not ("p99 latency 7.20 ms is not <
// 5 ms"). Breached when nothing was recorded: a gate must not pass on a run that measured
// nothing.
std::string latency_breach(const SloTerm& t, const Histogram& h) {
    const std::string label = latency_label(t);
    if (h.total_count() == 0) {
        return label + " latency: no latency was recorded (--slo term '" + t.text + "')";
    }
    const double measured = t.metric == Metric::latency_mean ? h.mean()
                            : t.metric == Metric::latency_max
                                ? static_cast<double>(h.max())
                                : static_cast<double>(h.value_at_percentile(t.percentile));
    if (holds(t, measured)) return "";
    return label + " latency " + format_duration_us(measured) + " is not " + op_text(t) + " " +
           compact_duration_us(t.value);
}

// A count term: "" when it holds, else "errors 2 is not < 1".
std::string count_breach(const SloTerm& t, const char* what, std::uint64_t n) {
    if (holds(t, static_cast<double>(n))) return "";
    return std::string(what) + " " + std::to_string(n) + " is not " + op_text(t) + " " +
           compact_number(t.value, 15);
}

// A rate term: "" when it holds, else "error rate 0.3 % (3 errors in 1000 attempts) is not <
// 0.1 %".
std::string rate_breach(const SloTerm& t, const char* what, std::uint64_t n, const char* noun,
                        std::uint64_t attempts, const char* attempts_noun) {
    const double rate = report::error_rate_of(n, attempts);
    if (holds(t, rate)) return "";
    return std::string(what) + " " + compact_number(rate * 100, 3) + " % (" + std::to_string(n) +
           " " + noun + " in " + std::to_string(attempts) + " " + attempts_noun + ") is not " +
           op_text(t) + " " + compact_number(t.value * 100) + " %";
}

// A term without a step: the whole run.
std::string run_breach(const SloTerm& t, const RunResult& result) {
    if (is_latency(t.metric)) return latency_breach(t, result.latency);
    switch (t.metric) {
        case Metric::error_rate:
            return rate_breach(t, "error rate", result.total_errors(), "errors",
                               error_attempts(result), "attempts");
        case Metric::errors:
            return count_breach(t, "errors", result.total_errors());
        case Metric::throughput: {
            const double rate = received_per_second(result);
            if (holds(t, rate)) return "";
            return "throughput " + format_rate(rate) + " is not " + op_text(t) + " " +
                   format_rate(t.value);
        }
        default:
            return "--slo term '" + t.text + "' judges a step, and names none";  // parse refuses
    }
}

// A term with a step: that step of the scenario file, which the run must have.
std::string step_breach(const SloTerm& t, const RunResult& result) {
    const auto it = result.steps.find(t.step);
    if (it == result.steps.end()) {
        std::string names;
        for (const auto& [name, step] : result.steps) names += (names.empty() ? "" : ", ") + name;
        return "step '" + t.step + "' is not in this run (" +
               (names.empty() ? std::string("it has no named steps") : "steps: " + names) + ")";
    }
    const report::StepReport& s = it->second;
    const std::uint64_t attempts = s.count + s.timeouts;
    std::string breach;
    if (is_latency(t.metric)) {
        breach = latency_breach(t, s.latency);
    } else if (t.metric == Metric::timeout_rate) {
        breach = rate_breach(t, "timeouts", s.timeouts, "timeouts", attempts, "expects");
    } else if (t.metric == Metric::timeouts) {
        breach = count_breach(t, "timeouts", s.timeouts);
    } else if (t.metric == Metric::error_rate) {
        breach = rate_breach(t, "error rate", s.error_total(), "errors", attempts, "attempts");
    } else if (t.metric == Metric::errors) {
        breach = count_breach(t, "errors", s.error_total());
    } else if (t.metric == Metric::count) {
        breach = count_breach(t, "count", s.count);
    } else {
        breach = "throughput is not a metric of a step";  // parse refuses it
    }
    return breach.empty() ? breach : "step " + t.step + ": " + breach;
}

}  // namespace

Errc parse_slo(std::string_view text, std::vector<SloTerm>& out, std::string& error_message) {
    if (trim(text).empty()) {
        error_message = "--slo is empty; give terms like 'p99<5ms,errors<0.1%'";
        return Errc::invalid_argument;
    }
    std::vector<SloTerm> terms;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        const std::string_view term = trim(text.substr(start, comma - start));
        if (term.empty()) {
            error_message = "--slo '" + std::string(text) +
                            "' has an empty term (two commas in a row, or one at an end)";
            return Errc::invalid_argument;
        }
        SloTerm t;
        ParseError error{Errc::ok, {}};
        if (!parse_term(term, t, error)) {
            error_message = std::move(error.message);
            return error.code;
        }
        terms.push_back(std::move(t));
        start = comma + 1;
    }
    out = std::move(terms);
    return Errc::ok;
}

std::vector<std::string> evaluate_slo(const std::vector<SloTerm>& terms, const RunResult& result) {
    std::vector<std::string> breaches;
    for (const SloTerm& t : terms) {
        std::string breach = t.step.empty() ? run_breach(t, result) : step_breach(t, result);
        if (!breach.empty()) breaches.push_back(std::move(breach));
    }
    return breaches;
}

}  // namespace wsb::loadgen
