// wsbench-loadgen --find-max against wsbench-echo-server on loopback with short steps (1 s after
// 0.2 s of warmup) and limits known in advance: a throughput bound for the rate search (the
// echo server keeps up far beyond it on loopback, so the received rate is the offered one), the
// server's --max-connections (the handshake beyond it gets 503) for the connections search.
// Exit codes 0 (found), 1 (even the first step failed; interrupted), 3 (unreachable); the
// report's capacity section is checked against the schema.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sanitizer.hpp"
#include "schema_check.hpp"
#include "scratch_dir.hpp"
#include "tool_process.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Search {
    std::optional<int> exit_code;
    std::string out;
    std::string err;
    json report;
    SchemaCheck schema;
};

json read_report(const std::string& path, SchemaCheck& schema) {
    std::ifstream in(path);
    if (!in) return json();
    json j = json::parse(in, nullptr, false);
    schema = check_schema_files("loadgen.schema.json", {path});
    return j;
}

Search find_max(const ScratchDir& dir, const std::string& url,
                const std::vector<std::string>& args) {
    const std::string report = (dir / "search.json").string();
    std::vector<std::string> argv = {
        "wsbench-loadgen", url,  "--json", report,      "-q", "--step-duration", "1s", "--warmup",
        "200ms",           "-t", "1",      "--timeout", "2s"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ToolRun t = run_tool(argv, 60s);
    Search s{t.exit_code, t.out, t.err, json(), {}};
    s.report = read_report(report, s.schema);
    return s;
}

// Rates scaled down under a sanitizer, which slows the generator several times: the search
// must find the target's bound, not the generator's.
constexpr double kScale = under_sanitizer() ? 0.25 : 1.0;

std::string rate_text(double r) { return std::to_string(static_cast<long>(r * kScale)); }

std::vector<double> values_of(const json& capacity) {
    std::vector<double> v;
    for (const json& step : capacity.at("steps")) v.push_back(step.at("value").get<double>());
    return v;
}

class LoadgenCapacity : public ::testing::Test {
  protected:
    void start_server(const std::vector<std::string>& more = {}) {
        std::vector<std::string> argv = {"wsbench-echo-server", "--port", "0", "-t", "1"};
        argv.insert(argv.end(), more.begin(), more.end());
        server_ = std::make_unique<ToolProcess>(argv);
        ASSERT_TRUE(server_->wait_listening());
    }
    std::string url() const { return server_->url("/"); }

    ScratchDir dir_{"capacity"};
    std::unique_ptr<ToolProcess> server_;
};

// The received rate bounded below 2600/s: doubling 500, 1000, 2000, 4000 (fails), then
// bisection 3000 (fails), 2500, 2750 (fails): 2500 and 2750 are within 10 % and 2600 lies
// between them (a quarter of each under a sanitizer).
TEST_F(LoadgenCapacity, RateSearchFindsAKnownLimitWithinThePrecision) {
    start_server();
    const Search s = find_max(dir_, url(),
                              {"--find-max", "rate", "--start-rate", rate_text(500), "-c", "4",
                               "--slo", "throughput<" + rate_text(2600) + ",errors<1"});
    ASSERT_EQ(s.exit_code, 0) << s.err << s.out;
    EXPECT_EQ(s.schema.status, 0) << s.schema.output;
    const json& c = s.report.at("capacity");
    EXPECT_EQ(c.at("mode"), "rate");
    const auto values = values_of(c);
    ASSERT_GE(values.size(), 5u) << s.out;
    EXPECT_EQ(std::vector<double>(values.begin(), values.begin() + 4),
              (std::vector<double>{500 * kScale, 1000 * kScale, 2000 * kScale, 4000 * kScale}));
    const json& result = c.at("result");
    EXPECT_TRUE(result.at("found").get<bool>());
    EXPECT_EQ(result.at("stop"), "precision");
    const double pass = result.at("highest_passing").get<double>();
    const double fail = result.at("first_failing").get<double>();
    EXPECT_LE(pass, 2600 * kScale);
    EXPECT_GT(fail, 2600 * kScale);
    EXPECT_LE(fail - pass, 0.1 * pass);
    // Every step has its own counters and histograms; the rest of the report is the passing one.
    for (const json& step : c.at("steps")) {
        EXPECT_FALSE(step.at("histograms").at("latency").get<std::string>().empty());
        EXPECT_EQ(step.at("passed").get<bool>(), step.at("value").get<double>() <= 2600 * kScale)
            << step.dump();
    }
    EXPECT_EQ(s.report.at("config").at("rate").get<double>(), pass);
    // The table: a line per step and the result.
    EXPECT_NE(s.out.find("throughput"), std::string::npos) << s.out;
    EXPECT_NE(s.out.find("capacity: rate"), std::string::npos) << s.out;
}

// --max-connections 20: doubling 4, 8, 16, 32 (12 handshakes get 503), then 24, 20, 22.
TEST_F(LoadgenCapacity, ConnectionsSearchFindsTheServersConnectionLimit) {
    start_server({"--max-connections", "20"});
    const Search s = find_max(dir_, url(),
                              {"--find-max", "connections", "-c", "4", "--per-connection-rate", "5",
                               "--slo", "errors<1"});
    ASSERT_EQ(s.exit_code, 0) << s.err << s.out;
    EXPECT_EQ(s.schema.status, 0) << s.schema.output;
    const json& c = s.report.at("capacity");
    EXPECT_EQ(c.at("mode"), "connections");
    const json& result = c.at("result");
    EXPECT_EQ(result.at("highest_passing").get<double>(), 20) << s.out;
    EXPECT_LE(result.at("first_failing").get<double>(), 22) << s.out;
    const json& first_fail = c.at("steps").at(3);
    EXPECT_EQ(first_fail.at("value").get<double>(), 32);
    EXPECT_EQ(first_fail.at("connections").at("failed").get<std::uint64_t>(), 12u);
}

// A scenario file without phases: each step runs that many sessions (send, expect, think);
// --step 4 from 12: 12, 16 (fails), 14 (fails, within 20 % of 12).
TEST_F(LoadgenCapacity, ConnectionsSearchRunsAScenarioFilesSessions) {
    start_server({"--max-connections", "12"});
    const std::string file = (dir_ / "rpc.yaml").string();
    std::ofstream(file) << "session:\n"
                           "  - send: { name: rpc, json: { id: '{{seq}}' } }\n"
                           "  - expect: { json: { id: '{{seq}}' }, timeout: 1s }\n"
                           "  - think: 100ms\n";
    const std::string report = (dir_ / "file.json").string();
    const ToolRun t = run_tool({"wsbench-loadgen",
                                url(),
                                "--scenario",
                                file,
                                "--json",
                                report,
                                "-q",
                                "--find-max",
                                "connections",
                                "-c",
                                "12",
                                "--step",
                                "4",
                                "--precision",
                                "20%",
                                "--slo",
                                "rpc.p99<2s,errors<1",
                                "--step-duration",
                                "1s",
                                "--drain-timeout",
                                "2s",
                                "-t",
                                "1"},
                               60s);
    ASSERT_EQ(t.exit_code, 0) << t.err << t.out;
    SchemaCheck schema;
    const json j = read_report(report, schema);
    EXPECT_EQ(schema.status, 0) << schema.output;
    const json& result = j.at("capacity").at("result");
    EXPECT_EQ(result.at("highest_passing").get<double>(), 12) << t.out;
    EXPECT_EQ(result.at("first_failing").get<double>(), 14) << t.out;
    EXPECT_TRUE(j.contains("steps"));  // the passing step's own steps.rpc
    EXPECT_GT(j.at("steps").at("rpc").at("count").get<std::uint64_t>(), 0u);
}

// A scenario file with one open phase: each step starts `value` sessions a second (one rpc
// each, so the received rate is the arrival rate), bounded below 260/s: from the file's own
// 50/s doubling 50, 100, 200, 400 (fails), then 300 (fails), 250, within 25 %. (A file's run
// lasts until its last session ends, so a step just above the bound, 275/s, could pass on a
// slow machine: the precision keeps the search away from it.)
TEST_F(LoadgenCapacity, RateSearchSetsAScenarioFilesArrivalRate) {
    start_server();
    const std::string file = (dir_ / "arrivals.yaml").string();
    std::ofstream(file) << "phases:\n"
                           "  - { duration: 30s, arrival_rate: 50, ramp_to: 80 }\n"
                           "session:\n"
                           "  - send: { name: rpc, json: { id: '{{seq}}' } }\n"
                           "  - expect: { json: { id: '{{seq}}' }, timeout: 1s }\n";
    const std::string report = (dir_ / "arrivals.json").string();
    const ToolRun t =
        run_tool({"wsbench-loadgen", url(), "--scenario", file, "--json", report, "-q",
                  "--find-max", "rate", "--slo", "throughput<260,errors<1", "--step-duration", "1s",
                  "--precision", "25%", "--drain-timeout", "2s", "-t", "1"},
                 60s);
    ASSERT_EQ(t.exit_code, 0) << t.err << t.out;
    SchemaCheck schema;
    const json j = read_report(report, schema);
    EXPECT_EQ(schema.status, 0) << schema.output;
    const json& c = j.at("capacity");
    EXPECT_EQ(c.at("mode"), "rate");
    const auto values = values_of(c);
    ASSERT_GE(values.size(), 5u) << t.out;
    EXPECT_EQ(std::vector<double>(values.begin(), values.begin() + 4),
              (std::vector<double>{50, 100, 200, 400}));
    const json& result = c.at("result");
    EXPECT_EQ(result.at("stop"), "precision") << t.out;
    EXPECT_EQ(result.at("highest_passing").get<double>(), 250) << t.out;
    EXPECT_EQ(result.at("first_failing").get<double>(), 300) << t.out;
    // Each step started its rate's sessions over its second (the ramp in the file is ignored).
    for (const json& step : c.at("steps")) {
        const double v = step.at("value").get<double>();
        const auto sent = step.at("messages").at("sent").get<double>();
        EXPECT_NEAR(sent, v, 0.1 * v + 2) << step.dump();
    }
    // Without an open phase the search is refused, naming what it needs.
    const std::string closed = (dir_ / "closed.yaml").string();
    std::ofstream(closed) << "session:\n  - send: x\n";
    const ToolRun refused = run_tool(
        {"wsbench-loadgen", url(), "--scenario", closed, "--find-max", "rate", "--slo", "errors<1"},
        10s);
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("needs a file with one open phase"), std::string::npos)
        << refused.err;
}

TEST_F(LoadgenCapacity, EvenTheFirstStepFailingExitsOne) {
    start_server();
    const Search s = find_max(dir_, url(),
                              {"--find-max", "rate", "--start-rate", rate_text(4000), "--slo",
                               "throughput<" + rate_text(2600)});
    EXPECT_EQ(s.exit_code, 1) << s.err << s.out;
    EXPECT_EQ(s.schema.status, 0) << s.schema.output;
    const json& result = s.report.at("capacity").at("result");
    EXPECT_FALSE(result.at("found").get<bool>());
    EXPECT_EQ(result.at("stop"), "first_step_failed");
    EXPECT_TRUE(result.at("highest_passing").is_null());
    EXPECT_EQ(result.at("first_failing").get<double>(), 4000 * kScale);
}

TEST_F(LoadgenCapacity, AnUnreachableTargetExitsThree) {
    // Port 1 on loopback: nothing listens there, connects are refused at once.
    const Search s =
        find_max(dir_, "ws://127.0.0.1:1/",
                 {"--find-max", "rate", "--slo", "p99<10ms", "--connect-timeout", "1s"});
    EXPECT_EQ(s.exit_code, 3) << s.err << s.out;
    EXPECT_EQ(s.schema.status, 0) << s.schema.output;
    EXPECT_EQ(s.report.at("capacity").at("result").at("stop"), "unreachable");
}

TEST_F(LoadgenCapacity, WithoutAnSloItIsAUsageError) {
    const ToolRun t = run_tool({"wsbench-loadgen", "ws://127.0.0.1:1/", "--find-max", "rate"}, 10s);
    EXPECT_EQ(t.exit_code, 2);
    EXPECT_NE(t.err.find("--find-max needs --slo"), std::string::npos) << t.err;
}

// Ctrl-C during the third step: the search stops and writes the report of what finished.
TEST_F(LoadgenCapacity, AnInterruptStopsTheSearchAndWritesThePartialReport) {
    start_server();
    const std::string report = (dir_ / "partial.json").string();
    ToolProcess loadgen({"wsbench-loadgen", url(), "--json", report, "--find-max", "rate",
                         "--start-rate", "200", "--slo", "errors<1", "--step-duration", "1s",
                         "--warmup", "200ms", "-t", "1"});
    ASSERT_TRUE(loadgen.process->wait_for_stderr("step 3:", 20s)) << loadgen.process->stderr_text();
    loadgen.process->signal(SIGINT);
    const ToolRun t = loadgen.finish(20s);
    EXPECT_EQ(t.exit_code, 1) << t.err;
    SchemaCheck schema;
    const json j = read_report(report, schema);
    EXPECT_EQ(schema.status, 0) << schema.output;
    const json& c = j.at("capacity");
    EXPECT_EQ(c.at("result").at("stop"), "interrupted");
    EXPECT_TRUE(j.at("interrupted").get<bool>());
    ASSERT_GE(c.at("steps").size(), 2u);
    EXPECT_TRUE(c.at("steps").at(0).at("passed").get<bool>());
    EXPECT_TRUE(c.at("steps").at(1).at("passed").get<bool>());
}

}  // namespace
}  // namespace wsb::test
