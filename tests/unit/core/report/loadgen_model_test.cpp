// The loadgen report model: to_json then from_json gives the same report back, the JSON is
// valid against reports/loadgen.schema.json, and damaged or older reports read as specified.
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

// A report with every section the loadgen writes filled.
LoadgenReport full_report() {
    LoadgenReport r;
    r.envelope = make_envelope(kLoadgenSchema, kLoadgenTool, "ws://127.0.0.1:9001/",
                               std::chrono::system_clock::time_point(std::chrono::hours(1)), false);
    LoadgenSettings& c = r.config;
    c.url = "ws://127.0.0.1:9001/";
    c.connections = 10;
    c.threads = 2;
    c.duration_s = 2;
    c.rate = 1000;
    c.message_size = 64;
    c.connect_timeout_s = 10;
    c.max_connecting = 1000;
    c.drain_timeout_s = 2;
    c.reply_timeout_s = 5;
    c.headers = {{"Authorization", "<redacted>"}, {"X-Test", "1"}};
    c.subprotocols = {"chat"};
    c.source_ips = {"127.0.0.2"};
    c.slo = {"p99<10ms"};
    c.shard = ShardId{1, 2};
    r.started_ms = 1714566896789;
    r.shard = ShardPart{1, 2, 5, 5, 500, 0};
    r.connections = {5, 5, 0, 0.25};
    r.messages_sent = 3;
    r.messages_received = 3;
    r.bytes_sent = 210;
    r.bytes_received = 210;
    r.duration_s = 2;
    r.sent_per_s = 1.5;
    r.received_per_s = 1.5;
    r.latency = values({100, 200, 5000});
    r.latency_uncorrected = values({50, 100, 2500});
    r.connect = values({100});
    r.handshake = values({200});
    r.schedule_lag = values({5});
    r.timeline = {{1.0, 3, 3, 5, 1, 200, 5000, values({100, 200, 5000}).encode_base64()}};
    for (const char* kind : kLoadgenErrorKinds) r.errors[kind] = 0;
    r.errors["read"] = 1;
    r.close_codes = {{1000, 4}, {1011, 1}};
    r.threads = {{0, 0.5, 3, "epoll", 0.375}, {1, 0.25, 2, "asio", std::nullopt}};
    r.warnings = {"thread 1 used 98% of a core"};
    r.slo = SloVerdict{{"p99<10ms"}, true, {}};
    r.fatal = "the server closed every connection";
    return r;
}

LoadgenReport round_trip(const LoadgenReport& r) { return json(r).get<LoadgenReport>(); }

TEST(LoadgenReportModel, RoundTripsEverySection) {
    const LoadgenReport r = full_report();
    EXPECT_EQ(round_trip(r), r);
    EXPECT_EQ(json(round_trip(r)).dump(), json(r).dump()) << "byte for byte";
}

TEST(LoadgenReportModel, RoundTripsBroadcastAndMergedReports) {
    LoadgenReport r = full_report();
    r.config.scenario = "broadcast";
    r.config.stall = 1;  // --stall
    r.broadcast = BroadcastCounts{9, 1, 0};
    r.envelope.tool_name = "wsbench-report";
    r.config.shard.reset();
    r.shard.reset();
    r.merged = MergeInfo{
        2,
        {{"a.json", "h1", "2024-05-01T12:34:56.789Z", "", std::nullopt},
         {"b.json", "h2", "2024-05-01T12:34:57.000Z", "2024-05-01T12:34:57.000Z", ShardId{0, 2}}},
        MergeInfo::Shards{2, {0}, {1}}};
    EXPECT_EQ(round_trip(r), r);
}

TEST(LoadgenReportModel, RoundTripsAnEmptyRun) {
    LoadgenReport r;
    r.envelope = make_envelope(kLoadgenSchema, kLoadgenTool, "", {}, true);
    EXPECT_EQ(round_trip(r), r);
}

TEST(LoadgenReportModel, DerivesTheSummariesFromTheHistogramsAndCounters) {
    const json j = full_report();
    EXPECT_EQ(j.at("latency_us"), latency_summary(values({100, 200, 5000})));
    EXPECT_EQ(j.at("summary").at("errors"), 1u);
    EXPECT_DOUBLE_EQ(j.at("summary").at("error_rate").get<double>(), 1.0 / (3 + 5));
    EXPECT_DOUBLE_EQ(j.at("summary").at("connections").at("opened_per_s").get<double>(), 20.0);
    EXPECT_DOUBLE_EQ(j.at("generator").at("cpu_s").get<double>(), 0.75);
    EXPECT_EQ(j.at("scenario"), "echo");
}

TEST(LoadgenReportModel, OlderReportsWithoutNewerFieldsStillRead) {
    json j = full_report();
    for (const char* key : {"max_connecting", "drain_timeout_s", "reply_timeout_s", "shard"}) {
        j["config"].erase(key);
    }
    j.erase("started");
    j["histograms"].erase("schedule_lag");
    j["timeline"][0].erase("histogram");
    j["summary"]["connections"].erase("ramp_s");
    const LoadgenReport r = j.get<LoadgenReport>();
    EXPECT_FALSE(r.config.max_connecting);
    EXPECT_FALSE(r.config.shard);
    EXPECT_FALSE(r.started_ms);
    EXPECT_FALSE(r.schedule_lag);
    EXPECT_FALSE(r.has_timeline_histograms());
    EXPECT_EQ(r.connections.ramp_s, 0);
    const json again = r;
    EXPECT_FALSE(again.at("config").contains("max_connecting")) << "absent stays absent";
    EXPECT_FALSE(again.at("histograms").contains("schedule_lag"));
}

TEST(LoadgenReportModel, NamesTheJsonPathOfAMistypedField) {
    json j = full_report();
    j["summary"]["messages"]["sent"] = "many";
    try {
        (void)j.get<LoadgenReport>();
        FAIL() << "accepted a string count";
    } catch (const FormatError& e) {
        EXPECT_STREQ(e.what(), "$.summary.messages.sent: expected a non-negative integer");
    }
    j = full_report();
    j["histograms"]["latency"] = "HISTFAAAnot-base64";
    EXPECT_THROW((void)j.get<LoadgenReport>(), FormatError);
    j = full_report();
    j["schema"] = "wsbench.conformance/1";
    EXPECT_THROW((void)j.get<LoadgenReport>(), FormatError);
}

TEST(LoadgenReportModel, CountsErrorsAgainstDeliveriesInBroadcast) {
    LoadgenReport r = full_report();
    EXPECT_EQ(r.error_attempts(), 3u + 5u);
    r.config.scenario = "broadcast";
    r.broadcast = BroadcastCounts{100, 0, 0};
    EXPECT_EQ(r.error_attempts(), 100u + 5u);
    EXPECT_EQ(error_rate_of(0, 0), 0.0);
    EXPECT_EQ(error_rate_of(3, 0), 1.0);
}

TEST(LoadgenReportModel, SummaryTableListsErrorsInReportOrder) {
    LoadgenReport r = full_report();
    r.errors["connect"] = 2;
    const std::string t = summary_table(r);
    EXPECT_NE(t.find("connect 2, read 1 ("), std::string::npos) << t;
    EXPECT_NE(t.find("Shard        1/2: connections 5-9 of 10"), std::string::npos) << t;
}

TEST(LoadgenReportModel, SummaryTableGivesTheGeneratorsCpuPerMessageAndItsLoops) {
    LoadgenReport r = full_report();
    r.messages_sent = 300;
    r.messages_received = 200;
    const std::string t = summary_table(r);
    // 0.75 CPU-s over 500 messages; one thread on the epoll loop, one on Asio's.
    EXPECT_NE(t.find("0.75 s CPU (1500.00 us per message), epoll+asio loop"), std::string::npos)
        << t;
    EXPECT_DOUBLE_EQ(json(r)["generator"]["cpu_us_per_message"].get<double>(), 1500.0);
}

TEST(LoadgenReportModel, JsonIsValidAgainstTheSchema) {
    if (!test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema is missing";
    LoadgenReport broadcast = full_report();
    broadcast.config.scenario = "broadcast";
    broadcast.config.stall = 1;
    broadcast.broadcast = BroadcastCounts{9, 1, 0};
    LoadgenReport merged = full_report();
    merged.config.shard.reset();
    merged.shard.reset();
    merged.merged = MergeInfo{2,
                              {{"a.json", "h1", "2024-05-01T12:34:56.789Z", "", std::nullopt},
                               {"b.json", "h2", "2024-05-01T12:34:57.000Z", "", ShardId{0, 2}}},
                              MergeInfo::Shards{2, {0}, {1}}};
    LoadgenReport empty;
    empty.envelope = make_envelope(kLoadgenSchema, kLoadgenTool, "", {}, false);
    for (const char* kind : kLoadgenErrorKinds) empty.errors[kind] = 0;
    const test::SchemaCheck r =
        test::check_schema("loadgen.schema.json", {full_report(), broadcast, merged, empty});
    EXPECT_EQ(r.status, 0) << r.output;
}

// full_report() of a --deflate run with --payload-file.
LoadgenReport deflate_report() {
    LoadgenReport r = full_report();
    r.config.deflate =
        DeflateOffered{"permessage-deflate; client_no_context_takeover; client_max_window_bits",
                       true, false, 0, 0};
    r.config.payload_file = "lines.txt";
    r.config.payload_order = "random";
    r.deflate = DeflateCounts{5, DeflateAgreed{true, false, 12, 15}, 2000, 200, 1000, 500};
    return r;
}

TEST(LoadgenReportModel, RoundTripsTheDeflateSections) {
    const LoadgenReport r = deflate_report();
    EXPECT_EQ(round_trip(r), r);
    const json j = r;
    EXPECT_EQ(j["deflate"]["sent"]["ratio"], 0.1);
    EXPECT_EQ(j["deflate"]["received"]["ratio"], 0.5);
    // 0.75 s of CPU over 6 messages.
    EXPECT_DOUBLE_EQ(j["deflate"]["cpu_us_per_message"].get<double>(), 125000.0);
    EXPECT_EQ(j["config"]["deflate"]["client_max_window_bits"], 0);
    LoadgenReport none = deflate_report();
    none.deflate->agreed.reset();  // no connection negotiated
    none.deflate->connections = 0;
    EXPECT_EQ(round_trip(none), none);
    EXPECT_FALSE(json(none)["deflate"].contains("parameters"));
    EXPECT_FALSE(json(full_report()).contains("deflate"));
    EXPECT_FALSE(json(full_report())["config"].contains("deflate"));
}

TEST(LoadgenReportModel, RefusesAWindowSizeOutsideEightToFifteen) {
    json j = deflate_report();
    j["deflate"]["parameters"]["server_max_window_bits"] = 16;
    try {
        j.get<LoadgenReport>();
        FAIL() << "accepted a 16-bit window";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("$.deflate.parameters.server_max_window_bits"),
                  std::string::npos)
            << e.what();
    }
}

TEST(LoadgenReportModel, SummaryTableHasTheDeflateRow) {
    const std::string t = summary_table(deflate_report());
    EXPECT_NE(t.find("  Deflate      5 of 5 connections (client_no_context_takeover "
                     "client_max_window_bits=12), sent 2.0 KiB -> 200 B (10.0%), received "
                     "1000 B -> 500 B (50.0%), 125000.00 us CPU/message\n"),
              std::string::npos)
        << t;
    EXPECT_EQ(summary_table(full_report()).find("Deflate"), std::string::npos);
}

TEST(LoadgenReportModel, DeflateJsonIsValidAgainstTheSchema) {
    if (!test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema is missing";
    LoadgenReport none = deflate_report();
    none.deflate->agreed.reset();
    const test::SchemaCheck r = test::check_schema("loadgen.schema.json", {deflate_report(), none});
    EXPECT_EQ(r.status, 0) << r.output;
}

}  // namespace
}  // namespace wsb::report
