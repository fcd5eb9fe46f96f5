// Scenario files against real processes: wsbench-loadgen --check-scenario on the examples and
// on a malformed file, and the test application server (tests/peers/app_server.cpp) that the
// scenario runs will be checked against: out-of-order replies, several replies per request,
// notifications, failing auth, exact counts, a crash on demand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "scratch_dir.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const std::string kExamples = std::string(WSBENCH_SOURCE_DIR) + "/examples/";

TEST(CheckScenario, ExamplesAreValidAndPrintTheirPlan) {
    for (const char* name : {"chat.yaml", "jsonrpc.json", "trading-feed.yaml"}) {
        const ToolRun run = run_tool({"wsbench-loadgen", "--check-scenario", kExamples + name});
        ASSERT_EQ(run.exit_code, 0) << name << ": " << run.err;
        EXPECT_THAT(run.out, HasSubstr(kExamples + name + ": valid scenario\n"));
        EXPECT_THAT(run.out, HasSubstr("report steps:"));
        EXPECT_EQ(run.err, "");
    }
}

TEST(CheckScenario, AMalformedFileExitsTwoNamingFileLineColumnAndKey) {
    ScratchDir dir("scenario");
    const std::string path = (dir / "bad.yaml").string();
    std::ofstream(path) << "session:\n  - send: x\n  - expect: { json: { id: '{{sq}}' } }\n";
    const ToolRun run = run_tool({"wsbench-loadgen", "--check-scenario", path});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.err, HasSubstr(path + ":3:27: session[1].expect.json.id: template '{{sq}}', "
                                          "at character 3: unknown name 'sq'"));
    EXPECT_EQ(run.out, "");
}

// A client of the app server: sends JSON, reads JSON.
struct AppClient {
    WsClient ws;
    bool connect(const std::string& url) { return ws.connect(url); }
    void send(const json& j) { ASSERT_TRUE(ws.send_text(j.dump())); }
    json receive() {
        const auto m = ws.receive(5s);
        if (!m) return json();
        return json::parse(m->payload, nullptr, false);
    }
};

json stop_and_read_stats(ToolProcess& server) {
    server.process->signal(SIGTERM);
    const auto line = server.process->wait_for_line("stats ", 10s);
    EXPECT_TRUE(line) << server.process->stderr_text();
    return line ? json::parse(line->substr(6)) : json();
}

TEST(AppServer, AuthJoinAndFailingUsers) {
    ToolProcess server({"app_server"});
    ASSERT_TRUE(server.wait_listening());
    AppClient c;
    ASSERT_TRUE(c.connect(server.url("/chat")));
    c.send({{"op", "auth"}, {"user", "alice"}});
    const json ok = c.receive();
    EXPECT_EQ(ok["op"], "auth_ok");
    EXPECT_EQ(ok["session"], "s-1");
    c.send({{"op", "auth"}, {"user", "bad-bob"}});
    EXPECT_EQ(c.receive()["op"], "auth_failed");
    c.send({{"op", "join"}, {"room", "r3"}});
    EXPECT_EQ(c.receive(), (json{{"op", "joined"}, {"room", "r3"}}));
    c.send({{"op", "say"}, {"id", 9}});
    EXPECT_EQ(c.receive(), (json{{"op", "ack"}, {"id", 9}}));
    c.ws.send_text("not json");
    c.send({{"op", "stats"}});
    const json live = c.receive();
    EXPECT_EQ(live["op"], "stats");
    EXPECT_EQ(live["malformed"], 1);
    ASSERT_TRUE(c.ws.send_close(1000));
    EXPECT_TRUE(c.ws.receive_close(5s));

    const json stats = stop_and_read_stats(server);
    EXPECT_EQ(stats["connections"], 1);
    EXPECT_EQ(stats["auth_ok"], 1);
    EXPECT_EQ(stats["auth_failed"], 1);
    EXPECT_EQ(stats["joins"], 1);
    EXPECT_EQ(stats["says"], 1);
    EXPECT_EQ(stats["close_codes"]["1000"], 1);
}

TEST(AppServer, DelayedRepliesComeOutOfOrderWithProgressBeforeEach) {
    ToolProcess server({"app_server", "--delay-max", "50", "--progress", "2", "--seed", "7"});
    ASSERT_TRUE(server.wait_listening());
    AppClient c;
    ASSERT_TRUE(c.connect(server.url()));
    constexpr int kRequests = 40;
    for (int id = 0; id < kRequests; ++id) {
        c.send({{"id", id}, {"method", id == 5 ? "fail" : "ping"}, {"params", {id}}});
    }
    std::vector<int> order;
    std::map<int, int> progress;
    while (static_cast<int>(order.size()) < kRequests) {
        const json m = c.receive();
        ASSERT_TRUE(m.is_object()) << "after " << order.size() << " replies";
        const int id = m["id"];
        if (m.contains("progress")) {
            ++progress[id];
            continue;
        }
        EXPECT_EQ(progress[id], 2) << "both progress messages come before the reply of " << id;
        if (id == 5) {
            EXPECT_EQ(m["error"]["code"], -32000);
        } else {
            EXPECT_EQ(m["result"]["params"], json::array({id}));
        }
        order.push_back(id);
    }
    EXPECT_EQ(std::set<int>(order.begin(), order.end()).size(), std::size_t{kRequests});
    EXPECT_FALSE(std::is_sorted(order.begin(), order.end()))
        << "random delays up to 50 ms reorder 40 replies";
    const json stats = stop_and_read_stats(server);
    EXPECT_EQ(stats["requests"], kRequests);
    EXPECT_EQ(stats["replies"], kRequests);
    EXPECT_EQ(stats["progress"], 2 * kRequests);
}

TEST(AppServer, NotificationsGoToAuthenticatedConnectionsOnly) {
    ToolProcess server({"app_server", "--notify-every", "10"});
    ASSERT_TRUE(server.wait_listening());
    AppClient authed;
    AppClient anonymous;
    ASSERT_TRUE(authed.connect(server.url()));
    ASSERT_TRUE(anonymous.connect(server.url()));
    authed.send({{"op", "auth"}, {"user", "carol"}});
    EXPECT_EQ(authed.receive()["op"], "auth_ok");
    for (int i = 0; i < 3; ++i) {
        const json n = authed.receive();
        EXPECT_EQ(n["method"], "notify");
        EXPECT_GT(n["ts_us"].get<std::int64_t>(), 1'600'000'000'000'000);
    }
    anonymous.send({{"op", "ping"}});
    EXPECT_EQ(anonymous.receive(), (json{{"op", "pong"}}));  // no notification before it
    const json stats = stop_and_read_stats(server);
    EXPECT_GE(stats["notifications"], 3);
    EXPECT_EQ(stats["pings"], 1);
}

TEST(AppServer, DiesAfterTheNthRequestWithoutClosing) {
    ToolProcess server({"app_server", "--die-after", "3"});
    ASSERT_TRUE(server.wait_listening());
    AppClient c;
    ASSERT_TRUE(c.connect(server.url()));
    for (int id = 0; id < 2; ++id) {
        c.send({{"id", id}, {"method", "ping"}});
        EXPECT_EQ(c.receive()["id"], id);
    }
    c.send({{"id", 2}, {"method", "ping"}});  // the third: it exits before replying
    EXPECT_TRUE(c.ws.wait_eof(5s));
    EXPECT_EQ(server.process->wait(5s), 3);
}

}  // namespace
}  // namespace wsb::test
