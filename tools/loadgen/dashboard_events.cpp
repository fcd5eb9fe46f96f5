// The dashboard's server-sent events (see loadgen/dashboard.hpp): JSON objects made from the
// coordinator's seconds, a search's steps and the report.
#include <cmath>
#include <filesystem>

#include "loadgen/capacity.hpp"
#include "loadgen/dashboard.hpp"
#include "wsbench/scenario/model.hpp"

namespace wsb::loadgen {
namespace {

using json = nlohmann::json;

const char* verdict(StepOutcome o) noexcept {
    switch (o) {
        case StepOutcome::pass:
            return "pass";
        case StepOutcome::fail:
            return "fail";
        case StepOutcome::generator_bound:
            return "generator_bound";
        case StepOutcome::unreachable:
            return "unreachable";
        case StepOutcome::interrupted:
            return "interrupted";
    }
    return "?";
}

std::uint64_t percentile(const Histogram& h, double p) {
    return h.total_count() == 0 ? 0 : h.value_at_percentile(p);
}

}  // namespace

LiveCapacityStep live_capacity_step(std::size_t number, const CapacityStepRun& step) {
    const RunResult& r = step.result;
    LiveCapacityStep s;
    s.number = number;
    s.value = step.value;
    s.throughput = r.duration_s > 0 ? static_cast<double>(r.messages_received) / r.duration_s : 0.0;
    s.p50_us = percentile(r.latency, 50);
    s.p99_us = percentile(r.latency, 99);
    s.verdict = verdict(step.judgement.outcome);
    return s;
}

std::string sse_event(std::string_view name, const json& data) {
    std::string out = "event: ";
    out += name;
    out += "\ndata: ";
    // One line: dump() escapes newlines inside strings; bad UTF-8 becomes U+FFFD.
    out += data.dump(-1, ' ', false, json::error_handler_t::replace);
    out += "\n\n";
    return out;
}

json hello_event(const Config& config) {
    json j;
    j["title"] = "wsbench-loadgen " + config.url_text;
    j["url"] = config.url_text;
    std::string scenario = to_string(config.scenario);
    json steps = json::array();
    if (config.script) {
        scenario = "file " + std::filesystem::path(config.script->file).filename().string();
        for (const std::string& name : config.script->step_names()) steps.push_back(name);
    }
    j["scenario"] = scenario;
    j["steps"] = steps;
    // A scenario file's phases start the sessions: -c is not its size.
    j["connections"] = config.script ? json(nullptr) : json(config.connections);
    j["rate"] = config.rate;
    using Mode = CapacityOptions::Mode;
    j["search"] = config.capacity.mode == Mode::rate          ? "rate"
                  : config.capacity.mode == Mode::connections ? "connections"
                                                              : "";
    j["report"] = "/report.html";
    return j;
}

json second_event(double t_s, const LiveSecond& s, const LiveCounters& totals) {
    std::uint64_t errors = 0;
    for (const std::uint64_t n : totals.errors) errors += n;
    json steps = json::array();
    for (const auto& [p50, p99] : s.steps) steps.push_back({p50, p99});
    return json{{"t", std::round(t_s * 1000) / 1000},
                {"sent", s.sent},
                {"received", s.received},
                {"errors", s.errors},
                {"connections", s.connections},
                {"p50_us", s.p50_us},
                {"p99_us", s.p99_us},
                {"steps", steps},
                {"total",
                 {{"sent", totals.messages_sent},
                  {"received", totals.messages_received},
                  {"errors", errors},
                  {"opened", totals.connections_opened},
                  {"failed", totals.connections_failed}}}};
}

json capacity_step_event(const LiveCapacityStep& step) {
    return json{{"n", step.number},      {"value", step.value},   {"throughput", step.throughput},
                {"p50_us", step.p50_us}, {"p99_us", step.p99_us}, {"verdict", step.verdict}};
}

json end_event(const report::LoadgenReport& r, const std::string& report_url) {
    json j{{"report", report_url},
           {"sent", r.messages_sent},
           {"received", r.messages_received},
           {"connections", r.connections.established},
           {"failed", r.connections.failed},
           {"errors", r.total_errors()},
           {"throughput", r.received_per_s},
           {"duration_s", r.duration_s},
           {"p50_us", percentile(r.latency, 50)},
           {"p99_us", percentile(r.latency, 99)},
           {"interrupted", r.envelope.interrupted},
           {"capacity", nullptr}};
    if (r.capacity && r.capacity->found && r.capacity->highest_passing) {
        j["capacity"] = *r.capacity->highest_passing;
    }
    return j;
}

}  // namespace wsb::loadgen
