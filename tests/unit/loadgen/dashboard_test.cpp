// The dashboard's events and page (loadgen/dashboard.hpp): SSE framing, what each event holds,
// the page's stable ids and that it references nothing outside itself.
#include "loadgen/dashboard.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/capacity.hpp"

namespace wsb::loadgen {
namespace {

using json = nlohmann::json;

TEST(DashboardEvents, AnEventIsANameAndOneDataLineEndedByABlankLine) {
    const std::string e = sse_event("second", json{{"text", "two\nlines"}, {"n", 1}});
    EXPECT_EQ(e, "event: second\ndata: {\"n\":1,\"text\":\"two\\nlines\"}\n\n");
    // Bad UTF-8 in a string (a URL as given) cannot break the stream.
    EXPECT_NO_THROW(sse_event("hello", json{{"url", std::string("ws://\xff/")}}));
}

TEST(DashboardEvents, ASecondHoldsItsRatesLatenciesStepsAndTheTotals) {
    Histogram second;
    for (int i = 1; i <= 100; ++i) second.record(static_cast<std::uint64_t>(i) * 10);
    std::vector<Histogram> steps(2);
    steps[1].record(5000);
    const LiveSecond s = live_second(300, 299, 1, 4, second, steps);
    LiveCounters totals;
    totals.messages_sent = 900;
    totals.messages_received = 897;
    totals.connections_opened = 4;
    totals.errors[0] = 2;
    totals.errors[3] = 1;
    const json j = second_event(2.0004, s, totals);
    EXPECT_EQ(j["t"], 2.0);
    EXPECT_EQ(j["sent"], 300);
    EXPECT_EQ(j["received"], 299);
    EXPECT_EQ(j["errors"], 1);
    EXPECT_EQ(j["connections"], 4);
    EXPECT_EQ(j["p50_us"], second.value_at_percentile(50));
    EXPECT_EQ(j["p99_us"], second.value_at_percentile(99));
    EXPECT_EQ(j["steps"], json::parse("[[0,0],[" + std::to_string(steps[1].max()) + "," +
                                      std::to_string(steps[1].max()) + "]]"));
    EXPECT_EQ(j["total"], json::parse(R"({"sent":900,"received":897,"errors":3,"opened":4,
                                          "failed":0})"));
}

TEST(DashboardEvents, TheEndCarriesTheReportsNumbersAndTheCapacityFound) {
    report::LoadgenReport r;
    r.messages_sent = 1500;
    r.messages_received = 1498;
    r.connections.established = 4;
    r.connections.failed = 1;
    r.received_per_s = 299.6;
    r.duration_s = 5;
    r.latency.record(200);
    json j = end_event(r, "/report.html");
    EXPECT_EQ(j["sent"], 1500);
    EXPECT_EQ(j["received"], 1498);
    EXPECT_EQ(j["connections"], 4);
    EXPECT_EQ(j["failed"], 1);
    EXPECT_EQ(j["errors"], r.total_errors());
    EXPECT_EQ(j["report"], "/report.html");
    EXPECT_EQ(j["p50_us"], r.latency.value_at_percentile(50));
    EXPECT_TRUE(j["capacity"].is_null());
    r.capacity.emplace();
    r.capacity->found = true;
    r.capacity->highest_passing = 2500;
    EXPECT_EQ(end_event(r, "/report.html")["capacity"], 2500.0);
}

TEST(DashboardEvents, AStepOfASearchHasItsValueThroughputLatencyAndVerdict) {
    CapacityStepRun step;
    step.value = 400;
    step.result.messages_received = 800;
    step.result.duration_s = 2;
    step.result.latency.record(1000);
    step.judgement.outcome = StepOutcome::fail;
    const json j = capacity_step_event(live_capacity_step(3, step));
    EXPECT_EQ(j["n"], 3);
    EXPECT_EQ(j["value"], 400.0);
    EXPECT_EQ(j["throughput"], 400.0);
    EXPECT_EQ(j["p99_us"], step.result.latency.value_at_percentile(99));
    EXPECT_EQ(j["verdict"], "fail");
}

TEST(DashboardEvents, HelloNamesTheTargetAndTheSearch) {
    Config c;
    c.url_text = "ws://127.0.0.1:9001/";
    c.connections = 8;
    c.capacity.mode = CapacityOptions::Mode::rate;
    const json j = hello_event(c);
    EXPECT_EQ(j["url"], c.url_text);
    EXPECT_EQ(j["scenario"], "echo");
    EXPECT_EQ(j["search"], "rate");
    EXPECT_EQ(j["connections"], 8);
    EXPECT_EQ(j["steps"], json::array());
}

TEST(DashboardPage, IsSelfContainedWithTheReportsStyleAndStableIds) {
    const std::string page = dashboard_page("wsbench-loadgen <ws://x/>");
    EXPECT_NE(page.find("<title>wsbench-loadgen &lt;ws://x/&gt;</title>"), std::string::npos);
    EXPECT_NE(page.find("svg .grid { stroke: #e6e6e6"), std::string::npos) << "the report's CSS";
    for (const char* id : {"chart-throughput", "chart-latency", "chart-connections", "chart-errors",
                           "chart-steps", "chart-knee", "final-sent", "final-received",
                           "report-link", "now-p99", "capacity-steps"}) {
        EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
    }
    for (const char* outside : {"http://", "https://", " src=", "@import", "url("}) {
        EXPECT_EQ(page.find(outside), std::string::npos) << outside;
    }
}

}  // namespace
}  // namespace wsb::loadgen
