// wsbench-loadgen --scenario with `protocol: graphql-ws` against the real graphql-ws server from
// npm (tests/peers/js/graphql_server.js: a query, a ticking subscription, one that fails):
// the report's counts equal what the server saw, an error result is counted as the step's
// protocol error, and a refused connection_init (4403) is a named error with exit 1.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "scenario_file_run.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class GraphqlWs : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const std::string why = missing_js_peer("graphql-ws"); !why.empty())
            GTEST_SKIP() << why;
    }

    // Runs the loadgen with `scenario` against the peer started with `server_args`: its exit
    // code, and the report and the peer's counts through the arguments.
    int run(const std::string& scenario, const std::vector<std::string>& server_args, json& report,
            json& counts, std::string* err = nullptr) {
        ScenarioFileRun r =
            run_scenario_against_js_peer(dir_, "graphql_server.js", server_args, scenario, counts);
        report = std::move(r.report);
        if (err != nullptr) *err = r.err;
        return r.exit_code;
    }

    ScratchDir dir_{"graphql"};
};

constexpr const char* kTicks = R"(
protocol: graphql-ws
connection_params: { token: "{{env.GQL_TOKEN}}" }
phases: [ { duration: 2s, arrival_rate: 10 } ]
session:
  - query: { name: hello, query: "query Hello { hello }", operation_name: Hello }
  - mutation: { name: post, query: "mutation Post($t: String!) { post(text: $t) { id text } }", variables: { t: "hi {{conn.id}}" }, operation_name: Post }
  - subscribe:
      name: ticks
      query: "subscription Ticks($n: Int!) { ticks(n: $n, everyMs: 50) { n sentAt } }"
      variables: { n: 4 }
      operation_name: Ticks
      sent_at: "$.data.ticks.sentAt"
  - expect: { name: last, operation: ticks, json: { data: { ticks: { n: 4 } } }, timeout: 5s }
)";

TEST_F(GraphqlWs, OperationsAndSubscriptionCountsEqualWhatTheServerSaw) {
    ::setenv("GQL_TOKEN", "secret", 1);
    json r, counts;
    ASSERT_EQ(run(kTicks, {"--token", "secret"}, r, counts), 0) << r.dump(2);
    const json& s = r["sessions"];
    EXPECT_EQ(s["started"], 20);
    EXPECT_EQ(s["completed"], 20) << s.dump();
    EXPECT_EQ(s["unmatched"], 0);
    EXPECT_EQ(counts["connections"], 20) << counts;
    EXPECT_EQ(counts["acks"], 20);
    EXPECT_EQ(counts["subscribes"]["Hello"], 20);
    EXPECT_EQ(counts["subscribes"]["Post"], 20);
    EXPECT_EQ(counts["subscribes"]["Ticks"], 20);
    const json& steps = r["steps"];
    EXPECT_EQ(steps["hello"]["count"], 20);
    EXPECT_EQ(steps["post"]["count"], 20);
    EXPECT_EQ(steps["last"]["count"], 20);
    EXPECT_EQ(steps["ticks"]["count"], 60) << "ticks 1-3; the 4th went to the expect";
    EXPECT_EQ(steps["ticks"]["errors"]["timestamp"], 0);
    EXPECT_EQ(steps["hello"]["count"].get<int>() + steps["post"]["count"].get<int>() +
                  steps["ticks"]["count"].get<int>() + steps["last"]["count"].get<int>(),
              counts["nexts"].get<int>());
}

TEST_F(GraphqlWs, AnErrorResultIsTheStepsProtocolError) {
    const char* failing = R"(
protocol: graphql-ws
phases: [ { duration: 1s, users: 3 } ]
session:
  - query: { name: broken, query: "{ nosuchfield }", timeout: 3s }
  - subscribe: { name: fail, query: "subscription { fail(after: 2) { n sentAt } }", sent_at: "$.data.fail.sentAt" }
  - expect: { name: two, operation: fail, json: { data: { fail: { n: 2 } } }, timeout: 3s }
  - think: 300ms
)";
    json r, counts;
    ASSERT_EQ(run(failing, {}, r, counts), 0) << r.dump(2);
    const std::uint64_t sessions = r["sessions"]["started"].get<std::uint64_t>();
    ASSERT_GE(sessions, 3u);
    EXPECT_EQ(r["sessions"]["completed"], r["sessions"]["started"]) << r["sessions"].dump();
    EXPECT_EQ(r["steps"]["broken"]["errors"]["protocol"], sessions) << r["steps"].dump();
    EXPECT_EQ(r["steps"]["broken"]["count"], 0);
    EXPECT_EQ(r["steps"]["broken"]["timeouts"], 0) << "the error ended the wait";
    EXPECT_EQ(r["steps"]["two"]["count"], sessions);
    EXPECT_EQ(r["steps"]["fail"]["count"], sessions) << "tick 1; tick 2 went to the expect";
    EXPECT_EQ(r["steps"]["fail"]["errors"]["protocol"], sessions) << "then the error";
    EXPECT_EQ(counts["errors"].get<std::uint64_t>(), 2 * sessions) << counts;
}

TEST_F(GraphqlWs, ARefusedConnectionInitIsANamedErrorAndExitsOne) {
    const char* wrong = R"(
protocol: graphql-ws
connection_params: { token: "wrong" }
phases: [ { duration: 1s, arrival_rate: 5 } ]
session:
  - query: { name: hello, query: "{ hello }" }
)";
    json r, counts;
    std::string err;
    EXPECT_EQ(run(wrong, {"--token", "secret"}, r, counts, &err), 1) << err;
    EXPECT_EQ(r["sessions"]["failed"], 5) << r["sessions"].dump();
    EXPECT_EQ(r["sessions"]["errors"]
               ["graphql-ws: the server closed the connection: 4403 forbidden 'Forbidden'"],
              5)
        << r["sessions"]["errors"].dump();
    EXPECT_EQ(counts["refused"], 5);
    EXPECT_NE(err.find("4403"), std::string::npos) << err;
}

}  // namespace
}  // namespace wsb::test
