// --scenario FILE on the command line: the file loaded and compiled, the options that do not
// apply to it refused by name, and the phases of a file without any taken from -c and -d.
#include <algorithm>
#include <filesystem>

#include "loadgen/cli.hpp"
#include "wsbench/error.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/plan.hpp"

namespace wsb::loadgen {

using cli::UsageError;

void check_scenario(const std::string& path, std::ostream& out) {
    try {
        out << scenario::describe_plan(scenario::load_scenario(path));
    } catch (const scenario::ScenarioError& e) {
        throw UsageError{e.what()};
    }
}

bool is_builtin_scenario(const std::string& name) {
    return name == to_string(Scenario::echo) || name == to_string(Scenario::broadcast) ||
           name == to_string(Scenario::connect);
}

std::shared_ptr<scenario::Scenario> load_script(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw UsageError{"--scenario '" + path +
                         "': expected echo, broadcast, connect or a scenario file (YAML or "
                         "JSON), and no such file exists"};
    }
    try {
        return std::make_shared<scenario::Scenario>(scenario::load_scenario(path));
    } catch (const scenario::ScenarioError& e) {
        throw UsageError{e.what()};
    }
}

void apply_script(const cli::Values& v, std::shared_ptr<scenario::Scenario> s, Config& c) {
    // Options of the built-in scenarios that a scenario file replaces.
    static const char* const kNotForFiles[] = {
        "rate",         "per-connection-rate", "messages", "pipeline",     "stall",
        "message-size", "message-type",        "warmup",   "connect-rate", "ping-interval",
        "timeout",      "payload-file",        "coalesce",
    };
    for (const char* flag : kNotForFiles) {
        if (v.given(flag)) {
            throw UsageError{"--" + std::string(flag) +
                             " does not apply to a scenario file: its steps and phases say "
                             "what is sent and when (docs/scenarios.md)"};
        }
    }
    if (s->phases.empty()) {
        // No phases: -c sessions kept running (closed model) for -d.
        scenario::Phase p;
        p.duration = c.duration;
        p.users = c.connections;
        s->phases.push_back(p);
    } else if (v.given("connections") || v.given("duration")) {
        throw UsageError{
            std::string(v.given("connections") ? "-c/--connections" : "-d/--duration") +
            " does not apply to " + s->file +
            ": its phases say how many sessions run and for how long (a file "
            "without phases takes them from -c and -d)"};
    }
    // The file's subprotocols first, then --subprotocol's that it does not name.
    std::vector<std::string> offered = s->subprotocols;
    for (const std::string& p : c.subprotocols) {
        if (std::find(offered.begin(), offered.end(), p) == offered.end()) offered.push_back(p);
    }
    c.subprotocols = std::move(offered);
    if (!v.given("drain-timeout")) c.drain_timeout = kScriptDrainTimeout;
    c.scenario = Scenario::file;
    c.script = std::move(s);
}

}  // namespace wsb::loadgen
