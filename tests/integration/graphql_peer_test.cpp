// Our graphql-transport-ws codec against the real graphql-ws server (tests/peers/js/
// graphql_server.js: graphql-ws, graphql and ws from npm, installed by scripts/setup.sh):
// connection_init and ack, a query's and a mutation's next and complete, a subscription's
// ticks, an execution error, ping answered, and a refused token; the server's own counts must
// equal what we sent and received.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "process.hpp"
#include "ws_client.hpp"
#include "wsbench/proto/graphql_ws.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace gql = wsb::graphql_ws;

const std::string kPeerDir = std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/js";

/// A decoded server message, copied.
struct Message {
    gql::Type type = gql::Type::unknown;
    std::string id;
    json payload;
};

class GraphqlPeer : public ::testing::Test {
  protected:
    void start(std::vector<std::string> args = {}) {
        // Missing parts fail the test loudly: scripts/setup.sh installs all of them.
        ASSERT_EQ(std::system("node --version >/dev/null 2>&1"), 0)
            << "node is not installed (scripts/setup.sh installs it)";
        for (const char* module : {"graphql-ws", "graphql", "ws"}) {
            ASSERT_EQ(
                access((kPeerDir + "/node_modules/" + module + "/package.json").c_str(), R_OK), 0)
                << "the npm package " << module << " is missing from " << kPeerDir
                << "/node_modules (scripts/setup.sh runs npm ci there)";
        }
        std::vector<std::string> argv = {"/usr/bin/env", "node", kPeerDir + "/graphql_server.js"};
        argv.insert(argv.end(), args.begin(), args.end());
        server_ = std::make_unique<Process>(argv, Process::Stdin::pipe);
        const auto address = wait_listening(*server_);
        ASSERT_TRUE(address);
        url_ = address->url("/");
    }

    /// Closes the server's stdin and reads the counts it prints.
    json stop_and_read_counts() {
        server_->close_stdin();
        EXPECT_TRUE(server_->read_stdout_to_eof(10s)) << server_->stderr_text();
        EXPECT_EQ(server_->wait(10s), 0) << server_->stderr_text();
        const std::string& out = server_->stdout_text();
        const auto start = out.find('\n') + 1;  // after the listening line
        return json::parse(out.substr(start), nullptr, false);
    }

    bool open(WsClient& ws) {
        ClientOptions options;
        options.subprotocols = {std::string(gql::kSubprotocol)};
        return ws.connect(url_, options);
    }

    /// The next message, decoded by our codec; nullopt (with a failure) otherwise.
    static std::optional<Message> next(WsClient& ws) {
        const auto m = ws.receive(5s);
        if (!m || m->opcode != Opcode::text) {
            ADD_FAILURE() << "no text message: "
                          << (m ? "close " + std::to_string(m->close_code()) : ws.error());
            return std::nullopt;
        }
        gql::Message d;
        std::size_t at = 0;
        const gql::Errc e = gql::decode(m->payload, d, &at);
        if (e != gql::Errc::ok) {
            ADD_FAILURE() << gql::to_string(e) << " at " << at << ": " << m->payload;
            return std::nullopt;
        }
        Message out;
        out.type = d.type;
        out.id = std::string(d.id);
        if (!d.payload.empty()) out.payload = json::parse(d.payload);
        return out;
    }

    bool send_init(WsClient& ws, const std::string& payload = {}) {
        out_.clear();
        gql::encode_connection_init(out_, payload);
        return ws.send_text(out_);
    }
    bool subscribe(WsClient& ws, const std::string& id, const std::string& query,
                   const std::string& variables = {}, const std::string& name = {}) {
        out_.clear();
        gql::encode_subscribe(out_, id, query, variables, name);
        return ws.send_text(out_);
    }

    std::unique_ptr<Process> server_;
    std::string url_;
    std::string out_;
};

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST_F(GraphqlPeer, QueryMutationSubscriptionErrorAndPing) {
    ASSERT_NO_FATAL_FAILURE(start());
    WsClient ws;
    ASSERT_TRUE(open(ws)) << ws.error();
    EXPECT_EQ(ws.response().headers.combined("Sec-WebSocket-Protocol"), gql::kSubprotocol);
    ASSERT_TRUE(send_init(ws));
    auto m = next(ws);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->type, gql::Type::connection_ack);

    // A query: one next, then complete.
    ASSERT_TRUE(subscribe(ws, "q1", "query Q { hello }", {}, "Q"));
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::next);
    EXPECT_EQ(m->id, "q1");
    EXPECT_EQ(m->payload["data"]["hello"], "world");
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::complete);
    EXPECT_EQ(m->id, "q1");

    // A mutation with variables and a string that needs escaping.
    ASSERT_TRUE(subscribe(ws, "m1", "mutation M($t: String!) { post(text: $t) { id text } }",
                          R"({"t":"say \"hi\"\n"})", "M"));
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::next);
    EXPECT_EQ(m->payload["data"]["post"]["text"], "say \"hi\"\n");
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::complete);

    // A subscription that ticks 3 times, 20 ms apart, with its send time in microseconds.
    const std::int64_t before = now_us();
    ASSERT_TRUE(
        subscribe(ws, "s1", "subscription T { ticks(n: 3, everyMs: 20) { n sentAt } }", {}, "T"));
    std::int64_t last = before;
    for (int i = 1; i <= 3; ++i) {
        m = next(ws);
        ASSERT_TRUE(m);
        ASSERT_EQ(m->type, gql::Type::next);
        EXPECT_EQ(m->id, "s1");
        EXPECT_EQ(m->payload["data"]["ticks"]["n"], i);
        const auto sent_at = m->payload["data"]["ticks"]["sentAt"].get<std::int64_t>();
        EXPECT_GE(sent_at, last);
        EXPECT_LE(sent_at, now_us() + 1000);  // same host clock
        last = sent_at;
    }
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::complete);
    EXPECT_EQ(m->id, "s1");

    // A subscription that fails after one tick: next, then error (and no complete).
    ASSERT_TRUE(subscribe(ws, "f1", "subscription F { fail(after: 1) { n } }", {}, "F"));
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::next);
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::error);
    EXPECT_EQ(m->id, "f1");
    EXPECT_EQ(m->payload[0]["message"], "fail after 1");

    // ping is answered with pong.
    out_.clear();
    gql::encode_ping(out_, R"({"k":1})");
    ASSERT_TRUE(ws.send_text(out_));
    m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::pong);

    ASSERT_TRUE(ws.send_close(1000));
    EXPECT_EQ(ws.receive_close(5s), 1000);
    const json counts = stop_and_read_counts();
    EXPECT_EQ(counts["connections"], 1) << counts;
    EXPECT_EQ(counts["acks"], 1) << counts;
    EXPECT_EQ(counts["subscribes"], (json{{"Q", 1}, {"M", 1}, {"T", 1}, {"F", 1}})) << counts;
    EXPECT_EQ(counts["nexts"], 1 + 1 + 3 + 1) << counts;
    EXPECT_EQ(counts["errors"], 1) << counts;
    EXPECT_EQ(counts["completes"], 4) << "every operation ended: " << counts;
}

TEST_F(GraphqlPeer, WrongTokenIsRefusedWith4403) {
    ASSERT_NO_FATAL_FAILURE(start({"--token", "s3cret"}));
    {
        WsClient ws;
        ASSERT_TRUE(open(ws)) << ws.error();
        ASSERT_TRUE(send_init(ws, R"({"token":"wrong"})"));
        const auto code = ws.receive_close(5s);
        ASSERT_TRUE(code);
        EXPECT_EQ(*code, 4403);
        EXPECT_EQ(gql::close_code_name(*code), "forbidden");
    }
    WsClient ws;
    ASSERT_TRUE(open(ws)) << ws.error();
    ASSERT_TRUE(send_init(ws, R"({"token":"s3cret"})"));
    const auto m = next(ws);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, gql::Type::connection_ack);
    ASSERT_TRUE(ws.send_close(1000));
    EXPECT_EQ(ws.receive_close(5s), 1000);
    const json counts = stop_and_read_counts();
    EXPECT_EQ(counts["connections"], 2) << counts;
    EXPECT_EQ(counts["refused"], 1) << counts;
    EXPECT_EQ(counts["acks"], 1) << counts;
}

}  // namespace
}  // namespace wsb::test
