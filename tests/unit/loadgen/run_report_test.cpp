// Tests for the loadgen JSON report, its JSON Schema and the human summary table.

#include "loadgen/run_report.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loadgen/slo.hpp"
#include "schema_check.hpp"
#include "wsbench/report.hpp"
#include "wsbench/units.hpp"
#include "wsbench/url.hpp"

namespace wsb::loadgen {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::size_t kind(ErrorKind k) { return static_cast<std::size_t>(k); }

// An echo run of 100 connections at 10k/s for 10 s, with a bit of everything.
RunResult echo_run() {
    RunResult r;
    Config& c = r.config;
    c.url_text = "ws://127.0.0.1:9001/echo";
    EXPECT_EQ(parse_url(c.url_text, c.url), Errc::ok);
    c.connections = 100;
    c.threads = 0;
    c.duration = 10s;
    c.warmup = 2s;
    c.rate = 10000;
    c.message_size = 32;
    c.connect_timeout = 5s;
    c.headers = {{"X-Trace", "abc"}, {"Authorization", "Bearer secret-token"}};
    c.subprotocols = {"chat"};
    c.origin = "http://example.com";
    c.source_ips = {"127.0.0.1", "127.0.0.2"};
    std::string error;
    EXPECT_EQ(parse_slo("p99<5ms,errors<1%", c.slo, error), Errc::ok) << error;
    c.slo_text = "p99<5ms,errors<1%";

    r.connections_target = 100;
    r.connections_established = 98;
    r.connections_failed = 2;
    r.messages_sent = 100'000;
    r.messages_received = 99'990;
    r.bytes_sent = 100'000 * 38;
    r.bytes_received = 99'990 * 34;
    r.duration_s = 10.0;
    for (std::uint64_t v = 100; v < 1100; ++v) {
        r.latency.record(v * 2);
        r.latency_uncorrected.record(v);
    }
    r.connect.record(150);
    r.connect.record(250);
    r.handshake.record(300);
    r.schedule_lag.record(12);
    r.timeline = {{1.0, 10'000, 9'990, 98, 2, 900, 2100, ""},
                  {2.0, 10'000, 10'000, 98, 0, 950, 2150, ""}};
    r.errors[kind(ErrorKind::connect)] = 2;
    r.errors[kind(ErrorKind::timeout)] = 10;
    r.close_codes = {{1000, 97}, {1011, 1}};
    r.threads = {{0, 1.25, 49, "epoll", std::nullopt}, {1, 1.5, 49, "epoll", std::nullopt}};
    r.warnings = {"thread 1 used 98% of a core: the generator may be the bottleneck"};
    return r;
}

RunResult broadcast_run() {
    RunResult r = echo_run();
    r.config.scenario = Scenario::broadcast;
    r.config.slo.clear();
    r.broadcast_expected = 9'800'000;
    r.errors[kind(ErrorKind::lost)] = 7;
    r.errors[kind(ErrorKind::duplicated)] = 1;
    r.interrupted = true;
    r.fatal = "the server closed every connection";
    return r;
}

// ------------------------------------------------------------------------------ envelope

TEST(BuildReport, StartsWithTheCommonEnvelope) {
    const json report = build_report(echo_run());
    EXPECT_EQ(report.at("schema"), "wsbench.loadgen/1");
    EXPECT_EQ(report.at("tool").at("name"), "wsbench-loadgen");
    EXPECT_EQ(report.at("tool").at("version"), version());
    EXPECT_EQ(report.at("target").at("url"), "ws://127.0.0.1:9001/echo");
    EXPECT_TRUE(report.at("created").is_string());
    EXPECT_TRUE(report.at("host").at("hostname").is_string());
    EXPECT_EQ(report.at("interrupted"), false);
    EXPECT_EQ(report.at("scenario"), "echo");
}

TEST(BuildReport, ConfigHoldsEveryEffectiveOption) {
    const json config = build_report(echo_run()).at("config");
    // clang-format off
    const char* const options[] = {
        "url", "scenario", "connections", "threads", "duration_s", "messages_per_connection",
        "warmup_s", "rate", "per_connection_rate", "pipeline", "message_size", "message_type",
        "connect_rate", "connect_timeout_s", "ping_interval_s", "headers", "subprotocols",
        "origin", "insecure", "ca_file", "source_ips", "slo"};
    // clang-format on
    for (const char* key : options) {
        EXPECT_TRUE(config.contains(key)) << key;
    }
    EXPECT_EQ(config.at("url"), "ws://127.0.0.1:9001/echo");
    EXPECT_EQ(config.at("connections"), 100u);
    EXPECT_DOUBLE_EQ(config.at("duration_s").get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(config.at("warmup_s").get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(config.at("connect_timeout_s").get<double>(), 5.0);
    EXPECT_DOUBLE_EQ(config.at("rate").get<double>(), 10000.0);
    EXPECT_EQ(config.at("message_type"), "binary");
    EXPECT_EQ(config.at("subprotocols"), json::array({"chat"}));
    EXPECT_EQ(config.at("source_ips"), json::array({"127.0.0.1", "127.0.0.2"}));
    EXPECT_EQ(config.at("slo"), json::array({"p99<5ms", "errors<1%"}));
}

TEST(BuildReport, ConfigReportsThreadsUsedWhenOnePerCoreWasAsked) {
    EXPECT_EQ(build_report(echo_run()).at("config").at("threads"), 2u);
    RunResult r = echo_run();
    r.config.threads = 3;
    EXPECT_EQ(build_report(r).at("config").at("threads"), 3u);
}

TEST(BuildReport, ConfigRedactsCredentialHeaders) {
    const json headers = build_report(echo_run()).at("config").at("headers");
    EXPECT_EQ(headers, json::parse(R"([{"name": "X-Trace", "value": "abc"},
                                       {"name": "Authorization", "value": "<redacted>"}])"));
    EXPECT_EQ(build_report(echo_run()).dump().find("secret-token"), std::string::npos);
}

// ------------------------------------------------------------------------------ sections

TEST(BuildReport, SummaryCountsTheMeasuredWindow) {
    RunResult run = echo_run();
    run.ramp_s = 0.25;
    const json s = build_report(run).at("summary");
    EXPECT_EQ(s.at("connections"), (json{{"target", 100},
                                         {"established", 98},
                                         {"failed", 2},
                                         {"ramp_s", 0.25},
                                         {"opened_per_s", 98 / 0.25}}));
    EXPECT_EQ(s.at("messages"), (json{{"sent", 100'000}, {"received", 99'990}}));
    EXPECT_EQ(s.at("bytes"), (json{{"sent", 3'800'000}, {"received", 3'399'660}}));
    EXPECT_DOUBLE_EQ(s.at("duration_s").get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(s.at("throughput").at("sent_per_s").get<double>(), 10'000.0);
    EXPECT_DOUBLE_EQ(s.at("throughput").at("received_per_s").get<double>(), 9'999.0);
    EXPECT_EQ(s.at("errors"), 12u);
    EXPECT_DOUBLE_EQ(s.at("error_rate").get<double>(), 12.0 / 100'100.0);
}

TEST(BuildReport, ThroughputIsZeroForAnEmptyWindow) {
    const json s = build_report(RunResult{}).at("summary");
    EXPECT_EQ(s.at("throughput").at("sent_per_s"), 0.0);
    EXPECT_EQ(s.at("throughput").at("received_per_s"), 0.0);
}

TEST(BuildReport, LatencySectionsSummariseEachHistogram) {
    const RunResult r = echo_run();
    const json report = build_report(r);
    EXPECT_EQ(report.at("latency_us"), latency_summary(r.latency));
    EXPECT_EQ(report.at("latency_uncorrected_us"), latency_summary(r.latency_uncorrected));
    EXPECT_EQ(report.at("connect_latency_us"), latency_summary(r.connect));
    EXPECT_EQ(report.at("handshake_latency_us"), latency_summary(r.handshake));
    EXPECT_EQ(report.at("latency_us").at("count"), 1000u);
    EXPECT_EQ(report.at("handshake_latency_us").at("p50"), 300u);
}

TEST(BuildReport, HistogramsDecodeBackToTheMeasuredOnes) {
    const RunResult r = echo_run();
    const json h = build_report(r).at("histograms");
    const std::vector<std::pair<const char*, const Histogram*>> expected = {
        {"latency", &r.latency},
        {"latency_uncorrected", &r.latency_uncorrected},
        {"connect", &r.connect},
        {"handshake", &r.handshake},
        {"schedule_lag", &r.schedule_lag}};
    for (const auto& [name, histogram] : expected) {
        Histogram decoded;
        ASSERT_EQ(Histogram::decode_base64(h.at(name).get<std::string>(), decoded), Errc::ok)
            << name;
        EXPECT_TRUE(decoded == *histogram) << name;
    }
}

TEST(BuildReport, TimelineHasOneObjectPerSecond) {
    const json timeline = build_report(echo_run()).at("timeline");
    ASSERT_EQ(timeline.size(), 2u);
    EXPECT_EQ(timeline[0], json::parse(R"({"t_s": 1.0, "sent": 10000, "received": 9990,
        "connections": 98, "errors": 2, "p50_us": 900, "p99_us": 2100})"));
    EXPECT_TRUE(build_report(RunResult{}).at("timeline").is_array());
}

TEST(BuildReport, TimelineCarriesEachSecondsHistogramWhenRecorded) {
    RunResult r = echo_run();
    Histogram second;
    second.record(100);
    second.record(300);
    r.timeline[1].histogram = second.encode_base64();
    const json timeline = build_report(r).at("timeline");
    EXPECT_FALSE(timeline[0].contains("histogram"));
    EXPECT_EQ(timeline[1].at("histogram"), second.encode_base64());
}

TEST(BuildReport, StartedIsTheWallClockStartOfTheWindowWhenKnown) {
    EXPECT_FALSE(build_report(echo_run()).contains("started"));
    RunResult r = echo_run();
    r.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714566896789));
    EXPECT_EQ(build_report(r).at("started"), "2024-05-01T12:34:56.789Z");
}

TEST(BuildReport, ShardRunRecordsTheTotalsInConfigAndItsShareBeside) {
    const json plain = build_report(echo_run());
    EXPECT_EQ(plain.at("config").at("shard"), json::parse(R"({"index": 0, "count": 1})"));
    EXPECT_FALSE(plain.contains("shard"));

    RunResult r = echo_run();
    r.config.shard_index = 1;
    r.config.shard_count = 3;
    r.connections_target = 33;
    const json report = build_report(r);
    EXPECT_EQ(report.at("config").at("connections"), 100u);
    EXPECT_EQ(report.at("config").at("shard"), json::parse(R"({"index": 1, "count": 3})"));
    const json& shard = report.at("shard");
    EXPECT_EQ(shard.at("index"), 1u);
    EXPECT_EQ(shard.at("count"), 3u);
    EXPECT_EQ(shard.at("first_connection"), 34u);
    EXPECT_EQ(shard.at("connections"), 33u);
    EXPECT_DOUBLE_EQ(shard.at("rate").get<double>(), 3300.0);
    EXPECT_NE(summary_table(r).find("Shard        1/3: connections 34-66 of 100"),
              std::string::npos)
        << summary_table(r);
}

TEST(BuildReport, ErrorsListEveryKindWithZeros) {
    const json errors = build_report(echo_run()).at("errors");
    EXPECT_EQ(errors.size(), kErrorKinds);
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        EXPECT_TRUE(errors.contains(to_string(static_cast<ErrorKind>(i))))
            << to_string(static_cast<ErrorKind>(i));
    }
    EXPECT_EQ(errors.at("connect"), 2u);
    EXPECT_EQ(errors.at("timeout"), 10u);
    EXPECT_EQ(errors.at("protocol"), 0u);
    EXPECT_EQ(errors.at("closed_by_peer"), 0u);
}

TEST(BuildReport, CloseCodesAreKeyedByTheCodeAsAString) {
    EXPECT_EQ(build_report(echo_run()).at("close_codes"), (json{{"1000", 97}, {"1011", 1}}));
    EXPECT_EQ(build_report(RunResult{}).at("close_codes"), json::object());
}

TEST(BuildReport, GeneratorReportsThreadsCpuLagAndWarnings) {
    const RunResult r = echo_run();
    const json g = build_report(r).at("generator");
    EXPECT_EQ(g.at("threads"),
              json::parse(R"([{"index": 0, "cpu_s": 1.25, "connections": 49, "event_loop": "epoll"},
                                                {"index": 1, "cpu_s": 1.5, "connections": 49, "event_loop": "epoll"}])"));
    EXPECT_DOUBLE_EQ(g.at("cpu_s").get<double>(), 2.75);
    EXPECT_EQ(g.at("schedule_lag_us"), latency_summary(r.schedule_lag));
    EXPECT_EQ(g.at("warnings"), json(r.warnings));
}

TEST(BuildReport, BroadcastSectionOnlyInTheBroadcastScenario) {
    EXPECT_FALSE(build_report(echo_run()).contains("broadcast"));
    const json report = build_report(broadcast_run());
    EXPECT_EQ(report.at("scenario"), "broadcast");
    EXPECT_EQ(report.at("broadcast"),
              (json{{"expected", 9'800'000}, {"lost", 7}, {"duplicated", 1}}));
}

TEST(BuildReport, FatalOnlyWhenTheRunStoppedEarly) {
    EXPECT_FALSE(build_report(echo_run()).contains("fatal"));
    const json report = build_report(broadcast_run());
    EXPECT_EQ(report.at("fatal"), "the server closed every connection");
    EXPECT_EQ(report.at("interrupted"), true);
}

TEST(BuildReport, SloSectionSaysWhichTermsWereBreached) {
    RunResult r = echo_run();
    json slo = build_report(r).at("slo");
    EXPECT_EQ(slo.at("terms"), json::array({"p99<5ms", "errors<1%"}));
    EXPECT_EQ(slo.at("passed"), true);
    EXPECT_EQ(slo.at("breaches"), json::array());

    r.latency.record(60'000, 100);
    slo = build_report(r).at("slo");
    EXPECT_EQ(slo.at("passed"), false);
    ASSERT_EQ(slo.at("breaches").size(), 1u);
    EXPECT_EQ(slo.at("breaches")[0].get<std::string>().rfind("p99 latency ", 0), 0u);

    EXPECT_FALSE(build_report(RunResult{}).contains("slo"));
}

TEST(BuildReport, SerialisesWithoutThrowingForAnEmptyResult) {
    EXPECT_NO_THROW((void)build_report(RunResult{}).dump());
}

// ----------------------------------------------------------------------------- error rate

TEST(ErrorRate, CountsMessagesSentAndConnectionsAsAttempts) {
    const RunResult r = echo_run();
    EXPECT_EQ(error_attempts(r), 100'100u);
    EXPECT_DOUBLE_EQ(error_rate(r), 12.0 / 100'100.0);
}

TEST(ErrorRate, CountsExpectedDeliveriesInBroadcast) {
    const RunResult r = broadcast_run();
    EXPECT_EQ(error_attempts(r), 9'800'100u);
    EXPECT_DOUBLE_EQ(error_rate(r), 20.0 / 9'800'100.0);
}

TEST(ErrorRate, IsZeroWithoutErrorsAndOneWithErrorsButNoAttempts) {
    RunResult r;
    EXPECT_EQ(error_rate(r), 0.0);
    r.errors[kind(ErrorKind::connect)] = 1;
    EXPECT_EQ(error_rate(r), 1.0);
}

// -------------------------------------------------------------------------- summary table

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string line_starting(const std::string& text, const std::string& prefix) {
    for (const std::string& line : lines_of(text)) {
        if (line.rfind(prefix, 0) == 0) return line;
    }
    return {};
}

TEST(SummaryTable, NamesTheTargetScenarioAndCounts) {
    const std::string t = summary_table(echo_run());
    EXPECT_NE(t.find("ws://127.0.0.1:9001/echo"), std::string::npos) << t;
    EXPECT_NE(line_starting(t, "  Scenario").find("echo: open loop, 10.0k/s total"),
              std::string::npos)
        << t;
    EXPECT_NE(line_starting(t, "  Connections").find("98 established, 2 failed, 100 target"),
              std::string::npos)
        << t;
    EXPECT_NE(line_starting(t, "  Messages").find("100000 sent (10.0k/s)"), std::string::npos) << t;
    EXPECT_NE(line_starting(t, "  Messages").find("99990 received (10.0k/s)"), std::string::npos)
        << t;
    EXPECT_NE(line_starting(t, "  Bytes").find("3.6 MiB sent"), std::string::npos) << t;
    EXPECT_EQ(t.back(), '\n');
}

TEST(SummaryTable, LatencyTableHasAlignedCorrectedAndUncorrectedColumns) {
    const RunResult r = echo_run();
    const std::string t = summary_table(r);
    const std::string header = line_starting(t, "  Latency");
    EXPECT_NE(header.find("corrected"), std::string::npos) << t;
    EXPECT_NE(header.find("uncorrected"), std::string::npos) << t;
    for (const char* label : {"min", "p50", "p90", "p99", "p99.9", "max", "mean"}) {
        const std::string line = line_starting(t, std::string("    ") + label + " ");
        ASSERT_FALSE(line.empty()) << label << "\n" << t;
        EXPECT_EQ(line.size(), header.size()) << label << "\n" << t;
    }
    const std::string p99 = line_starting(t, "    p99 ");
    EXPECT_NE(p99.find(format_duration_us(double(r.latency.value_at_percentile(99)))),
              std::string::npos)
        << p99;
    EXPECT_NE(p99.find(format_duration_us(double(r.latency_uncorrected.value_at_percentile(99)))),
              std::string::npos)
        << p99;
}

TEST(SummaryTable, ShowsConnectAndHandshakePercentiles) {
    const std::string t = summary_table(echo_run());
    EXPECT_NE(line_starting(t, "  Connect ").find("p50 150.00 us"), std::string::npos) << t;
    EXPECT_NE(line_starting(t, "  Handshake").find("p99 300.00 us"), std::string::npos) << t;
}

TEST(SummaryTable, ListsOnlyNonZeroErrorsAndTheCloseCodes) {
    const std::string t = summary_table(echo_run());
    const std::string errors = line_starting(t, "  Errors");
    EXPECT_NE(errors.find("connect 2, timeout 10"), std::string::npos) << t;
    EXPECT_EQ(errors.find("protocol"), std::string::npos) << t;
    EXPECT_NE(line_starting(t, "  Close codes").find("1000 x97, 1011 x1"), std::string::npos) << t;
    EXPECT_NE(line_starting(summary_table(RunResult{}), "  Errors").find("none"),
              std::string::npos);
}

TEST(SummaryTable, ShowsWarningsInterruptionsAndFatalErrors) {
    const std::string t = summary_table(broadcast_run());
    EXPECT_NE(t.find("Warning: thread 1 used 98% of a core"), std::string::npos) << t;
    EXPECT_NE(t.find("Interrupted"), std::string::npos) << t;
    EXPECT_NE(t.find("the server closed every connection"), std::string::npos) << t;
    EXPECT_NE(line_starting(t, "  Deliveries").find("9800000 expected, 7 lost, 1 duplicated"),
              std::string::npos)
        << t;
}

TEST(SummaryTable, SaysNoSamplesForARunWithoutLatency) {
    RunResult r;
    r.config.scenario = Scenario::connect;
    const std::string t = summary_table(r);
    EXPECT_NE(line_starting(t, "  Latency").find("no samples"), std::string::npos) << t;
    EXPECT_NE(line_starting(t, "  Connect ").find("-"), std::string::npos) << t;
    EXPECT_TRUE(line_starting(t, "  Messages").empty()) << t;
}

// ---------------------------------------------------------------------------- JSON Schema

TEST(LoadgenSchema, AcceptsReportsOfEchoBroadcastAndEmptyRuns) {
    if (!test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema is missing";
    RunResult connect_run;
    connect_run.config.scenario = Scenario::connect;
    RunResult shard_run = echo_run();
    shard_run.config.shard_index = 1;
    shard_run.config.shard_count = 2;
    shard_run.started = std::chrono::system_clock::now();
    Histogram second;
    second.record(42);
    shard_run.timeline[0].histogram = second.encode_base64();
    const test::SchemaCheck r = test::check_schema(
        "loadgen.schema.json", {build_report(echo_run()), build_report(broadcast_run()),
                                build_report(connect_run), build_report(shard_run)});
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST(LoadgenSchema, RejectsReportsMissingARequiredName) {
    if (!test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema is missing";
    json no_received_rate = build_report(echo_run());
    no_received_rate["summary"]["throughput"].erase("received_per_s");
    json broadcast_without_section = build_report(broadcast_run());
    broadcast_without_section.erase("broadcast");
    json missing_error_kind = build_report(echo_run());
    missing_error_kind["errors"].erase("protocol");

    const test::SchemaCheck r = test::check_schema(
        "loadgen.schema.json", {no_received_rate, broadcast_without_section, missing_error_kind});
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("$.summary.throughput: 'received_per_s' is a required property"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("$: 'broadcast' is a required property"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("$.errors: 'protocol' is a required property"), std::string::npos)
        << r.output;
}

}  // namespace
}  // namespace wsb::loadgen
