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

// errors<10 (a count) or errors<0.1% (a rate).
bool parse_errors_value(std::string_view term, std::string_view value, SloTerm& t,
                        ParseError& error) {
    if (value.back() == '%') {
        double percent = 0;
        if (!parse_decimal(trim(value.substr(0, value.size() - 1)), percent)) {
            return bad(term, Errc::unit_malformed,
                       "'" + std::string(value) + "' is not a percentage (e.g. 0.1%)", error);
        }
        if (percent > 100) {
            return bad(term, Errc::unit_out_of_range, "a rate above 100% is no bound", error);
        }
        t.metric = Metric::error_rate;
        t.value = percent / 100.0;
        return true;
    }
    std::uint64_t n = 0;
    const Errc e = parse_count(value, n);
    if (e != Errc::ok) {
        return bad(term, e,
                   "'" + std::string(value) +
                       "' is not an error count or rate (e.g. 10, or 0.1% for a rate)",
                   error);
    }
    t.metric = Metric::errors;
    t.value = static_cast<double>(n);
    return true;
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
    if (metric == "errors") return parse_errors_value(term, value, t, error);
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
    return bad(term, Errc::invalid_argument,
               "unknown metric '" + metric +
                   "'; use p50, p90, p99, p99.9 (any pNN), max, mean, errors or throughput",
               error);
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
    const std::string metric = lower(trim(term.substr(0, op)));
    if (metric.empty()) return fail("no metric before the comparison");
    if (value.empty()) return fail("no value after the comparison");
    if (value.find_first_of("<>") != std::string_view::npos) {
        return fail("more than one comparison in one term");
    }
    t.text = std::string(term);
    if (!parse_metric(term, metric, value, t, error)) return false;
    if (t.less_than && t.value <= 0) {
        return fail(t.metric == Metric::errors || t.metric == Metric::error_rate
                        ? "can never hold (nothing is below 0); for no errors write errors<1"
                        : "can never hold (nothing is below 0)");
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
        const char* op = t.less_than ? "<" : ">";
        auto holds = [&](double measured) {
            return t.less_than ? measured < t.value : measured > t.value;
        };
        switch (t.metric) {
            case Metric::latency_percentile:
            case Metric::latency_max:
            case Metric::latency_mean: {
                const Histogram& h = result.latency;
                const std::string label = latency_label(t);
                if (h.total_count() == 0) {
                    breaches.push_back(label + " latency: no latency was recorded (--slo term '" +
                                       t.text + "')");
                    break;
                }
                const double measured =
                    t.metric == Metric::latency_mean ? h.mean()
                    : t.metric == Metric::latency_max
                        ? static_cast<double>(h.max())
                        : static_cast<double>(h.value_at_percentile(t.percentile));
                if (!holds(measured)) {
                    breaches.push_back(label + " latency " + format_duration_us(measured) +
                                       " is not " + op + " " + compact_duration_us(t.value));
                }
                break;
            }
            case Metric::error_rate: {
                const double rate = error_rate(result);
                if (!holds(rate)) {
                    breaches.push_back("error rate " + compact_number(rate * 100, 3) + " % (" +
                                       std::to_string(result.total_errors()) + " errors in " +
                                       std::to_string(error_attempts(result)) +
                                       " attempts) is not " + op + " " +
                                       compact_number(t.value * 100) + " %");
                }
                break;
            }
            case Metric::errors: {
                const std::uint64_t n = result.total_errors();
                if (!holds(static_cast<double>(n))) {
                    breaches.push_back("errors " + std::to_string(n) + " is not " + op + " " +
                                       compact_number(t.value, 15));
                }
                break;
            }
            case Metric::throughput: {
                const double rate = received_per_second(result);
                if (!holds(rate)) {
                    breaches.push_back("throughput " + format_rate(rate) + " is not " + op + " " +
                                       format_rate(t.value));
                }
                break;
            }
        }
    }
    return breaches;
}

}  // namespace wsb::loadgen
