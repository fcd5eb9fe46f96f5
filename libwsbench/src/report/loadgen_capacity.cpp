// The capacity section of the loadgen report: a --find-max search's parameters, its steps with
// their own counters and histograms, and its result, as JSON and back, and their equality.
#include "loadgen_capacity.hpp"

#include <cstdio>
#include <tuple>

#include "json_fields.hpp"
#include "wsbench/units.hpp"

namespace wsb::report {

using json = nlohmann::json;
using namespace fields;

namespace {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::optional<double> read_optional_number(const json& parent, const std::string& path,
                                           const char* key) {
    if (at(parent, path, key).is_null()) return std::nullopt;
    return number(parent, path, key);
}

json step_json(const CapacityStep& s) {
    json j = {
        {"value", s.value},
        {"passed", s.passed},
        {"generator_bound", s.generator_bound},
        {"generator_cpu", s.generator_cpu},
        {"breaches", s.breaches},
        {"warnings", s.warnings},
        {"duration_s", s.duration_s},
        {"connections",
         {{"target", s.connections_target},
          {"established", s.connections_established},
          {"failed", s.connections_failed}}},
        {"messages", {{"sent", s.messages_sent}, {"received", s.messages_received}}},
        {"throughput", {{"sent_per_s", s.sent_per_s()}, {"received_per_s", s.received_per_s()}}},
        {"errors", s.errors},
        {"error_rate", s.error_rate},
        {"latency_us", latency_summary(s.latency)},
        {"latency_uncorrected_us", latency_summary(s.latency_uncorrected)},
        {"histograms",
         {{"latency", s.latency.encode_base64()},
          {"latency_uncorrected", s.latency_uncorrected.encode_base64()}}},
    };
    if (!s.fatal.empty()) j["fatal"] = s.fatal;
    return j;
}

CapacityStep read_step(const json& j, const std::string& path) {
    CapacityStep s;
    s.value = number(j, path, "value");
    s.passed = boolean(j, path, "passed");
    s.generator_bound = boolean(j, path, "generator_bound");
    s.generator_cpu = number(j, path, "generator_cpu");
    s.breaches = strings(j, path, "breaches");
    s.warnings = strings(j, path, "warnings");
    if (const json* f = find(j, "fatal")) s.fatal = text(*f, path + ".fatal");
    s.duration_s = number(j, path, "duration_s");
    const json& c = at(j, path, "connections");
    s.connections_target = u64(c, path + ".connections", "target");
    s.connections_established = u64(c, path + ".connections", "established");
    s.connections_failed = u64(c, path + ".connections", "failed");
    const json& m = at(j, path, "messages");
    s.messages_sent = u64(m, path + ".messages", "sent");
    s.messages_received = u64(m, path + ".messages", "received");
    const json& e = at(j, path, "errors");
    if (!e.is_object()) fail(path + ".errors", "expected an object");
    for (const auto& [kind, n] : e.items()) s.errors[kind] = u64(n, path + ".errors." + kind);
    s.error_rate = number(j, path, "error_rate");
    const json& h = at(j, path, "histograms");
    s.latency = histogram(h, path + ".histograms", "latency");
    s.latency_uncorrected = histogram(h, path + ".histograms", "latency_uncorrected");
    return s;
}

// The generator column: the busiest worker's share of a core, and BOUND when saturated.
std::string printf_cpu(double cpu, bool bound) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s, cpu %.0f%%", bound ? "BOUND" : "ok", cpu * 100);
    return buf;
}

std::string percentile(const Histogram& h, double p) {
    if (h.total_count() == 0) return "-";
    return format_duration_us(static_cast<double>(h.value_at_percentile(p)));
}

}  // namespace

namespace detail {

std::string capacity_value_text(double v, const std::string& mode) {
    char buf[48];
    if (mode == "connections") {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f/s" : "%.3g/s", v);
    }
    return buf;
}

std::string capacity_summary(const CapacityReport& c) {
    auto value = [&](const std::optional<double>& v) {
        return v ? capacity_value_text(*v, c.mode) : std::string("none");
    };
    std::string slo;
    for (const std::string& t : c.slo) slo += (slo.empty() ? "" : ",") + t;
    char buf[320];
    std::snprintf(buf, sizeof buf, "Capacity search (%s), SLO %s: %zu steps of %.3g s\n",
                  c.mode.c_str(), slo.c_str(), c.steps.size(), c.step_duration_s);
    std::string out = buf;
    std::snprintf(buf, sizeof buf, "  %-4s %12s %12s %10s %10s %10s %8s  %-4s  %s\n", "step",
                  c.mode.c_str(), "throughput", "p50", "p99", "p99.9", "errors", "SLO",
                  "generator");
    out += buf;
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
        const CapacityStep& s = c.steps[i];
        std::snprintf(buf, sizeof buf, "  %-4zu %12s %12s %10s %10s %10s %8llu  %-4s  %s", i + 1,
                      capacity_value_text(s.value, c.mode).c_str(),
                      format_rate(s.received_per_s()).c_str(), percentile(s.latency, 50).c_str(),
                      percentile(s.latency, 99).c_str(), percentile(s.latency, 99.9).c_str(),
                      static_cast<unsigned long long>(s.total_errors()),
                      s.breaches.empty() ? "pass" : "FAIL",
                      printf_cpu(s.generator_cpu, s.generator_bound).c_str());
        out += buf;
        if (!s.breaches.empty()) out += "  " + s.breaches.front();
        out += "\n";
    }
    out += "  Capacity: " +
           (c.found ? value(c.highest_passing) + " (the highest passing value)"
                    : std::string("not found")) +
           "; highest passing " + value(c.highest_passing) + ", first failing " +
           value(c.first_failing) + "\n";
    out += "  Stopped (" + c.stop + "): " + c.detail + "\n";
    return out;
}

json capacity_json(const CapacityReport& c) {
    json steps = json::array();
    for (const CapacityStep& s : c.steps) steps.push_back(step_json(s));
    return {
        {"mode", c.mode},
        {"start", c.start},
        {"max", c.max},
        {"step", c.step},
        {"precision", c.precision},
        {"step_duration_s", c.step_duration_s},
        {"warmup_s", c.warmup_s},
        {"slo", c.slo},
        {"steps", steps},
        {"result",
         {{"found", c.found},
          {"highest_passing", optional_number(c.highest_passing)},
          {"first_failing", optional_number(c.first_failing)},
          {"stop", c.stop},
          {"detail", c.detail}}},
    };
}

CapacityReport read_capacity(const json& j) {
    const std::string path = "$.capacity";
    CapacityReport c;
    c.mode = text(j, path, "mode");
    if (c.mode != "rate" && c.mode != "connections") {
        fail(path + ".mode", "expected rate or connections, not '" + c.mode + "'");
    }
    c.start = number(j, path, "start");
    c.max = number(j, path, "max");
    c.step = number(j, path, "step");
    c.precision = number(j, path, "precision");
    c.step_duration_s = number(j, path, "step_duration_s");
    c.warmup_s = number(j, path, "warmup_s");
    c.slo = strings(j, path, "slo");
    const json& steps = array(j, path, "steps");
    for (std::size_t i = 0; i < steps.size(); ++i) {
        c.steps.push_back(read_step(steps[i], path + ".steps[" + std::to_string(i) + "]"));
    }
    const std::string rp = path + ".result";
    const json& r = at(j, path, "result");
    c.found = boolean(r, rp, "found");
    c.highest_passing = read_optional_number(r, rp, "highest_passing");
    c.first_failing = read_optional_number(r, rp, "first_failing");
    c.stop = text(r, rp, "stop");
    c.detail = text(r, rp, "detail");
    return c;
}

}  // namespace detail

double CapacityStep::received_per_s() const {
    return duration_s > 0 ? static_cast<double>(messages_received) / duration_s : 0.0;
}

double CapacityStep::sent_per_s() const {
    return duration_s > 0 ? static_cast<double>(messages_sent) / duration_s : 0.0;
}

std::uint64_t CapacityStep::total_errors() const {
    std::uint64_t n = 0;
    for (const auto& entry : errors) n += entry.second;
    return n;
}

bool operator==(const CapacityStep& a, const CapacityStep& b) {
    auto t = [](const CapacityStep& s) {
        return std::tie(s.value, s.passed, s.generator_bound, s.generator_cpu, s.breaches,
                        s.warnings, s.fatal, s.duration_s, s.connections_target,
                        s.connections_established, s.connections_failed, s.messages_sent,
                        s.messages_received, s.errors, s.error_rate, s.latency,
                        s.latency_uncorrected);
    };
    return t(a) == t(b);
}

bool operator==(const CapacityReport& a, const CapacityReport& b) {
    auto t = [](const CapacityReport& c) {
        return std::tie(c.mode, c.start, c.max, c.step, c.precision, c.step_duration_s, c.warmup_s,
                        c.slo, c.steps, c.found, c.highest_passing, c.first_failing, c.stop,
                        c.detail);
    };
    return t(a) == t(b);
}

}  // namespace wsb::report
