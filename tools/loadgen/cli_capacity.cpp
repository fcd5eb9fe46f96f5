// The capacity-search options of wsbench-loadgen: --find-max rate|connections with its start,
// cap, step, step duration and precision, and the options that cannot go with it.
#include <cstdlib>
#include <cxxopts.hpp>
#include <string>

#include "loadgen/cli.hpp"
#include "wsbench/scenario/model.hpp"

namespace wsb::loadgen {
namespace {

using cli::quoted;
using cli::UsageError;
using cli::Values;

constexpr double kDefaultStartRate = 100;

// "10%", "10" or "2.5%": a percentage in (0, 100), as a fraction.
double parse_precision(const std::string& text) {
    std::string s = text;
    if (!s.empty() && s.back() == '%') s.pop_back();
    char* end = nullptr;
    const double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(v > 0) || !(v < 100)) {
        throw UsageError{quoted("--precision", text) +
                         ": expected a percentage above 0 and below 100, such as 10%"};
    }
    return v / 100;
}

// The options a search sets itself, or that mean something else in a search.
void refuse_single_run_options(const Values& v, const Config& c) {
    if (v.given("duration")) {
        throw UsageError{
            "-d/--duration does not apply to --find-max: each step lasts --step-duration "
            "(default 10s) after --warmup (default 1s)"};
    }
    if (v.given("messages")) {
        throw UsageError{"-n/--messages does not apply to --find-max: steps last --step-duration"};
    }
    if (c.shard_count > 1) {
        throw UsageError{
            "--shard does not apply to --find-max: a search decides each step from the last, "
            "which shards running apart cannot"};
    }
    if (c.script && c.capacity.mode == CapacityOptions::Mode::rate &&
        (c.script->phases.size() != 1 || !c.script->phases.front().open)) {
        throw UsageError{
            "--find-max rate with a scenario file needs a file with one open phase "
            "(arrival_rate:): each step sets that phase's new sessions per second"};
    }
    if (c.script && c.capacity.mode == CapacityOptions::Mode::connections &&
        (c.script->phases.size() != 1 || c.script->phases.front().open)) {
        throw UsageError{
            "--find-max connections with a scenario file needs a file with one closed phase "
            "(users:) or none: each step sets that phase's sessions"};
    }
    if (c.slo.empty()) {
        throw UsageError{
            "--find-max needs --slo: the terms every step must hold, e.g. --slo "
            "'p99<5ms,errors<0.1%'"};
    }
}

void read_rate_search(const Values& v, Config& c) {
    CapacityOptions& o = c.capacity;
    if (v.given("rate") || v.given("per-connection-rate")) {
        throw UsageError{std::string(v.given("rate") ? "-R/--rate" : "--per-connection-rate") +
                         " does not apply to --find-max rate, which sets the total rate of each "
                         "step: give the first with --start-rate"};
    }
    if (c.scenario == Scenario::connect) {
        throw UsageError{
            "--find-max rate does not apply to --scenario connect, which sends no messages; "
            "use --find-max connections"};
    }
    for (const char* flag : {"max-connections", "step"}) {
        if (v.given(flag)) {
            throw UsageError{"--" + std::string(flag) + " applies to --find-max connections"};
        }
    }
    // A scenario file's open phase: its sessions per second (the file's arrival_rate first).
    const double file_rate = c.script ? c.script->phases.front().arrival_rate : 0;
    o.start = v.given("start-rate") ? v.rate("start-rate")
              : file_rate > 0       ? file_rate
                                    : kDefaultStartRate;
    if (o.start <= 0) throw UsageError{"--start-rate must be above 0"};
    o.max = v.given("max-rate") ? v.rate("max-rate") : 0;
    if (o.max > 0 && o.max < o.start) {
        throw UsageError{"--max-rate is below --start-rate: the search would have nowhere to go"};
    }
    if (!c.script) c.rate = o.start;
}

void read_connections_search(const Values& v, Config& c) {
    CapacityOptions& o = c.capacity;
    for (const char* flag : {"start-rate", "max-rate"}) {
        if (v.given(flag)) {
            throw UsageError{"--" + std::string(flag) +
                             " applies to --find-max rate; --find-max connections starts at -c"};
        }
    }
    if (c.scenario == Scenario::echo && !c.open_loop()) {
        throw UsageError{
            "--find-max connections with --scenario echo needs a rate (-R or "
            "--per-connection-rate): in a closed loop every connection sends as fast as it can, "
            "so every step saturates the generator; or hold idle connections with --scenario "
            "connect"};
    }
    // A scenario file's one closed phase: its users (-c for a file without phases).
    o.start = static_cast<double>(c.script ? c.script->phases.front().users : c.connections);
    o.max = v.given("max-connections")
                ? static_cast<double>(v.count("max-connections", "10k (0: no cap)"))
                : 0;
    if (o.max > 0 && o.max < o.start) {
        throw UsageError{"--max-connections is below -c, where the search starts"};
    }
    o.step = v.given("step") ? static_cast<double>(v.count("step", "100 (0: doubling)")) : 0;
}

}  // namespace

void add_capacity_options(cxxopts::Options& options) {
    // clang-format off
    options.add_options("Capacity search")
        ("find-max", "search the highest value at which every --slo term holds: 'rate' (total messages/s; a scenario file's new sessions/s) or 'connections' (a file's sessions); steps double, then bisect", cxxopts::value<std::string>(), "WHAT")
        ("start-rate", "rate search: the first step's total rate (default 100/s; a file's arrival_rate)", cxxopts::value<std::string>(), "RATE")
        ("max-rate", "rate search: stop once this rate passes (default: no cap)", cxxopts::value<std::string>(), "RATE")
        ("max-connections", "connections search (it starts at -c): stop once this many pass", cxxopts::value<std::string>(), "N")
        ("step", "connections search: add N connections each step instead of doubling", cxxopts::value<std::string>(), "N")
        ("step-duration", "each step's measured window, after --warmup (which a search makes 1s unless given)", cxxopts::value<std::string>()->default_value("10s"), "TIME")
        ("precision", "stop when the highest pass and the lowest failure are this close", cxxopts::value<std::string>()->default_value("10%"), "PCT");
    // clang-format on
}

void read_capacity(const Values& v, Config& c) {
    if (!v.given("find-max")) {
        for (const char* flag :
             {"start-rate", "max-rate", "max-connections", "step", "step-duration", "precision"}) {
            if (v.given(flag)) {
                throw UsageError{"--" + std::string(flag) +
                                 " applies to a capacity search only (--find-max)"};
            }
        }
        return;
    }
    const std::string mode = v.text("find-max");
    CapacityOptions& o = c.capacity;
    if (mode == "rate") {
        o.mode = CapacityOptions::Mode::rate;
    } else if (mode == "connections") {
        o.mode = CapacityOptions::Mode::connections;
    } else {
        throw UsageError{quoted("--find-max", mode) + ": expected rate or connections"};
    }
    refuse_single_run_options(v, c);
    if (o.mode == CapacityOptions::Mode::rate) {
        read_rate_search(v, c);
    } else {
        read_connections_search(v, c);
    }
    o.step_duration = v.duration("step-duration");
    if (o.step_duration.count() <= 0) throw UsageError{"--step-duration must be above 0"};
    // A scenario file has no warmup: its sessions are measured from their start.
    o.step_warmup = c.script            ? Nanos(0)
                    : v.given("warmup") ? c.warmup
                                        : Nanos(std::chrono::seconds(1));
    o.precision = parse_precision(v.text("precision"));
    c.duration = o.step_duration;
    c.warmup = o.step_warmup;
}

}  // namespace wsb::loadgen
