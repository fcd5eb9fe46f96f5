// The scenario-file sections of the loadgen report model (steps.<name>, sessions): they round
// trip exactly, their summaries derive from their histograms, built-in scenarios write neither,
// damaged ones are refused naming the JSON path, and the JSON is valid against the schema.
#include <gtest/gtest.h>

#include <chrono>

#include "schema_check.hpp"
#include "wsbench/report/loadgen.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

Histogram values(std::initializer_list<std::uint64_t> list) {
    Histogram h;
    for (std::uint64_t v : list) h.record(v);
    return h;
}

LoadgenReport echo_report() {
    LoadgenReport r;
    r.envelope = make_envelope(kLoadgenSchema, kLoadgenTool, "ws://127.0.0.1:9001/chat",
                               std::chrono::system_clock::time_point(std::chrono::hours(1)), false);
    r.config.url = "ws://127.0.0.1:9001/chat";
    r.config.connections = 4;
    r.config.threads = 1;
    r.config.duration_s = 2;
    r.connections = {4, 4, 0, 0.1};
    r.messages_sent = 10;
    r.messages_received = 12;
    r.duration_s = 2;
    r.latency = values({100, 200});
    r.latency_uncorrected = values({100, 150});
    r.connect = values({50});
    r.handshake = values({80});
    for (const char* kind : kLoadgenErrorKinds) r.errors[kind] = 0;
    return r;
}

// A scenario-file run: an expect step "rpc", a listen rule "price", and the sessions.
LoadgenReport file_report() {
    LoadgenReport r = echo_report();
    r.config.scenario = "file";
    r.config.scenario_file = "scenarios/chat.yaml";
    StepReport rpc;
    rpc.count = 7;
    rpc.timeouts = 2;
    rpc.errors = {{"capture", 1}, {"timestamp", 0}, {"template", 0}};
    rpc.unmatched = 3;
    rpc.latency = values({900, 1200, 15000, 15000, 15000, 16000, 40000});
    rpc.latency_uncorrected = values({900, 1100, 1200, 1300, 1400, 1500, 1600});
    r.steps["rpc"] = rpc;
    StepReport price;
    price.kind = "listen";
    price.count = 5;
    price.errors = {{"timestamp", 2}};
    price.latency = values({300, 400, 500});
    price.latency_uncorrected = price.latency;
    r.steps["price"] = price;
    r.sessions = SessionCounts{4,
                               2,
                               1,
                               1,
                               6,
                               1,
                               {{"socketio connect_error: Not authorized", 1}},
                               values({10, 20, 30, 40})};
    return r;
}

LoadgenReport round_trip(const LoadgenReport& r) { return json(r).get<LoadgenReport>(); }

TEST(LoadgenStepsModel, RoundTripsStepsAndSessions) {
    const LoadgenReport r = file_report();
    const LoadgenReport back = round_trip(r);
    EXPECT_EQ(back, r);
    EXPECT_EQ(back.steps.at("rpc").latency.total_count(), 7u);
    EXPECT_EQ(back.sessions->start_lag.max(), 40u);
    EXPECT_EQ(back.config.scenario_file, "scenarios/chat.yaml");
    EXPECT_EQ(json(back).dump(), json(r).dump()) << "byte for byte";
}

TEST(LoadgenStepsModel, StepsAndSessionsTakePartInEquality) {
    const LoadgenReport r = file_report();
    LoadgenReport other = r;
    other.steps["rpc"].timeouts += 1;
    EXPECT_FALSE(other == r);
    other = r;
    other.steps["rpc"].latency.record(1);
    EXPECT_FALSE(other == r) << "histograms compare by their counts";
    other = r;
    other.sessions->cut += 1;
    EXPECT_FALSE(other == r);
    other = r;
    other.sessions->errors["socketio: the server closed the Engine.IO session"] = 1;
    EXPECT_FALSE(other == r);
    other = r;
    other.config.scenario_file = "other.yaml";
    EXPECT_FALSE(other == r);
    other = r;
    other.steps["rpc"].errors.erase("template");  // a zero and an absent kind say the same
    EXPECT_TRUE(other == r);
}

TEST(LoadgenStepsModel, WritesTheSummariesBesideTheHistogramsAsTheRunDoes) {
    const LoadgenReport r = file_report();
    const json j = r;
    const json& rpc = j.at("steps").at("rpc");
    EXPECT_EQ(rpc.at("kind"), "expect");
    EXPECT_EQ(rpc.at("count"), 7u);
    EXPECT_EQ(rpc.at("timeouts"), 2u);
    EXPECT_EQ(rpc.at("unmatched"), 3u);
    EXPECT_EQ(rpc.at("errors"), (json{{"capture", 1}, {"timestamp", 0}, {"template", 0}}));
    EXPECT_EQ(rpc.at("latency_us"), latency_summary(r.steps.at("rpc").latency));
    EXPECT_EQ(rpc.at("latency_uncorrected_us"),
              latency_summary(r.steps.at("rpc").latency_uncorrected));
    EXPECT_EQ(rpc.at("histograms").at("latency"), r.steps.at("rpc").latency.encode_base64());
    EXPECT_EQ(j.at("steps").at("price").at("errors"),
              (json{{"capture", 0}, {"timestamp", 2}, {"template", 0}}))
        << "every kind is listed, zeros included";
    const json& sessions = j.at("sessions");
    EXPECT_EQ(sessions.at("started"), 4u);
    EXPECT_EQ(sessions.at("template_errors"), 1u);
    EXPECT_EQ(sessions.at("errors"), (json{{"socketio connect_error: Not authorized", 1}}));
    EXPECT_EQ(sessions.at("start_lag_us"), latency_summary(r.sessions->start_lag));
    EXPECT_EQ(sessions.at("histograms").at("start_lag"), r.sessions->start_lag.encode_base64());
    EXPECT_EQ(j.at("scenario"), "file");
    EXPECT_EQ(j.at("config").at("scenario_file"), "scenarios/chat.yaml");
}

TEST(LoadgenStepsModel, ErrorTotalSumsEveryKind) {
    const LoadgenReport r = file_report();
    EXPECT_EQ(r.steps.at("rpc").error_total(), 1u);
    StepReport s;
    EXPECT_EQ(s.error_total(), 0u);
    s.errors = {{"capture", 2}, {"template", 3}, {"timestamp", 4}};
    EXPECT_EQ(s.error_total(), 9u);
}

TEST(LoadgenStepsModel, BuiltInScenariosWriteNeitherSection) {
    const json j = echo_report();
    EXPECT_FALSE(j.contains("steps"));
    EXPECT_FALSE(j.contains("sessions"));
    EXPECT_FALSE(j.at("config").contains("scenario_file"));
    const LoadgenReport back = j.get<LoadgenReport>();
    EXPECT_TRUE(back.steps.empty());
    EXPECT_FALSE(back.sessions);
}

TEST(LoadgenStepsModel, AScenarioFileRunWithoutNamedStepsStillWritesSteps) {
    LoadgenReport r = file_report();
    r.steps.clear();
    const json j = r;
    ASSERT_TRUE(j.contains("steps"));
    EXPECT_TRUE(j.at("steps").empty());
    EXPECT_EQ(round_trip(r), r);
}

TEST(LoadgenStepsModel, OlderReportsWithoutTheSectionsStillRead) {
    json j = echo_report();
    j["config"].erase("scenario_file");
    const LoadgenReport r = j.get<LoadgenReport>();
    EXPECT_EQ(r.config.scenario, "echo");
    EXPECT_TRUE(r.config.scenario_file.empty());
    EXPECT_TRUE(r.steps.empty());
}

void expect_refused(const json& j, const std::string& message) {
    try {
        (void)j.get<LoadgenReport>();
        ADD_FAILURE() << "accepted: " << message;
    } catch (const FormatError& e) {
        EXPECT_EQ(std::string(e.what()), message);
    }
}

TEST(LoadgenStepsModel, NamesTheJsonPathOfADamagedStep) {
    json j = file_report();
    j["steps"]["rpc"]["count"] = "many";
    expect_refused(j, "$.steps.rpc.count: expected a non-negative integer");
    j = file_report();
    j["steps"]["rpc"]["kind"] = "reply";
    expect_refused(j, "$.steps.rpc.kind: expected expect or listen, not 'reply'");
    j = file_report();
    j["steps"]["price"]["errors"]["timestamp"] = -1;
    expect_refused(j, "$.steps.price.errors.timestamp: expected a non-negative integer");
    j = file_report();
    j["steps"]["rpc"]["histograms"]["latency"] = "HISTFAAAnot-base64";
    expect_refused(j,
                   "$.steps.rpc.histograms.latency: not a valid HdrHistogram V2 encoding "
                   "(corrupt or truncated)");
    j = file_report();
    j["steps"]["rpc"].erase("histograms");
    expect_refused(j, "$.steps.rpc: missing 'histograms'");
    j = file_report();
    j["sessions"]["histograms"].erase("start_lag");
    expect_refused(j, "$.sessions.histograms: missing 'start_lag'");
    j = file_report();
    j["sessions"]["errors"] = json::array();
    expect_refused(j, "$.sessions.errors: expected an object");
    j = file_report();
    j["sessions"].erase("errors");  // a report from before protocols still reads
    EXPECT_TRUE(j.get<LoadgenReport>().sessions->errors.empty());
    j = file_report();
    j["steps"] = json::array();
    expect_refused(j, "$.steps: expected an object");
    j = file_report();
    j["config"]["scenario"] = "chat";
    expect_refused(j, "$.config.scenario: expected echo, broadcast, connect or file, not 'chat'");
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++n;
    }
    return n;
}

TEST(LoadgenStepsModel, JsonIsValidAgainstTheSchema) {
    if (!test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema is missing";
    LoadgenReport no_steps = file_report();
    no_steps.steps.clear();
    // A scenario-file report must carry both sections and the file's name.
    json no_sessions = file_report();
    no_sessions.erase("sessions");
    json no_file = file_report();
    no_file["config"].erase("scenario_file");
    json bad_kind = file_report();
    bad_kind["steps"]["rpc"]["kind"] = "reply";
    // One run of the checker: three valid documents, then three invalid ones.
    const test::SchemaCheck r = test::check_schema(
        "loadgen.schema.json",
        {file_report(), no_steps, echo_report(), no_sessions, no_file, bad_kind});
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(occurrences(r.output, ": valid ("), 3u) << r.output;
    EXPECT_EQ(occurrences(r.output, " error(s) against "), 3u) << r.output;
    EXPECT_NE(r.output.find("'sessions' is a required property"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("'scenario_file' is a required property"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("$.steps.rpc.kind: 'reply' is not one of"), std::string::npos)
        << r.output;
}

}  // namespace
}  // namespace wsb::report
