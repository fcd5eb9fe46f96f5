// Loading scenario files: the issue's example compiled into a program, JSON files, data feeds,
// and every error as FILE:LINE:COL: KEY: message.
#include "wsbench/scenario/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "schema_check.hpp"
#include "scratch_dir.hpp"

namespace wsb::scenario {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kChat = R"(url: ws://127.0.0.1:9001/chat
headers: { Authorization: "Bearer {{env.WSB_LOADER_TOKEN}}" }
subprotocols: [chat.v1]
vars: { room: "room-{{conn.id % 10}}" }
phases:
  - { duration: 10s, arrival_rate: 50, ramp_to: 200 }
  - { duration: 30s, users: 500 }
session:
  - send: '{"op":"auth","user":"u{{session.id}}","id":"{{uuid}}"}'
  - expect: { json: { op: auth_ok }, timeout: 5s, capture: { sid: "$.session" } }
  - send: { json: { op: join, room: "{{room}}", sid: "{{sid}}" } }
  - loop:
      count: 100
      rate: 10/s
      steps:
        - send: { name: rpc, json: { id: "{{seq}}", method: ping, params: ["{{rand.hex 16}}", 1.5, true, null] } }
        - expect: { name: rpc, json: { id: "{{seq}}" }, timeout: 2s }
        - think: 50ms
        - think: { min: 10ms, max: 100ms }
  - close: 1000
listen:
  - { name: price, json: { type: tick }, sent_at: "$.ts_us" }
heartbeat: { every: 25s, send: '{"op":"ping"}' }
)";

Scenario load(std::string_view text, bool json = false) {
    return load_scenario_text(text, "chat.yaml", json);
}

std::string error_of(std::string_view text, bool json = false) {
    try {
        load_scenario_text(text, "bad.yaml", json);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return {};
}

std::string render(const Template& t, RenderContext ctx = {}) {
    std::string out;
    EXPECT_TRUE(t.render(ctx, out));
    return out;
}

TEST(Loader, CompilesTheIssueExample) {
    ::setenv("WSB_LOADER_TOKEN", "tok", 1);
    const Scenario s = load(kChat);
    EXPECT_EQ(s.url, "ws://127.0.0.1:9001/chat");
    ASSERT_EQ(s.headers.size(), 1u);
    EXPECT_EQ(render(s.headers[0].second), "Bearer tok");
    EXPECT_EQ(s.subprotocols, (std::vector<std::string>{"chat.v1"}));
    EXPECT_EQ(s.slots, (std::vector<std::string>{"room", "sid"}));
    ASSERT_EQ(s.phases.size(), 2u);
    EXPECT_TRUE(s.phases[0].open);
    EXPECT_EQ(s.phases[0].arrival_rate, 50);
    EXPECT_EQ(s.phases[0].ramp_to, 200);
    EXPECT_FALSE(s.phases[1].open);
    EXPECT_EQ(s.phases[1].users, 500u);
    EXPECT_EQ(s.phases[1].duration, 30s);

    // send, expect, send, loop, send, expect, think, think, end, close
    ASSERT_EQ(s.program.size(), 10u);
    const auto& loop = std::get<LoopStep>(s.program[3].what);
    EXPECT_EQ(loop.count, 100u);
    EXPECT_EQ(loop.rate, 10);
    EXPECT_EQ(loop.end, 8u);
    EXPECT_EQ(std::get<LoopEnd>(s.program[8].what).begin, 3u);
    EXPECT_EQ(s.program[3].at.line, 12u);  // the loop: key

    const auto& auth = std::get<ExpectStep>(s.program[1].what);
    EXPECT_EQ(auth.name, "line10");  // unnamed, after an unnamed send
    EXPECT_EQ(auth.origin, 0u);
    EXPECT_EQ(auth.timeout, 5s);
    ASSERT_EQ(auth.captures.size(), 1u);
    EXPECT_EQ(auth.captures[0].pointer, "/session");
    EXPECT_EQ(auth.captures[0].slot, 1u);

    std::vector<std::string> slots{"room-3", "S1"};
    RenderContext ctx;
    ctx.seq = 17;
    ctx.slots = &slots;
    Rng rng(3);
    ctx.rng = &rng;
    EXPECT_EQ(render(std::get<SendStep>(s.program[2].what).body, ctx),
              R"({"op":"join","room":"room-3","sid":"S1"})");
    const std::string rpc = render(std::get<SendStep>(s.program[4].what).body, ctx);
    EXPECT_THAT(rpc, HasSubstr(R"({"id":17,"method":"ping","params":[")"));
    EXPECT_THAT(rpc, HasSubstr(R"(",1.5,true,null]})"));
    const auto& reply = std::get<ExpectStep>(s.program[5].what);
    EXPECT_EQ(reply.name, "rpc");
    EXPECT_EQ(reply.origin, 4u);
    BoundValues bound;
    ASSERT_TRUE(reply.match.bind(ctx, bound));
    JsonScratch js;
    EXPECT_TRUE(
        reply.match.matches({MessageType::text, R"({"id":17,"result":"pong"})", 25}, bound, js));
    EXPECT_EQ(std::get<ThinkStep>(s.program[6].what).min, 50ms);
    EXPECT_EQ(std::get<ThinkStep>(s.program[7].what).max, 100ms);
    EXPECT_EQ(std::get<CloseStep>(s.program[9].what).code, 1000);

    ASSERT_EQ(s.listen.size(), 1u);
    EXPECT_EQ(s.listen[0].sent_at_pointer, "/ts_us");
    ASSERT_TRUE(s.heartbeat);
    EXPECT_EQ(s.heartbeat->every, 25s);
    EXPECT_EQ(s.step_names(), (std::vector<std::string>{"line10", "rpc", "price"}));
}

TEST(Loader, JsonFilesGiveTheSameProgram) {
    const Scenario s = load(R"({
  "phases": [{"duration": "5s", "users": 2}],
  "session": [
    {"send": {"name": "q", "json": {"id": "{{seq}}", "n": 3}}},
    {"expect": {"json": {"id": "{{seq}}"}, "on_timeout": "close"}},
    {"send": {"binary": {"hex": "00ff10"}}},
    {"send": {"binary": {"base64": "AAEC"}}},
    {"close": {"code": 4000, "reason": "bye"}}
  ]
})",
                            true);
    ASSERT_EQ(s.program.size(), 5u);
    EXPECT_EQ(render(std::get<SendStep>(s.program[0].what).body), R"({"id":0,"n":3})");
    const auto& e = std::get<ExpectStep>(s.program[1].what);
    EXPECT_EQ(e.name, "q");
    EXPECT_TRUE(e.close_on_timeout);
    EXPECT_EQ(e.timeout, 10s);  // the default
    const auto& bin = std::get<SendStep>(s.program[2].what);
    EXPECT_EQ(bin.type, MessageType::binary);
    EXPECT_EQ(render(bin.body), std::string("\x00\xff\x10", 3));
    EXPECT_EQ(render(std::get<SendStep>(s.program[3].what).body), std::string("\x00\x01\x02", 3));
    EXPECT_EQ(std::get<CloseStep>(s.program[4].what).reason, "bye");
    EXPECT_EQ(s.program[1].at.line, 5u);
}

TEST(Loader, DataFeedAndBinaryFileAreReadRelativeToTheScenario) {
    test::ScratchDir dir("scenario-loader");
    std::ofstream(dir / "users.csv") << "user,pass\nalice,a1\nbob,b2\n";
    std::ofstream(dir / "blob.bin", std::ios::binary) << std::string("\x01\x02\x03", 3);
    std::ofstream(dir / "s.yaml") << "data: users.csv\n"
                                     "session:\n"
                                     "  - send: '{{data.user}}:{{data.pass}}'\n"
                                     "  - send: { binary: { file: blob.bin } }\n";
    const Scenario s = load_scenario((dir / "s.yaml").string());
    ASSERT_TRUE(s.data);
    EXPECT_EQ(s.data->rows.size(), 2u);
    RenderContext ctx;
    ctx.data_row = &s.data->row_for(1);
    EXPECT_EQ(render(std::get<SendStep>(s.program[0].what).body, ctx), "bob:b2");
    EXPECT_EQ(render(std::get<SendStep>(s.program[1].what).body), std::string("\x01\x02\x03", 3));

    std::ofstream(dir / "bad.csv") << "user\nalice\n\"bob\n";
    std::ofstream(dir / "t.yaml") << "data: bad.csv\nsession: [ { send: x } ]\n";
    try {
        load_scenario((dir / "t.yaml").string());
        ADD_FAILURE() << "bad.csv loaded";
    } catch (const ScenarioError& e) {
        EXPECT_THAT(e.what(), HasSubstr("t.yaml:1:7: data: bad.csv:3:1: a quoted field"));
    }
}

TEST(Loader, ErrorsNameFileLineColumnAndKey) {
    EXPECT_EQ(error_of("session:\n  - send: x\n  - bogus: 1\n"),
              "bad.yaml:3:5: session[1].bogus: unknown key (expected one of: send, expect, think, "
              "loop, close)");
    EXPECT_EQ(error_of("url: ws://h/\nsesion: []\n"),
              "bad.yaml:2:1: sesion: unknown key (expected one of: url, headers, subprotocols, "
              "data, vars, phases, session, listen, heartbeat, protocol, namespace, auth, "
              "socketio_path, connection_params, mqtt, stomp)");
    EXPECT_THAT(error_of("session:\n  - send: 'a {{nope}}'\n"),
                HasSubstr("bad.yaml:2:11: session[0].send: template 'a {{nope}}', at character 5: "
                          "unknown name 'nope'"));
    EXPECT_THAT(error_of("session:\n  - expect: { capture: { x: \"$.a..b\" } }\n"),
                HasSubstr("bad.yaml:2:29: session[0].expect.capture.x: JSON path '$.a..b'"));
    EXPECT_THAT(error_of("session:\n  - send: x\n    think: 1s\n"),
                HasSubstr("bad.yaml:2:5: session[0]: one step per list item"));
    EXPECT_THAT(error_of("session: [ {send: x} ]\nsession: [ {send: y} ]\n"),
                HasSubstr("bad.yaml:2:1: session: given twice"));
    EXPECT_THAT(error_of("session:\n  - send: x\n   - send: y\n"), HasSubstr("bad.yaml:3:"));
    EXPECT_THAT(error_of("{\n  \"session\": [\n    {\"send\": \"x\"},\n  ]\n}\n", true),
                HasSubstr("bad.yaml:4:3: syntax error"));
    // Found by scenario_loader_fuzz: nlohmann's out_of_range escaped.
    EXPECT_THAT(error_of("{\"session\": 1E400000}", true), HasSubstr("bad.yaml: "));
    EXPECT_THAT(error_of("phases: [ { duration: 10s } ]\nsession: [ { send: x } ]\n"),
                HasSubstr("phases[0]: give arrival_rate (open model) or users"));
    EXPECT_THAT(error_of("phases: [ { duration: soon, users: 1 } ]\nsession: [ { send: x } ]\n"),
                HasSubstr("bad.yaml:1:23: phases[0].duration: 'soon' is not a duration"));
    EXPECT_THAT(error_of("session:\n  - think: 200h\n"),
                HasSubstr("session[0].think: '200h' is over"));
    EXPECT_THAT(error_of("session:\n  - loop: { count: 2, rate: 2M/s, steps: [ { send: x } ] }\n"),
                HasSubstr("session[0].loop.rate: '2M/s' is outside 1/168h to 1M/s"));
    EXPECT_THAT(error_of("session:\n  - loop: { steps: [ { send: x } ] }\n"),
                HasSubstr("session[0].loop: a loop needs a count or a duration"));
    EXPECT_THAT(error_of("session:\n  - close: 1006\n"),
                HasSubstr("session[0].close: not a close code"));
    EXPECT_THAT(error_of("session:\n  - expect: { regex: '(' }\n"),
                HasSubstr("session[0].expect.regex: regex '('"));
    EXPECT_THAT(error_of("session:\n  - send: { text: a, json: {} }\n"),
                HasSubstr("give one of text, json or binary"));
    EXPECT_THAT(error_of("vars: { seq: '1' }\nsession: [ { send: x } ]\n"),
                HasSubstr("vars.seq: 'seq' is a built-in"));
    EXPECT_THAT(error_of("url: http://x/\nsession: [ { send: x } ]\n"),
                HasSubstr("bad.yaml:1:6: url:"));
    EXPECT_THAT(error_of("session: []\n"), HasSubstr("session: expected a list of steps"));
    EXPECT_THAT(error_of(""), HasSubstr("bad.yaml: a scenario is a map"));
    EXPECT_THAT(error_of("session:\n  - send: { binary: { hex: abc } }\n"),
                HasSubstr("pairs of hex digits"));
    EXPECT_THAT(error_of("session:\n  - send: '{{data.x}}'\n"), HasSubstr("no data feed"));
    EXPECT_THAT(error_of("listen: [ { json: { a: 1 } } ]\nsession: [ { send: x } ]\n"),
                HasSubstr("listen[0]: a listen rule needs a name"));
}

TEST(Loader, UnreadableFileIsAnError) {
    try {
        load_scenario("/nonexistent/scenario.yaml");
        ADD_FAILURE();
    } catch (const ScenarioError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/scenario.yaml: cannot read the scenario file");
    }
}

TEST(Loader, FilesAreRefusedWhenNotAllowed) {
    LoadOptions o;
    o.allow_files = false;
    EXPECT_THROW(load_scenario_text("data: x.csv\nsession: [ { send: x } ]\n", "f.yaml", false, o),
                 ScenarioError);
}

// reports/scenario.schema.json agrees with the loader on a file that uses every key, and
// refuses what the loader refuses by shape (an unknown key, two bodies in one send).
TEST(ScenarioSchema, AcceptsWhatTheLoaderAcceptsAndRefusesUnknownKeys) {
    const nlohmann::json good = nlohmann::json::parse(R"({
  "url": "ws://127.0.0.1:9001/chat",
  "headers": {"Authorization": "Bearer x"},
  "subprotocols": ["chat.v1"],
  "vars": {"room": "room-{{conn.id % 10}}"},
  "phases": [{"duration": "10s", "arrival_rate": 50, "ramp_to": 200}, {"duration": "30s", "users": 500}],
  "session": [
    {"send": "{\"op\":\"auth\"}"},
    {"expect": {"json": {"op": "auth_ok"}, "timeout": "5s", "capture": {"sid": "$.session"}}},
    {"loop": {"count": 100, "rate": "10/s", "steps": [
      {"send": {"name": "rpc", "json": {"id": "{{seq}}", "method": "ping"}}},
      {"expect": {"name": "rpc", "json": {"id": "{{seq}}"}, "timeout": "2s", "on_timeout": "close"}},
      {"think": {"min": "10ms", "max": "100ms"}}]}},
    {"send": {"binary": {"hex": "00ff"}}},
    {"close": 1000}
  ],
  "listen": [{"name": "price", "json": {"type": "tick"}, "sent_at": "$.ts_us", "sent_at_unit": "us"}],
  "heartbeat": {"every": "25s", "send": "{\"op\":\"ping\"}"}
})");
    EXPECT_NO_THROW(load_scenario_text(good.dump(), "good.json", true));
    nlohmann::json unknown = good;
    unknown["sesion"] = nlohmann::json::array();
    nlohmann::json two_bodies = good;
    two_bodies["session"][0] = {{"send", {{"text", "a"}, {"json", {{"a", 1}}}}}};
    const test::SchemaCheck ok = test::check_schema("scenario.schema.json", {good});
    if (ok.status == test::SchemaCheck::kNoChecker) GTEST_SKIP() << ok.output;
    EXPECT_EQ(ok.status, 0) << ok.output;
    const test::SchemaCheck bad = test::check_schema("scenario.schema.json", {unknown, two_bodies});
    EXPECT_EQ(bad.status, 1);
    // One "N error(s) against" line per refused document: both are.
    std::size_t invalid = 0;
    for (std::size_t at = bad.output.find(" error(s) against"); at != std::string::npos;
         at = bad.output.find(" error(s) against", at + 1)) {
        ++invalid;
    }
    EXPECT_EQ(invalid, 2u) << bad.output;
    EXPECT_THROW(load_scenario_text(unknown.dump(), "u.json", true), ScenarioError);
    EXPECT_THROW(load_scenario_text(two_bodies.dump(), "t.json", true), ScenarioError);
}

}  // namespace
}  // namespace wsb::scenario
