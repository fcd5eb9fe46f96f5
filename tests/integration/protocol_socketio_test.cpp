// wsbench-loadgen --scenario with `protocol: socketio` against the real socket.io 4 server from
// npm (tests/peers/js/socketio_server.js, a chat with rooms and acks): the report's counts
// equal what the server saw, sessions outlive several Engine.IO ping intervals idle, and a
// refused namespace connect or a server disconnect is a named error with exit 1, never a hang.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "scenario_file_run.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class SocketIo : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const std::string why = missing_js_peer("socket.io"); !why.empty()) GTEST_SKIP() << why;
    }

    // Runs the loadgen with `scenario` against a socket.io server started with `server_args`;
    // Runs the loadgen with `scenario` against the peer started with `server_args`: its exit
    // code, and the report and the peer's counts through the arguments.
    int run(const std::string& scenario, const std::vector<std::string>& server_args, json& report,
            json& counts, std::string* err = nullptr) {
        ScenarioFileRun r =
            run_scenario_against_js_peer(dir_, "socketio_server.js", server_args, scenario, counts);
        report = std::move(r.report);
        if (err != nullptr) *err = r.err;
        return r.exit_code;
    }

    ScratchDir dir_{"socketio"};
};

// Each session alone in its room, so every delivery the server makes reaches a session that
// is still there: the final acked echo comes back only after all its messages were handled.
constexpr const char* kChat = R"(
protocol: socketio
namespace: /chat
auth: { token: secret }
phases: [ { duration: 2s, arrival_rate: 10 } ]
session:
  - emit: { event: join, data: { room: "r{{conn.id}}" }, ack: true, name: join }
  - expect: { name: joined, event: joined, json: { room: "r{{conn.id}}" }, capture: { n: "$[0].members" } }
  - loop:
      count: 10
      rate: 20/s
      steps:
        - emit: { event: msg, data: { text: "hi {{seq}} of {{n}}", ts: "{{now_us}}" } }
  - emit: { event: echo, args: [ bye, 2 ], ack: true, name: bye, timeout: 5s }
listen:
  - { name: chat, event: msg, sent_at: "$[0].ts" }
)";

TEST_F(SocketIo, ChatCountsEqualWhatTheServerSaw) {
    json r, counts;
    ASSERT_EQ(run(kChat, {"--token", "secret"}, r, counts), 0) << r.dump(2);
    const json& s = r["sessions"];
    EXPECT_EQ(s["started"], 20);
    EXPECT_EQ(s["completed"], 20) << s.dump();
    EXPECT_EQ(s["failed"], 0);
    EXPECT_EQ(s["errors"], json::object());
    EXPECT_EQ(s["unmatched"], 0);
    EXPECT_EQ(counts["connections"], 20) << counts;
    EXPECT_EQ(counts["refused"], 0);
    EXPECT_EQ(counts["joins"], 20);
    EXPECT_EQ(counts["msgs"], 200);
    EXPECT_EQ(counts["acks"], 40);  // join and bye
    const json& steps = r["steps"];
    EXPECT_EQ(steps["join"]["count"], 20);
    EXPECT_EQ(steps["join"]["timeouts"], 0);
    EXPECT_EQ(steps["joined"]["count"], 20);
    EXPECT_EQ(steps["joined"]["errors"]["capture"], 0);
    EXPECT_EQ(steps["bye"]["count"], 20);
    EXPECT_EQ(steps["chat"]["count"], counts["deliveries"]);
    EXPECT_EQ(steps["chat"]["count"], 200);
    EXPECT_EQ(steps["chat"]["errors"]["timestamp"], 0);
    EXPECT_GT(steps["chat"]["latency_us"]["max"].get<double>(), 0);
}

TEST_F(SocketIo, SessionsOutliveSeveralPingIntervalsIdleInTheDefaultNamespace) {
    // Pings every 300 ms with a 1 s timeout: a session that did not answer them would be
    // dropped long before its 2.5 s pause ends, and its acked echo would time out.
    const char* idle = R"(
protocol: socketio
phases: [ { duration: 1s, users: 4 } ]
session:
  - emit: { event: echo, args: [ first ], ack: true, name: first }
  - think: 2500ms
  - emit: { event: echo, args: [ last ], ack: true, name: last, timeout: 3s }
)";
    json r, counts;
    ASSERT_EQ(run(idle, {"--ping-interval", "300"}, r, counts), 0) << r.dump(2);
    EXPECT_EQ(r["sessions"]["completed"], 4) << r["sessions"].dump();
    EXPECT_EQ(r["sessions"]["failed"], 0);
    EXPECT_EQ(r["steps"]["last"]["count"], 4);
    EXPECT_EQ(r["steps"]["last"]["timeouts"], 0);
    EXPECT_EQ(counts["connections"], 4);
    EXPECT_EQ(counts["echoes"], 8);
}

TEST_F(SocketIo, ARefusedNamespaceConnectIsANamedErrorAndExitsOne) {
    const char* wrong = R"(
protocol: socketio
namespace: /chat
auth: { token: "wrong-{{conn.id}}" }
phases: [ { duration: 1s, arrival_rate: 5 } ]
session:
  - emit: { event: join, data: { room: r }, ack: true, name: join }
)";
    json r, counts;
    std::string err;
    EXPECT_EQ(run(wrong, {"--token", "secret"}, r, counts, &err), 1) << err;
    EXPECT_EQ(r["sessions"]["started"], 5) << r["sessions"].dump();
    EXPECT_EQ(r["sessions"]["failed"], 5);
    EXPECT_EQ(r["sessions"]["errors"]["socketio connect_error: Not authorized"], 5);
    EXPECT_EQ(counts["refused"], 5);
    EXPECT_EQ(counts["joins"], 0);
    EXPECT_NE(err.find("socketio connect_error: Not authorized"), std::string::npos) << err;
}

TEST_F(SocketIo, AServerDisconnectIsCountedAndNamed) {
    const char* chatty = R"(
protocol: socketio
phases: [ { duration: 1s, users: 2 } ]
session:
  - loop:
      count: 10
      steps:
        - emit: { event: msg, data: { text: x } }
        - expect: { name: echo, event: msg }
)";
    json r, counts;
    std::string err;
    EXPECT_EQ(run(chatty, {"--disconnect-after", "3"}, r, counts, &err), 1) << err;
    const std::uint64_t failed = r["sessions"]["failed"].get<std::uint64_t>();
    EXPECT_GE(failed, 2u) << r["sessions"].dump();
    EXPECT_EQ(r["sessions"]["errors"]["socketio: the server disconnected namespace /"], failed);
    EXPECT_EQ(r["sessions"]["completed"], 0);
    EXPECT_EQ(counts["server_disconnects"], failed);
}

}  // namespace
}  // namespace wsb::test
