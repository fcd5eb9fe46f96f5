// wsbench-loadgen as a real process against wsbench-echo-server on loopback: each scenario,
// the report it writes, and its behaviour when the target is missing, dies or is interrupted.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::unique_ptr<Process> start_server(std::vector<std::string> args, std::optional<ServerAddress>& address) {
    std::vector<std::string> argv{tool_path("wsbench-echo-server"), "--port", "0", "--threads", "1"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = std::make_unique<Process>(argv);
    address = wait_listening(*p);
    return p;
}

std::string temp_path(const std::string& name) {
    return "/tmp/wsbench-loadgen-test-" + std::to_string(::getpid()) + "-" + name;
}

/// Runs the load generator to completion (bounded) and returns its exit code and report.
struct LoadgenRun {
    std::optional<int> exit_code;
    json report;
    std::string stdout_text;
    std::string stderr_text;
    bool schema_valid = true;  ///< false when the report broke reports/loadgen.schema.json
};

LoadgenRun run_loadgen(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
    const std::string report = temp_path("report.json");
    std::remove(report.c_str());
    std::vector<std::string> argv{tool_path("wsbench-loadgen"), "--json", report, "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p(argv);
    LoadgenRun r;
    p.wait_for_line("\x01never", timeout);  // collects stdout until the process closes it
    r.exit_code = p.wait(5s);
    r.stdout_text = p.stdout_text();
    r.stderr_text = p.stderr_text();
    std::ifstream in(report);
    if (in) r.report = json::parse(in, nullptr, false);
    // Every report the tool writes must match its published JSON Schema.
    if (in && std::system("python3 -c 'import jsonschema' 2>/dev/null") == 0) {
        const std::string cmd = std::string("python3 " WSBENCH_SOURCE_DIR "/scripts/check-schema.py ") +
                                WSBENCH_SOURCE_DIR "/reports/loadgen.schema.json " + report + " >&2";
        r.schema_valid = std::system(cmd.c_str()) == 0;
    }
    std::remove(report.c_str());
    return r;
}

TEST(Loadgen, ClosedLoopEchoGetsEveryMessageBack) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server);
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "-c", "10", "-n", "200", "-t", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    const json& sum = r.report["summary"];
    EXPECT_EQ(sum["connections"]["established"], 10);
    EXPECT_EQ(sum["messages"]["sent"], 2000);
    EXPECT_EQ(sum["messages"]["received"], 2000);
    EXPECT_EQ(sum["bytes"]["sent"], 2000 * 64);
    EXPECT_EQ(r.report["latency_us"]["count"], 2000);
    EXPECT_EQ(r.report["schema"], "wsbench.loadgen/1");
    EXPECT_EQ(r.report["close_codes"]["1000"], 10) << "each connection ends with a clean close";
    EXPECT_NE(r.stdout_text.find("2000 received"), std::string::npos) << r.stdout_text;
    EXPECT_TRUE(r.schema_valid);
}

TEST(Loadgen, OpenLoopSendsAtTheRequestedRate) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server);
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "-c", "20", "-R", "2000", "-d", "2s"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    const json& sum = r.report["summary"];
    // The schedule is exact: 2000/s for 2 s, each send computed from its index.
    EXPECT_NEAR(sum["messages"]["sent"].get<double>(), 4000, 40);
    EXPECT_EQ(sum["messages"]["received"], sum["messages"]["sent"]);
    EXPECT_GE(r.report["latency_us"]["p50"].get<double>(), r.report["latency_uncorrected_us"]["p50"].get<double>())
        << "corrected latency is never below the uncorrected one";
    EXPECT_GE(r.report["timeline"].size(), 1u);
    EXPECT_TRUE(r.schema_valid);
}

TEST(Loadgen, BroadcastCountsEveryDeliveryAtEveryConnection) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--mode", "broadcast"}, server);
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "--scenario", "broadcast", "-c", "5", "-R", "200", "-d", "1s"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    const auto sent = r.report["summary"]["messages"]["sent"].get<std::uint64_t>();
    EXPECT_NEAR(static_cast<double>(sent), 200, 5);
    EXPECT_EQ(r.report["summary"]["messages"]["received"].get<std::uint64_t>(), sent * 5);
    EXPECT_EQ(r.report["broadcast"]["lost"], 0);
    EXPECT_EQ(r.report["broadcast"]["duplicated"], 0);
    EXPECT_TRUE(r.schema_valid);
}

TEST(Loadgen, MatchesRepliesThatTheServerPrefixes) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--reply-prefix", "回答"}, server);
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "-c", "3", "-n", "100", "--message-type", "text"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 300);
    EXPECT_EQ(r.report["errors"]["unmatched"], 0);
}

TEST(Loadgen, ConnectScenarioHoldsThousandsOfConnections) {
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 12000) GTEST_SKIP() << "open-file hard limit too low";
    std::optional<ServerAddress> server;
    auto s = start_server({"--threads", "2"}, server);
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "--scenario", "connect", "-c", "5000", "-d", "1s", "--ping-interval",
                               "500ms", "-t", "2"},
                              60s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["connections"]["established"], 5000);
    EXPECT_EQ(r.report["summary"]["connections"]["failed"], 0);
    EXPECT_EQ(r.report["connect_latency_us"]["count"], 5000);
    EXPECT_EQ(r.report["handshake_latency_us"]["count"], 5000);
    EXPECT_GT(r.report["latency_us"]["count"].get<std::uint64_t>(), 0u) << "ping round trips";
}

TEST(Loadgen, UnreachableTargetExits3WithAClearMessage) {
    // Bind a port, then close it: nothing listens there any more.
    std::optional<ServerAddress> server;
    auto s = start_server({}, server);
    ASSERT_TRUE(server);
    s->signal(SIGKILL);
    s->wait(5s);
    const LoadgenRun r = run_loadgen({server->url(), "-c", "2", "-d", "1s"});
    EXPECT_EQ(r.exit_code, 3) << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("no connection could be opened"), std::string::npos) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["connections"]["failed"], 2) << "the report is still written";
    EXPECT_TRUE(r.schema_valid);
}

TEST(Loadgen, ServerDyingMidRunEndsTheRunWithAReportAndExit1) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server);
    ASSERT_TRUE(server);
    const std::string report = temp_path("dies.json");
    Process lg({tool_path("wsbench-loadgen"), server->url(), "-c", "4", "-d", "30s", "--json", report});
    ASSERT_TRUE(lg.wait_for_stderr("measuring", 10s)) << lg.stderr_text();
    s->signal(SIGKILL);
    const auto code = lg.wait(10s);
    ASSERT_TRUE(code) << "the run ends by itself when the server is gone";
    EXPECT_EQ(*code, 1) << lg.stderr_text();
    std::ifstream in(report);
    ASSERT_TRUE(in);
    const json j = json::parse(in);
    EXPECT_TRUE(j.contains("fatal"));
    EXPECT_GT(j["summary"]["messages"]["received"].get<std::uint64_t>(), 0u);
    std::remove(report.c_str());
}

TEST(Loadgen, SigintStopsWithinASecondAndMarksTheReportInterrupted) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--log-connections"}, server);
    ASSERT_TRUE(server);
    const std::string report = temp_path("sigint.json");
    Process lg({tool_path("wsbench-loadgen"), server->url(), "-c", "4", "-d", "60s", "--json", report});
    ASSERT_TRUE(lg.wait_for_stderr("measuring", 10s)) << lg.stderr_text();
    lg.signal(SIGINT);
    const auto code = lg.wait(2s);
    ASSERT_TRUE(code) << "stopped within the deadline";
    std::ifstream in(report);
    ASSERT_TRUE(in);
    const json j = json::parse(in);
    EXPECT_TRUE(j["interrupted"].get<bool>());
    EXPECT_LT(j["summary"]["duration_s"].get<double>(), 10.0);
    // The server saw each connection close with 1001 (going away).
    EXPECT_TRUE(s->wait_for_stderr("code=1001", 5s)) << s->stderr_text();
    std::remove(report.c_str());
}

TEST(Loadgen, BadOptionsExit2NamingTheOption) {
    Process lg({tool_path("wsbench-loadgen"), "ws://127.0.0.1:9/", "-c", "lots"});
    const auto code = lg.wait(5s);
    EXPECT_EQ(code, 2);
    EXPECT_NE(lg.stderr_text().find("-c"), std::string::npos) << lg.stderr_text();
}

}  // namespace
}  // namespace wsb::test
