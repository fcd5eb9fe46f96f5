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
#include <utility>
#include <vector>

#include "fake_server.hpp"
#include "process.hpp"
#include "sanitizer.hpp"
#include "schema_check.hpp"
#include "scratch_dir.hpp"
#include "tls_cert.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::unique_ptr<Process> start_server(const std::vector<std::string>& args,
                                      std::optional<ServerAddress>& address,
                                      const std::string& engine = "websocketpp") {
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1", "--engine", engine},
                       args);
    server.wait_listening();
    address = server.address;
    return std::move(server.process);
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
    /// The report against reports/loadgen.schema.json (status 0: valid; -1 when no report).
    SchemaCheck schema;
    double seconds = 0;  ///< from the start of the tool to its exit
};

/// A WebSocket server that completes the opening handshake and then neither reads nor
/// writes: the target that stops answering (a stalled process, a black hole behind a proxy).
struct SilentServer : FakeServer {
    SilentServer()
        : FakeServer([](FakeConnection& c) {
              c.send(accept_handshake(c.read_head()));
              // ... and from now on, silence: no read, no write.
          }) {}
};

LoadgenRun run_loadgen(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = 30s) {
    const std::string report = temp_path("report.json");
    std::remove(report.c_str());
    const ToolRun run =
        ToolProcess({"wsbench-loadgen", "--json", report, "-q"}, args).finish(timeout);
    LoadgenRun r;
    r.exit_code = run.exit_code;
    r.stdout_text = run.out;
    r.stderr_text = run.err;
    r.seconds = run.seconds;
    std::ifstream in(report);
    if (in) r.report = json::parse(in, nullptr, false);
    // Every report the tool writes must match its published JSON Schema.
    if (in) r.schema = check_schema_files("loadgen.schema.json", {report});
    std::remove(report.c_str());
    return r;
}

/// Tests of the load generator's scenarios, run against both engines of the echo server, and
/// once more (fast_on_asio) with the loadgen on Asio's reactor instead of its own epoll loop
/// (WSBENCH_LOADGEN_IO=asio; wss:// always runs on Asio).
class LoadgenAgainstEngine : public ::testing::TestWithParam<const char*> {
  protected:
    void SetUp() override {
        if (on_asio()) {
            ::setenv("WSBENCH_LOADGEN_IO", "asio", 1);
        } else {
            ::unsetenv("WSBENCH_LOADGEN_IO");
        }
    }
    void TearDown() override { ::unsetenv("WSBENCH_LOADGEN_IO"); }
    bool on_asio() const { return std::string(GetParam()) == "fast_on_asio"; }
    /// The echo server's engine.
    std::string engine() const { return on_asio() ? "fast" : GetParam(); }
    /// The loop every thread of a plain ws:// run must report.
    std::string plain_loop() const { return on_asio() ? "asio" : "epoll"; }
};

TEST_P(LoadgenAgainstEngine, ClosedLoopEchoGetsEveryMessageBack) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server, engine());
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
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    ASSERT_EQ(r.report["generator"]["threads"].size(), 2u);
    for (const json& t : r.report["generator"]["threads"]) {
        EXPECT_EQ(t["event_loop"], plain_loop()) << t;
    }
    EXPECT_GT(r.report["generator"]["cpu_us_per_message"].get<double>(), 0);
    EXPECT_NE(r.stdout_text.find(plain_loop() + " loop"), std::string::npos) << r.stdout_text;
}

TEST_P(LoadgenAgainstEngine, CountsMessagesPerConnectionAfterTheWarmup) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server, engine());
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "-c", "4", "-n", "100", "--warmup", "200ms"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["messages"]["sent"], 400) << "-n counts the measured window only";
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 400);
}

TEST_P(LoadgenAgainstEngine, OpenLoopSendsAtTheRequestedRate) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server, engine());
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "-c", "20", "-R", "2000", "-d", "2s"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    const json& sum = r.report["summary"];
    // The schedule is exact: 2000/s for 2 s, each send computed from its index.
    EXPECT_NEAR(sum["messages"]["sent"].get<double>(), 4000, 40);
    EXPECT_EQ(sum["messages"]["received"], sum["messages"]["sent"]);
    EXPECT_GE(r.report["latency_us"]["p50"].get<double>(),
              r.report["latency_uncorrected_us"]["p50"].get<double>())
        << "corrected latency is never below the uncorrected one";
    EXPECT_GE(r.report["timeline"].size(), 1u);
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
}

// --coalesce 50ms at 1000/s: each pass also sends the ~50 messages due in the next 50 ms, early,
// so most sends have no lag (the first of each pass has its wake-up's); the rate and the
// count stay the schedule's, and the report and summary say so.
TEST_P(LoadgenAgainstEngine, CoalescedSendsLeaveEarlyAndKeepTheRate) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server, engine());
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen(
        {server->url(), "-c", "10", "-R", "1000", "-d", "2s", "-t", "1", "--coalesce", "50ms"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    const json& sum = r.report["summary"];
    EXPECT_NEAR(sum["messages"]["sent"].get<double>(), 2000, 60);
    EXPECT_EQ(sum["messages"]["received"], sum["messages"]["sent"]);
    EXPECT_EQ(r.report["generator"]["schedule_lag_us"]["p50"].get<double>(), 0)
        << r.report["generator"].dump();
    EXPECT_EQ(r.report["config"]["coalesce_s"].get<double>(), 0.05);
    EXPECT_NE(r.stdout_text.find("sends coalesced within 50.00 ms"), std::string::npos)
        << r.stdout_text;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
}

TEST_P(LoadgenAgainstEngine, BroadcastCountsEveryDeliveryAtEveryConnection) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--mode", "broadcast"}, server, engine());
    ASSERT_TRUE(server);
    const LoadgenRun r =
        run_loadgen({server->url(), "--scenario", "broadcast", "-c", "5", "-R", "200", "-d", "1s"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    const auto sent = r.report["summary"]["messages"]["sent"].get<std::uint64_t>();
    EXPECT_NEAR(static_cast<double>(sent), 200, 5);
    EXPECT_EQ(r.report["summary"]["messages"]["received"].get<std::uint64_t>(), sent * 5);
    EXPECT_EQ(r.report["broadcast"]["lost"], 0);
    EXPECT_EQ(r.report["broadcast"]["duplicated"], 0);
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
}

/// The echo server's GET /stats, parsed (discarded when the request fails).
json server_stats(const ServerAddress& server) {
    WsClient c;
    const std::string url = "ws://127.0.0.1:" + std::to_string(server.port) + "/";
    if (!c.connect_raw(url, "GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        return json::value_t::discarded;
    const auto head = c.read_http_response();
    const auto body = head ? c.read_http_body(*head) : std::nullopt;
    return body ? json::parse(*body, nullptr, false) : json(json::value_t::discarded);
}

TEST_P(LoadgenAgainstEngine, BroadcastReportsExactlyTheDeliveriesAStalledConnectionLost) {
    std::optional<ServerAddress> server;
    auto s =
        start_server({"--mode", "broadcast", "--max-send-queue", "1MiB", "--close-timeout", "20s"},
                     server, engine());
    ASSERT_TRUE(server);
    // Connection 2 reads nothing during the window: two seconds of 4 KiB messages at 4,000/s
    // (32 MB) are far more than 1 MiB and the kernel's buffers, so the server closes it with
    // 1008. An open-loop rate, not closed loop: the readers that do read must never fall a
    // megabyte and the socket buffers behind, even on a loaded machine (closed loop publishes
    // as fast as the round trip allows, and a reader descheduled for a moment lagged past it).
    const LoadgenRun r = run_loadgen({server->url(), "--scenario", "broadcast", "-c", "3", "-m",
                                      "4KiB", "-R", "4000", "-d", "2s", "--stall", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["config"]["stall"], 1);
    EXPECT_EQ(r.report["close_codes"]["1008"], 1) << r.report["close_codes"];
    EXPECT_EQ(r.report["close_codes"]["1000"], 2) << r.report["close_codes"];
    const json stats = server_stats(*server);
    ASSERT_FALSE(stats.is_discarded());
    ASSERT_EQ(stats["send_queue_full"]["closed"], 1);
    // Every delivery the server made arrived, and every other expected one is counted lost.
    const auto sent = r.report["summary"]["messages"]["sent"].get<std::uint64_t>();
    const auto received = r.report["summary"]["messages"]["received"].get<std::uint64_t>();
    const auto delivered = stats["out"]["messages"].get<std::uint64_t>() -
                           stats["send_queue_full"]["undelivered"]["messages"].get<std::uint64_t>();
    EXPECT_EQ(received, delivered);
    EXPECT_GE(received, 2 * sent) << "the two readers got everything";
    EXPECT_LT(received, 3 * sent);
    EXPECT_EQ(r.report["broadcast"]["expected"], 3 * sent);
    EXPECT_EQ(r.report["broadcast"]["lost"], 3 * sent - received);
    EXPECT_EQ(r.report["broadcast"]["duplicated"], 0);
}

TEST_P(LoadgenAgainstEngine, MatchesRepliesThatTheServerPrefixes) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--reply-prefix", "回答"}, server, engine());
    ASSERT_TRUE(server);
    const LoadgenRun r =
        run_loadgen({server->url(), "-c", "3", "-n", "100", "--message-type", "text"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 300);
    EXPECT_EQ(r.report["errors"]["unmatched"], 0);
}

TEST_P(LoadgenAgainstEngine, ConnectScenarioHoldsThousandsOfConnections) {
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 12000)
        GTEST_SKIP() << "open-file hard limit too low";
    std::optional<ServerAddress> server;
    auto s = start_server({"--threads", "2"}, server, engine());
    ASSERT_TRUE(server);
    const LoadgenRun r = run_loadgen({server->url(), "--scenario", "connect", "-c", "5000", "-d",
                                      "1s", "--ping-interval", "500ms", "-t", "2"},
                                     60s);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["connections"]["established"], 5000);
    EXPECT_EQ(r.report["summary"]["connections"]["failed"], 0);
    EXPECT_EQ(r.report["connect_latency_us"]["count"], 5000);
    EXPECT_EQ(r.report["handshake_latency_us"]["count"], 5000);
    // The ramp: from the first connect to the last connection settled.
    const json& conns = r.report["summary"]["connections"];
    ASSERT_GT(conns["ramp_s"].get<double>(), 0.0);
    EXPECT_NEAR(conns["opened_per_s"].get<double>(), 5000 / conns["ramp_s"].get<double>(), 1.0);
    EXPECT_NE(r.stdout_text.find("opened/s"), std::string::npos) << r.stdout_text;
    EXPECT_GT(r.report["latency_us"]["count"].get<std::uint64_t>(), 0u) << "ping round trips";
}

// --max-connecting bounds the connections being opened at once; with 1, every connection
// after the first is started by the one before it settling. 0 lifts the bound.
TEST_P(LoadgenAgainstEngine, MaxConnectingOpensEveryConnectionThroughTheBound) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--threads", "1"}, server, engine());
    ASSERT_TRUE(server);
    for (const char* bound : {"1", "0"}) {
        SCOPED_TRACE(std::string("--max-connecting ") + bound);
        const LoadgenRun r = run_loadgen({server->url(), "--scenario", "connect", "-c", "300", "-d",
                                          "100ms", "-t", "2", "--max-connecting", bound},
                                         60s);
        ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
        EXPECT_EQ(r.report["summary"]["connections"]["established"], 300);
        EXPECT_EQ(r.report["summary"]["connections"]["failed"], 0);
        EXPECT_EQ(r.report["config"]["max_connecting"], std::stoi(bound));
    }
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
    EXPECT_NE(r.stderr_text.find("no connection could be opened"), std::string::npos)
        << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["connections"]["failed"], 2) << "the report is still written";
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
}

TEST(Loadgen, ServerDyingMidRunEndsTheRunWithAReportAndExit1) {
    std::optional<ServerAddress> server;
    auto s = start_server({}, server);
    ASSERT_TRUE(server);
    const std::string report = temp_path("dies.json");
    Process lg(
        {tool_path("wsbench-loadgen"), server->url(), "-c", "4", "-d", "30s", "--json", report});
    // The first progress line: a second of echoes was measured.
    ASSERT_TRUE(lg.wait_for_stderr("received", 10s)) << lg.stderr_text();
    s->signal(SIGKILL);
    const auto code = lg.wait(10s);
    ASSERT_TRUE(code) << "the run ends by itself when the server is gone";
    EXPECT_EQ(*code, 1) << lg.stderr_text();
    std::ifstream in(report);
    ASSERT_TRUE(in);
    const json j = json::parse(in);
    EXPECT_TRUE(j.contains("fatal"));
    EXPECT_GT(j["summary"]["messages"]["received"].get<std::uint64_t>(), 0u);
    EXPECT_LT(j["summary"]["duration_s"].get<double>(), 10.0)
        << "the window ended with the last connection";
    std::remove(report.c_str());
}

TEST(Loadgen, SigintStopsWithinASecondAndMarksTheReportInterrupted) {
    std::optional<ServerAddress> server;
    auto s = start_server({"--log-connections"}, server);
    ASSERT_TRUE(server);
    const std::string report = temp_path("sigint.json");
    Process lg(
        {tool_path("wsbench-loadgen"), server->url(), "-c", "4", "-d", "60s", "--json", report});
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

TEST(Loadgen, EndsWithinItsTimeoutsWhenTheTargetStopsAnswering) {
    SilentServer server;
    const LoadgenRun r =
        run_loadgen({server.url(), "-c", "2", "-d", "1s", "--drain-timeout", "500ms"}, 15s);
    // The tool's own run, start to exit: not the schema check of its report (python3 through
    // pyenv's shims, seconds on a loaded machine) that run_loadgen does after it.
    const auto took = std::chrono::duration<double>(r.seconds);
    ASSERT_TRUE(r.exit_code) << "the run must end by itself";
    EXPECT_EQ(*r.exit_code, 1) << "nothing came back: " << r.stderr_text;
    EXPECT_LT(took, 6s) << "window 1 s + drain 0.5 s + close handshake 1 s, not forever";
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 0);
    EXPECT_EQ(r.report["errors"]["timeout"], 2) << "the message in flight on each connection";
}

TEST(Loadgen, ClosedLoopCountsAReplyLateBeyondTimeoutAndSendsOn) {
    SilentServer server;
    const LoadgenRun r = run_loadgen(
        {server.url(), "-c", "1", "-d", "1s", "--timeout", "200ms", "--drain-timeout", "100ms"},
        15s);
    ASSERT_TRUE(r.exit_code);
    const auto sent = r.report["summary"]["messages"]["sent"].get<std::uint64_t>();
    EXPECT_GE(sent, 4u) << "each timeout frees the slot for the next message";
    EXPECT_EQ(r.report["errors"]["timeout"].get<std::uint64_t>(), sent)
        << "every one of them timed out";
}

TEST(Loadgen, HoldsItsScheduleInsteadOfBufferingWhenTheTargetDoesNotRead) {
    SilentServer server;
    const std::string report = temp_path("silent.json");
    Process lg({tool_path("wsbench-loadgen"), server.url(), "-c", "2", "--per-connection-rate",
                "100k", "-m", "1KiB", "-d", "3s", "--drain-timeout", "100ms", "-t", "1", "--json",
                report});
    // Two seconds of sending into a target that never reads: 400 MB at the requested rate.
    ASSERT_TRUE(lg.wait_for_stderr("[    2s]", 15s)) << lg.stderr_text();
    const auto peak = proc_status_kib(lg.pid(), "VmHWM");
    ASSERT_TRUE(peak);
    // Unbounded buffering would pass 800 MB here; sanitizers add their shadow memory.
    constexpr std::uint64_t kBoundKiB = (under_sanitizer() ? 400u : 100u) * 1024;
    EXPECT_LT(*peak, kBoundKiB) << "loadgen RSS peaked at " << *peak << " KiB";
    EXPECT_TRUE(lg.wait(15s)) << lg.stderr_text();
    std::remove(report.c_str());
}

TEST_P(LoadgenAgainstEngine, DrivesATlsServerInClosedLoop) {
    ScratchDir dir;
    const std::string cert = dir.path() + "/cert.pem";
    const std::string key = dir.path() + "/key.pem";
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    std::optional<ServerAddress> server;
    auto s = start_server({"--tls-cert", cert, "--tls-key", key}, server, engine());
    ASSERT_TRUE(server);
    ASSERT_EQ(server->scheme, "wss");
    const LoadgenRun r = run_loadgen({server->url(), "--insecure", "-c", "2", "-n", "500"});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 1000)
        << "every reply leads to the next message";
    EXPECT_EQ(r.report["handshake_latency_us"]["count"], 2);
    for (const json& t : r.report["generator"]["threads"]) {
        EXPECT_EQ(t["event_loop"], "asio") << "TLS runs on Asio's streams";
    }
}

TEST(Loadgen, BadOptionsExit2NamingTheOption) {
    Process lg({tool_path("wsbench-loadgen"), "ws://127.0.0.1:9/", "-c", "lots"});
    const auto code = lg.wait(5s);
    EXPECT_EQ(code, 2);
    EXPECT_NE(lg.stderr_text().find("-c"), std::string::npos) << lg.stderr_text();
}

INSTANTIATE_TEST_SUITE_P(Engines, LoadgenAgainstEngine,
                         ::testing::Values("websocketpp", "fast", "fast_on_asio"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param);
                         });

}  // namespace
}  // namespace wsb::test
