// The scenario-file sections of the loadgen report: steps.<name> and sessions, as JSON and back,
// with their histograms and the summaries derived from them, and their equality.
#include "loadgen_steps.hpp"

#include <tuple>

#include "json_fields.hpp"

namespace wsb::report {

using json = nlohmann::json;
using namespace fields;

namespace {

json step_json(const StepReport& s) {
    json errors = json::object();
    for (const char* kind : kStepErrorKinds) errors[kind] = 0;  // zeros included
    for (const auto& [kind, n] : s.errors) errors[kind] = n;
    return {
        {"kind", s.kind},
        {"count", s.count},
        {"timeouts", s.timeouts},
        {"errors", errors},
        {"unmatched", s.unmatched},
        {"latency_us", latency_summary(s.latency)},
        {"latency_uncorrected_us", latency_summary(s.latency_uncorrected)},
        {"histograms",
         {{"latency", s.latency.encode_base64()},
          {"latency_uncorrected", s.latency_uncorrected.encode_base64()}}},
    };
}

json sessions_json(const SessionCounts& s) {
    return {
        {"started", s.started},
        {"completed", s.completed},
        {"failed", s.failed},
        {"cut", s.cut},
        {"unmatched", s.unmatched},
        {"template_errors", s.template_errors},
        {"errors", s.errors},
        {"start_lag_us", latency_summary(s.start_lag)},
        {"histograms", {{"start_lag", s.start_lag.encode_base64()}}},
    };
}

StepReport read_step(const json& j, const std::string& path) {
    StepReport s;
    s.kind = text(j, path, "kind");
    if (s.kind != "expect" && s.kind != "listen") {
        fail(path + ".kind", "expected expect or listen, not '" + s.kind + "'");
    }
    s.count = u64(j, path, "count");
    s.timeouts = u64(j, path, "timeouts");
    const json& errors = at(j, path, "errors");
    if (!errors.is_object()) fail(path + ".errors", "expected an object");
    for (const auto& [kind, n] : errors.items()) s.errors[kind] = u64(n, path + ".errors." + kind);
    s.unmatched = u64(j, path, "unmatched");
    // The exact data; latency_us and latency_uncorrected_us are derived from these.
    const json& h = at(j, path, "histograms");
    s.latency = histogram(h, path + ".histograms", "latency");
    s.latency_uncorrected = histogram(h, path + ".histograms", "latency_uncorrected");
    return s;
}

SessionCounts read_sessions(const json& j) {
    const std::string path = "$.sessions";
    SessionCounts s;
    s.started = u64(j, path, "started");
    s.completed = u64(j, path, "completed");
    s.failed = u64(j, path, "failed");
    s.cut = u64(j, path, "cut");
    s.unmatched = u64(j, path, "unmatched");
    s.template_errors = u64(j, path, "template_errors");
    if (const auto e = j.find("errors"); e != j.end()) {  // absent before issue 15
        if (!e->is_object()) fail(path + ".errors", "expected an object");
        for (const auto& [what, n] : e->items()) s.errors[what] = u64(n, path + ".errors." + what);
    }
    s.start_lag = histogram(at(j, path, "histograms"), path + ".histograms", "start_lag");
    return s;
}

// Errors by kind without the zeros: "zeros included" and "absent" say the same.
std::map<std::string, std::uint64_t> non_zero(const std::map<std::string, std::uint64_t>& m) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [kind, n] : m) {
        if (n != 0) out.emplace(kind, n);
    }
    return out;
}

}  // namespace

namespace detail {

void write_scenario_sections(json& j, const LoadgenReport& r) {
    if (r.config.scenario == "file" || !r.steps.empty()) {
        json steps = json::object();
        for (const auto& [name, step] : r.steps) steps[name] = step_json(step);
        j["steps"] = steps;
    }
    if (r.sessions) j["sessions"] = sessions_json(*r.sessions);
}

void read_scenario_sections(const json& d, LoadgenReport& r) {
    if (const json* steps = find(d, "steps")) {
        if (!steps->is_object()) fail("$.steps", "expected an object");
        for (const auto& [name, step] : steps->items()) {
            if (name.empty()) fail("$.steps", "a step has an empty name");
            r.steps[name] = read_step(step, "$.steps." + name);
        }
    }
    if (const json* sessions = find(d, "sessions")) r.sessions = read_sessions(*sessions);
}

}  // namespace detail

std::uint64_t StepReport::error_total() const {
    std::uint64_t total = 0;
    for (const auto& entry : errors) total += entry.second;
    return total;
}

bool operator==(const StepReport& a, const StepReport& b) {
    auto t = [](const StepReport& s, const std::map<std::string, std::uint64_t>& errors) {
        return std::tie(s.kind, s.count, s.timeouts, errors, s.unmatched, s.latency,
                        s.latency_uncorrected);
    };
    return t(a, non_zero(a.errors)) == t(b, non_zero(b.errors));
}

bool operator==(const SessionCounts& a, const SessionCounts& b) {
    auto t = [](const SessionCounts& s) {
        return std::tie(s.started, s.completed, s.failed, s.cut, s.unmatched, s.template_errors,
                        s.errors, s.start_lag);
    };
    return t(a) == t(b);
}

}  // namespace wsb::report
