// wsbench-loadgen run on a scenario file written for the test, against a server the test
// started: the exit, stderr and the report (schema-checked), for the protocol tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "node_peer.hpp"
#include "schema_check.hpp"
#include "scratch_dir.hpp"
#include "tool_process.hpp"

namespace wsb::test {

struct ScenarioFileRun {
    int exit_code = -1;     ///< -1: no exit within the deadline (a failure of the test)
    nlohmann::json report;  ///< discarded when none was written (a failure of the test)
    std::string err;        ///< the loadgen's stderr
};

/// Writes `scenario` to DIR/scenario.yaml and runs `wsbench-loadgen URL --scenario FILE --json
/// DIR/report.json -t 2` for at most 60 s; the report is checked against its schema.
inline ScenarioFileRun run_scenario_file(const ScratchDir& dir, const std::string& url,
                                         const std::string& scenario) {
    const std::string file = (dir / "scenario.yaml").string();
    std::ofstream(file) << scenario;
    const std::string out = (dir / "report.json").string();
    std::remove(out.c_str());
    const ToolRun r =
        run_tool({"wsbench-loadgen", url, "--scenario", file, "--json", out, "-t", "2"},
                 std::chrono::seconds(60));
    ScenarioFileRun result;
    result.err = r.err;
    EXPECT_TRUE(r.exit_code) << "no exit within the deadline: " << r.err;
    result.exit_code = r.exit_code.value_or(-1);
    std::ifstream in(out);
    result.report = nlohmann::json::parse(in, nullptr, false);
    EXPECT_TRUE(result.report.is_object()) << r.err;
    if (result.report.is_object()) {
        const SchemaCheck schema = check_schema_files("loadgen.schema.json", {out});
        EXPECT_EQ(schema.status, 0) << schema.output;
    }
    return result;
}

/// Starts the JavaScript peer `script` with `peer_args`, runs `scenario` against it, stops it;
/// its printed counts go to `counts`.
inline ScenarioFileRun run_scenario_against_js_peer(const ScratchDir& dir,
                                                    const std::string& script,
                                                    const std::vector<std::string>& peer_args,
                                                    const std::string& scenario,
                                                    nlohmann::json& counts) {
    NodePeer peer(script, peer_args);
    EXPECT_TRUE(peer.address);
    if (!peer.address) return {};
    ScenarioFileRun r = run_scenario_file(dir, peer.url(), scenario);
    counts = peer.stop_and_counts();
    return r;
}

}  // namespace wsb::test
