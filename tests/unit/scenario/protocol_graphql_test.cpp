// protocol: graphql-ws, loaded and driven by hand: connection_init with its params, operation
// ids "NAME:SEQ", results by operation, an error result as the step's protocol error, pings
// answered, the server's close named, and the loader's errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol_driver.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/plan.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {
namespace {

using namespace std::chrono_literals;
using test::load_error;

struct Driver : test::Driver {
    explicit Driver(std::string_view yaml) : test::Driver(yaml) { writable = true; }
};

constexpr const char* kFile = R"(protocol: graphql-ws
connection_params: { token: "t-{{conn.id}}" }
session:
  - query: { name: hello, query: "{ hello }" }
  - subscribe: { name: ticks, query: "subscription { ticks { n sentAt } }", variables: { n: 2 }, sent_at: "$.data.ticks.sentAt" }
  - expect: { name: done, operation: ticks, json: { data: { ticks: { n: 2 } } } }
)";

TEST(GraphqlSession, InitOperationsResultsAndPings) {
    Driver d(kFile);
    EXPECT_EQ(d.s.subprotocols, (std::vector<std::string>{"graphql-transport-ws"}));
    d.start();
    ASSERT_EQ(d.out.sent.size(), 1u);
    EXPECT_EQ(d.out.sent[0], R"({"type":"connection_init","payload":{"token":"t-4"}})");
    d.in(R"({"type":"ping"})");
    ASSERT_EQ(d.out.sent.size(), 2u);
    EXPECT_EQ(d.out.sent[1], R"({"type":"pong"})") << "answered even before the ack";
    d.in(R"({"type":"connection_ack"})");
    ASSERT_EQ(d.out.sent.size(), 3u);
    EXPECT_EQ(d.out.sent[2],
              R"({"id":"hello:0","type":"subscribe","payload":{"query":"{ hello }"}})");
    d.in(R"({"id":"hello:7","type":"next","payload":{"data":{"hello":"old"}}})", 2ms);
    EXPECT_EQ(d.step("hello").count, 0u) << "another operation's id";
    d.in(R"({"id":"hello:0","type":"next","payload":{"data":{"hello":"world"}}})", 3ms);
    d.in(R"({"id":"hello:0","type":"complete"})", 3ms);
    EXPECT_EQ(d.step("hello").count, 1u);
    ASSERT_EQ(d.out.sent.size(), 4u);
    EXPECT_EQ(
        d.out.sent[3],
        R"({"id":"ticks:1","type":"subscribe","payload":{"query":"subscription { ticks { n sentAt } }","variables":{"n":2}}})");
    d.in(
        R"({"id":"ticks:1","type":"next","payload":{"data":{"ticks":{"n":1,"sentAt":1699999999998000}}}})");
    EXPECT_EQ(d.step("ticks").count, 1u);
    EXPECT_EQ(d.step("ticks").latency_us.max(), 2000u);
    d.in(R"({"id":"ticks:1","type":"error","payload":[{"message":"boom"}]})");
    EXPECT_EQ(d.step("ticks").protocol_errors, 1u);
    d.in(R"({"id":"ticks:1","type":"next","payload":{"data":{"ticks":{"n":2,"sentAt":1}}}})");
    EXPECT_EQ(d.step("done").count, 1u);
    EXPECT_TRUE(d.session.finished());
    EXPECT_FALSE(d.session.failed());
    EXPECT_EQ(d.stats.unmatched, 1u);  // hello:7
}

TEST(GraphqlSession, AnErrorResultEndsAQuerysWait) {
    Driver d(kFile);
    d.start();
    d.in(R"({"type":"connection_ack"})");
    d.in(R"({"id":"hello:0","type":"error","payload":[{"message":"Cannot query field"}]})");
    EXPECT_EQ(d.step("hello").protocol_errors, 1u);
    EXPECT_EQ(d.step("hello").count, 0u);
    EXPECT_EQ(d.out.sent.back().substr(0, 16), R"({"id":"ticks:1",)") << "the session went on";
}

TEST(GraphqlSession, TheServersCloseAndBadMessagesAreNamed) {
    Driver closed(kFile);
    closed.start();
    closed.session.on_peer_close(4403, "Forbidden");
    EXPECT_TRUE(closed.session.failed());
    ASSERT_EQ(closed.stats.errors.size(), 1u);
    EXPECT_EQ(closed.stats.errors[0].first,
              "graphql-ws: the server closed the connection: 4403 forbidden 'Forbidden'");
    Driver bad(kFile);
    bad.start();
    bad.in("not json");
    EXPECT_TRUE(bad.session.failed());
    EXPECT_EQ(bad.stats.errors.at(0).first, "graphql-ws: bad_json");
    Driver odd(kFile);
    odd.start();
    odd.in(R"({"type":"subscribe","id":"x"})");
    EXPECT_EQ(odd.stats.errors.at(0).first, "graphql-ws: an unexpected subscribe message");
}

TEST(GraphqlLoader, KeysAndTheirErrors) {
    EXPECT_EQ(load_error("session: [ { query: { name: a, query: q } } ]\n"),
              "t.yaml:1:21: session[0].query: query goes with protocol: graphql-ws");
    EXPECT_EQ(load_error("protocol: graphql-ws\nsession: [ { query: { query: q } } ]\n"),
              "t.yaml:2:21: session[0].query: a query needs a name (its report step)");
    EXPECT_EQ(
        load_error("protocol: graphql-ws\nsession: [ { subscribe: { name: a } } ]\n"),
        "t.yaml:2:25: session[0].subscribe: a subscribe needs a query (the GraphQL document)");
    EXPECT_EQ(
        load_error("protocol: graphql-ws\nsession: [ { query: { name: 'a:b', query: q } } ]\n"),
        "t.yaml:2:29: session[0].query.name: a name without ':' or '\"'");
    EXPECT_EQ(load_error("connection_params: { a: 1 }\nsession: [ { send: x } ]\n"),
              "t.yaml:1:20: connection_params: goes with protocol: graphql-ws");
    EXPECT_EQ(load_error("session: [ { expect: { operation: a } } ]\n"),
              "t.yaml:1:35: session[0].expect.operation: goes with protocol: graphql-ws");
    const std::string plan = describe_plan(load_scenario_text(kFile, "t.yaml", false));
    EXPECT_NE(plan.find("protocol: graphql-ws (graphql-transport-ws), connection_params"),
              std::string::npos)
        << plan;
    EXPECT_NE(plan.find("listen ticks (line 5): next of ticks, push latency from "
                        "$.data.ticks.sentAt"),
              std::string::npos)
        << plan;
}

}  // namespace
}  // namespace wsb::scenario
