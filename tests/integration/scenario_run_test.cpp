// wsbench-loadgen --scenario FILE against the test application server (tests/peers/
// app_server.cpp): the report's counts are checked exactly against what the server saw, with
// out-of-order replies, several messages per request, failing users from a data feed, expect
// timeouts, pushes with an embedded timestamp, and a server that dies mid-run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "schema_check.hpp"
#include "scratch_dir.hpp"
#include "tls_cert.hpp"
#include "tool_process.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

json stop_and_read_stats(ToolProcess& server) {
    server.process->signal(SIGTERM);
    const auto line = server.process->wait_for_line("stats ", 10s);
    EXPECT_TRUE(line) << server.process->stderr_text();
    return line ? json::parse(line->substr(6)) : json();
}

json read_json(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in, nullptr, false);
}

// 20 sessions (10/s for 2 s); rows 3 and 7 of the feed are users the server refuses.
constexpr const char* kUsers =
    "user,token\n"
    "ann,t0\nbob,t1\ncid,t2\nbad-dan,t3\neve,t4\nfay,t5\ngus,t6\nbad-hal,t7\nivy,t8\njon,t9\n";

constexpr const char* kRpcScenario = R"(
data: users.csv
phases: [ { duration: 2s, arrival_rate: 10 } ]
session:
  - send: { name: auth, json: { op: auth, user: "{{data.user}}" } }
  - expect: { name: auth, json: { op: auth_ok }, timeout: 1s, on_timeout: close, capture: { sid: "$.session" } }
  - send: { json: { op: join, room: "r{{conn.id % 3}}", sid: "{{sid}}" } }
  - expect: { name: join, json: { op: joined, room: "r{{conn.id % 3}}" } }
  - loop:
      count: 10
      rate: 50/s
      steps:
        - send: { name: rpc, json: { id: "{{seq}}", method: echo, params: ["{{rand.hex 8}}"] } }
        - expect: { name: rpc, json: { id: "{{seq}}", result: { method: echo } }, timeout: 3s }
  - close: 1000
listen:
  - { name: progress, contains: '"progress"' }
)";

TEST(ScenarioRun, RequestReplyCountsMatchWhatTheServerSawExactly) {
    ScratchDir dir("scenario-run");
    std::ofstream(dir / "users.csv") << kUsers;
    const std::string file = (dir / "rpc.yaml").string();
    std::ofstream(file) << kRpcScenario;
    ToolProcess server({"app_server", "--delay-max", "30", "--progress", "2"});
    ASSERT_TRUE(server.wait_listening());
    const std::string report = (dir / "report.json").string();
    const ToolRun run = run_tool(
        {"wsbench-loadgen", server.url("/app"), "--scenario", file, "--json", report, "-t", "2"},
        60s);
    ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
    const json stats = stop_and_read_stats(server);
    const json r = read_json(report);
    ASSERT_TRUE(r.is_object()) << run.err;

    EXPECT_EQ(r["config"]["scenario"], "file");
    EXPECT_EQ(r["config"]["scenario_file"], file);
    const json& s = r["sessions"];
    EXPECT_EQ(s["started"], 20);
    EXPECT_EQ(s["completed"], 20);
    EXPECT_EQ(s["failed"], 0);
    EXPECT_EQ(s["cut"], 0);
    EXPECT_EQ(stats["connections"], 20);
    EXPECT_EQ(stats["close_codes"]["1000"], 20);

    const json& steps = r["steps"];
    EXPECT_EQ(stats["auth_ok"], 16);
    EXPECT_EQ(stats["auth_failed"], 4);
    EXPECT_EQ(steps["auth"]["count"], 16);
    EXPECT_EQ(steps["auth"]["timeouts"], 4);   // the refused users: their expect times out
    EXPECT_EQ(steps["auth"]["unmatched"], 4);  // ... and auth_failed matched nothing
    EXPECT_EQ(steps["join"]["count"], stats["joins"]);
    EXPECT_EQ(steps["join"]["count"], 16);
    // Every request was answered and every answer matched its own id, out of order or not.
    EXPECT_EQ(stats["requests"], 160);
    EXPECT_EQ(stats["replies"], 160);
    EXPECT_EQ(steps["rpc"]["count"], 160);
    EXPECT_EQ(steps["rpc"]["timeouts"], 0);
    EXPECT_EQ(steps["rpc"]["kind"], "expect");
    EXPECT_EQ(steps["progress"]["kind"], "listen");
    EXPECT_EQ(steps["progress"]["count"], stats["progress"]);
    EXPECT_EQ(steps["progress"]["count"], 320);
    EXPECT_EQ(s["unmatched"], 4);
    // Sent: auth by all, join and 10 requests by the 16 accepted.
    EXPECT_EQ(r["summary"]["messages"]["sent"], 20 + 16 * 11);
    EXPECT_EQ(r["summary"]["messages"]["received"], 20 + 16 + 160 * 3);
    EXPECT_THAT(run.out, HasSubstr("Steps"));
    const SchemaCheck schema = check_schema_files("loadgen.schema.json", {report});
    EXPECT_EQ(schema.status, 0) << schema.output;
}

TEST(ScenarioRun, ServerThatDiesMidRunGivesExitOneAndAPartialReport) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "die.yaml").string();
    std::ofstream(file) << R"(
phases: [ { duration: 20s, arrival_rate: 40 } ]
session:
  - loop:
      count: 50
      rate: 20/s
      steps:
        - send: { name: rpc, json: { id: "{{seq}}", method: ping } }
        - expect: { name: rpc, json: { id: "{{seq}}" }, timeout: 2s }
)";
    ToolProcess server({"app_server", "--die-after", "200"});
    ASSERT_TRUE(server.wait_listening());
    const std::string report = (dir / "report.json").string();
    const ToolRun run =
        run_tool({"wsbench-loadgen", server.url(), "--scenario", file, "--json", report}, 60s);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_THAT(run.err, HasSubstr("the target went away"));
    EXPECT_LT(run.seconds, 15.0);  // it stopped on its own, well before the 20 s phase
    const json r = read_json(report);
    ASSERT_TRUE(r.is_object());
    EXPECT_THAT(r["fatal"].get<std::string>(), HasSubstr("the target went away"));
    // Replies to the first 199 requests, less those still in the server's queue at its crash.
    EXPECT_LE(r["steps"]["rpc"]["count"], 199);
    EXPECT_GT(r["steps"]["rpc"]["count"], 0);
    EXPECT_GT(r["sessions"]["failed"], 0);
}

TEST(ScenarioRun, ExpectTimeoutsCountAndTheSessionGoesOn) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "timeout.yaml").string();
    std::ofstream(file) << R"(
session:
  - send: '{"op":"ping"}'
  - expect: { name: never, json: { op: never }, timeout: 200ms }
  - send: '{"op":"ping"}'
  - expect: { name: pong, json: { op: pong } }
  - close: { code: 4000, reason: done }
)";
    ToolProcess server({"app_server"});
    ASSERT_TRUE(server.wait_listening());
    const std::string report = (dir / "report.json").string();
    const ToolRun run = run_tool({"wsbench-loadgen", server.url(), "--scenario", file, "-c", "3",
                                  "-d", "1s", "--json", report, "-t", "1"},
                                 60s);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json stats = stop_and_read_stats(server);
    const json r = read_json(report);
    const std::uint64_t sessions = r["sessions"]["completed"];
    EXPECT_GE(sessions, 3u);
    EXPECT_EQ(r["sessions"]["started"], sessions);
    EXPECT_EQ(r["steps"]["never"]["timeouts"], sessions);
    EXPECT_EQ(r["steps"]["never"]["count"], 0);
    // The first pong came while "never" waited: it matched nothing. The second matched.
    EXPECT_EQ(r["steps"]["never"]["unmatched"], sessions);
    EXPECT_EQ(r["steps"]["pong"]["count"], sessions);
    EXPECT_EQ(stats["pings"], 2 * sessions);
    EXPECT_EQ(stats["close_codes"]["4000"], sessions);
}

TEST(ScenarioRun, PushesAreCountedWithLatencyFromTheirTimestamp) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "push.yaml").string();
    std::ofstream(file) << R"(
phases: [ { duration: 1s, users: 2 } ]
session:
  - send: { json: { op: auth, user: pat } }
  - expect: { name: auth, json: { op: auth_ok } }
  - think: 600ms
listen:
  - { name: notify, json: { method: notify }, sent_at: "$.ts_us" }
)";
    ToolProcess server({"app_server", "--notify-every", "50"});
    ASSERT_TRUE(server.wait_listening());
    const std::string report = (dir / "report.json").string();
    const ToolRun run = run_tool(
        {"wsbench-loadgen", server.url(), "--scenario", file, "--json", report, "-t", "1"}, 60s);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json r = read_json(report);
    const json& n = r["steps"]["notify"];
    EXPECT_EQ(n["kind"], "listen");
    EXPECT_GE(n["count"], 10);  // 2 users, ~12 notifications each per 600 ms
    EXPECT_EQ(n["errors"]["timestamp"], 0);
    EXPECT_GT(n["latency_us"]["max"], 0);
}

TEST(ScenarioRun, TwoShardsStartTheSessionsOneProcessWouldAndMergeExactly) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "shard.yaml").string();
    std::ofstream(file) << R"(
phases: [ { duration: 1s, arrival_rate: 30 }, { duration: 1s, users: 5 } ]
heartbeat: { every: 100ms, send: '{"op":"ping"}' }
session:
  - send: { json: { op: say, id: "{{session.id}}" } }
  - expect: { name: say, json: { op: ack, id: "{{session.id}}" } }
  - think: 250ms
)";
    ToolProcess server({"app_server"});
    ASSERT_TRUE(server.wait_listening());
    std::vector<std::string> reports;
    std::vector<std::unique_ptr<ToolProcess>> shards;
    for (int i = 0; i < 2; ++i) {
        reports.push_back((dir / ("shard" + std::to_string(i) + ".json")).string());
        shards.push_back(std::make_unique<ToolProcess>(
            std::vector<std::string>{"wsbench-loadgen", server.url(), "--scenario", file, "--shard",
                                     std::to_string(i) + "/2", "--json", reports.back(), "-q"}));
    }
    for (auto& s : shards) {
        const ToolRun run = s->finish(60s);
        ASSERT_EQ(run.exit_code, 0) << run.err;
    }
    const json stats = stop_and_read_stats(server);
    const std::string merged = (dir / "merged.json").string();
    const ToolRun merge =
        run_tool({"wsbench-report", "merge", reports[0], reports[1], "-o", merged});
    ASSERT_EQ(merge.exit_code, 0) << merge.err;
    const json r = read_json(merged);
    const json a = read_json(reports[0]);
    const json b = read_json(reports[1]);
    // 30 open-model sessions split 15/15, then users 0, 2, 4 on shard 0 and 1, 3 on shard 1.
    EXPECT_GE(a["sessions"]["started"].get<int>(), 15 + 3);
    EXPECT_GE(b["sessions"]["started"].get<int>(), 15 + 2);
    const int started = r["sessions"]["started"];
    EXPECT_EQ(started, a["sessions"]["started"].get<int>() + b["sessions"]["started"].get<int>());
    EXPECT_EQ(r["sessions"]["completed"], started);
    EXPECT_EQ(stats["connections"], started);
    EXPECT_EQ(stats["says"], started);
    EXPECT_EQ(r["steps"]["say"]["count"], started);
    // Heartbeats: every 100 ms of each 250 ms session, counted by the server as pings.
    EXPECT_EQ(r["summary"]["messages"]["sent"], started + stats["pings"].get<int>());
    EXPECT_GE(stats["pings"].get<int>(), started);
}

TEST(ScenarioRun, AMalformedFileExitsTwoBeforeConnecting) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "bad.yaml").string();
    std::ofstream(file) << "session:\n  - send: x\n  - expect: { json: { id: '{{sq}}' } }\n";
    const ToolRun run = run_tool({"wsbench-loadgen", "ws://127.0.0.1:9/", "--scenario", file});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.err, HasSubstr(file + ":3:27: session[1].expect.json.id"));
}

TEST(ScenarioRun, AnUnreachableTargetExitsThree) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "s.yaml").string();
    std::ofstream(file) << "phases: [ { duration: 500ms, arrival_rate: 10 } ]\n"
                           "session: [ { send: x } ]\n";
    const std::string report = (dir / "report.json").string();
    const ToolRun run = run_tool(
        {"wsbench-loadgen", "ws://127.0.0.1:9/", "--scenario", file, "--json", report}, 30s);
    EXPECT_EQ(run.exit_code, 3) << run.err;
    EXPECT_THAT(run.err, HasSubstr("no connection could be opened"));
    const json r = read_json(report);
    EXPECT_EQ(r["sessions"]["failed"], r["sessions"]["started"]);
    EXPECT_GT(r["sessions"]["started"], 0);
}

TEST(ScenarioRun, SessionsOverTlsAgainstTheEchoServerMatchTheirEchoes) {
    ScratchDir dir("scenario-run");
    const std::string cert = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    const std::string file = (dir / "echo.yaml").string();
    std::ofstream(file) << R"(
phases: [ { duration: 1s, arrival_rate: 8 } ]
session:
  - loop:
      count: 5
      rate: 100/s
      steps:
        - send: { name: rpc, json: { id: "{{seq}}", user: "{{session.id}}" } }
        - expect: { name: rpc, json: { id: "{{seq}}", user: "{{session.id}}" }, timeout: 2s }
)";
    ToolProcess server(
        {"wsbench-echo-server", "--port", "0", "--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(server.wait_listening());
    ASSERT_EQ(server.address->scheme, "wss");
    const std::string report = (dir / "report.json").string();
    const ToolRun run = run_tool(
        {"wsbench-loadgen", server.url(), "--insecure", "--scenario", file, "--json", report, "-q"},
        60s);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json r = read_json(report);
    EXPECT_EQ(r["sessions"]["started"], 8);
    EXPECT_EQ(r["sessions"]["completed"], 8);
    EXPECT_EQ(r["steps"]["rpc"]["count"], 40);
    EXPECT_EQ(r["steps"]["rpc"]["timeouts"], 0);
    EXPECT_EQ(r["summary"]["messages"]["received"], 40);
}

TEST(ScenarioRun, VarsRegexCapturesBinaryAndTimedLoopsAgainstTheEchoServer) {
    ScratchDir dir("scenario-run");
    const std::string file = (dir / "keys.yaml").string();
    std::ofstream(file) << R"(
vars: { who: "u{{conn.id}}-{{rand.int 1 9}}" }
phases: [ { duration: 500ms, users: 2 } ]
session:
  - send: 'hello {{who}} n=42'
  - expect: { name: greet, regex: 'hello u[0-9]+-[1-9] n=[0-9]+', capture: { n: { regex: 'n=([0-9]+)', group: 1 } } }
  - send: { name: bin, binary: { hex: "00ff10" } }
  - expect: { name: bin, type: binary }
  - loop:
      duration: 150ms
      steps:
        - send: { name: again, text: 'n={{n}} seq={{seq}}' }
        - expect: { name: again, contains: 'n=42 seq={{seq}}', type: text }
        - think: { min: 10ms, max: 30ms }
  - close: { code: 4001, reason: done }
)";
    ToolProcess server({"wsbench-echo-server", "--port", "0"});
    ASSERT_TRUE(server.wait_listening());
    const std::string report = (dir / "report.json").string();
    const ToolRun run = run_tool(
        {"wsbench-loadgen", server.url(), "--scenario", file, "--json", report, "-q"}, 60s);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json r = read_json(report);
    const int sessions = r["sessions"]["completed"];
    EXPECT_GE(sessions, 2);
    EXPECT_EQ(r["sessions"]["started"], sessions);
    EXPECT_EQ(r["steps"]["greet"]["count"], sessions);
    EXPECT_EQ(r["steps"]["greet"]["errors"]["capture"], 0);
    EXPECT_EQ(r["steps"]["bin"]["count"], sessions);
    // 150 ms of 10-30 ms pauses: 5 to 15 round trips a session, each matched (n captured).
    const int again = r["steps"]["again"]["count"];
    EXPECT_GE(again, 5 * sessions);
    EXPECT_LE(again, 16 * sessions);
    EXPECT_EQ(r["steps"]["again"]["timeouts"], 0);
    EXPECT_EQ(r["sessions"]["unmatched"], 0);
    EXPECT_EQ(r["close_codes"]["4001"], sessions)
        << "the echo server answers our close step's code";
}

}  // namespace
}  // namespace wsb::test
