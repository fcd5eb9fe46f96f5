// wsbench-report on capacity searches (wsbench-loadgen --find-max): the summary's table of
// steps and result, compare's capacity metric and notes, and html's knee chart and step table.
#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"
#include "report/compare.hpp"
#include "report/html.hpp"
#include "report/merge.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::loadgen_report;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

CapacityStep step(double value, bool passed, std::uint64_t p99_us) {
    CapacityStep s;
    s.value = value;
    s.passed = passed;
    if (!passed) s.breaches.push_back("p99 latency is not < 5 ms");
    s.duration_s = 1;
    s.connections_target = s.connections_established = 10;
    s.messages_sent = s.messages_received = static_cast<std::uint64_t>(value);
    for (std::uint64_t i = 0; i < 100; ++i) s.latency.record(i < 98 ? 100 : p99_us);
    s.latency_uncorrected = s.latency;
    return s;
}

// A rate search that found `found` (failing 10 % above it), as wsbench-loadgen writes it.
LoadgenReport search(double found) {
    LoadgenReport r = echo_run({100, 200, 300});
    CapacityReport c;
    c.mode = "rate";
    c.start = found / 4;
    c.precision = 0.1;
    c.step_duration_s = 1;
    c.warmup_s = 0.2;
    c.slo = {"p99<5ms"};
    c.steps = {step(found / 4, true, 300), step(found / 2, true, 400), step(found, true, 900),
               step(found * 2, false, 50000), step(found * 1.1, false, 9000)};
    c.found = true;
    c.highest_passing = found;
    c.first_failing = found * 1.1;
    c.stop = "precision";
    c.detail = "the capacity lies between them, within 10%";
    r.capacity = c;
    return r;
}

TEST(CapacityReport, SummaryStartsWithTheSearch) {
    const std::string t = summary_table(search(4000));
    EXPECT_TRUE(has(t, "Capacity search (rate), SLO p99<5ms: 5 steps of 1 s")) << t;
    EXPECT_TRUE(has(t, "8000/s")) << t;
    EXPECT_TRUE(has(t, "FAIL")) << t;
    EXPECT_TRUE(has(t, "Capacity: 4000/s (the highest passing value)")) << t;
    EXPECT_TRUE(has(t, "Stopped (precision)")) << t;
    EXPECT_LT(t.find("Capacity search"), t.find("Scenario")) << t;
    EXPECT_FALSE(has(summary_table(echo_run({100})), "Capacity")) << "a plain run has none";
}

TEST(CapacityReport, CompareJudgesTheCapacities) {
    const LoadgenFile base = loadgen_report(search(4000), "base.json");
    const LoadgenFile lower = loadgen_report(search(3000), "new.json");
    const Comparison c = compare_loadgen(base, lower, Thresholds{});
    const MetricChange* capacity = nullptr;
    for (const MetricChange& m : c.metrics) {
        if (m.name == "capacity") capacity = &m;
    }
    ASSERT_NE(capacity, nullptr);
    EXPECT_EQ(capacity->base, 4000);
    EXPECT_EQ(capacity->current, 3000);
    EXPECT_EQ(capacity->verdict, Verdict::regression);
    bool precision_note = false;
    for (const std::string& n : c.notes) precision_note = precision_note || has(n, "precision");
    EXPECT_TRUE(precision_note);

    // A search against a plain run: a note, no capacity row.
    const Comparison mixed =
        compare_loadgen(base, loadgen_report(echo_run({100}), "plain.json"), Thresholds{});
    for (const MetricChange& m : mixed.metrics) EXPECT_NE(m.name, "capacity");
    bool note = false;
    for (const std::string& n : mixed.notes) note = note || has(n, "capacity search");
    EXPECT_TRUE(note);
    Thresholds t;
    EXPECT_EQ(parse_threshold("capacity=5%", t), "");
}

TEST(CapacityReport, HtmlDrawsTheKneeAndTheSteps) {
    const std::string page = render_html(
        {loadgen_report(search(4000), "a.json"), loadgen_report(search(6000), "b.json")});
    EXPECT_TRUE(has(page, "<h2>Capacity search</h2>"));
    EXPECT_TRUE(has(page, "Latency against offered load"));
    EXPECT_TRUE(has(page, "a.json capacity 4000/s"));
    EXPECT_TRUE(has(page, "b.json capacity 6000/s"));
    EXPECT_TRUE(has(page, "Throughput (messages received per second) against offered load"));
    EXPECT_TRUE(has(page, "<h3>a.json: capacity 4000/s</h3>"));
    EXPECT_FALSE(has(page, "http://")) << "nothing loads from elsewhere";
    LoadgenReport connections = search(40);
    connections.capacity->mode = "connections";
    const std::string mixed = render_html(
        {loadgen_report(search(4000), "a.json"), loadgen_report(connections, "c.json")});
    EXPECT_TRUE(has(mixed, "c.json searched connections, not rate: left out of the charts"));
    const std::string knee = mixed.substr(0, mixed.find("</svg>"));  // the first chart
    EXPECT_TRUE(has(knee, "Latency against offered load"));
    EXPECT_TRUE(has(knee, "a.json p99"));
    EXPECT_FALSE(has(knee, "c.json p99"));
    EXPECT_TRUE(has(mixed, "<h3>c.json: capacity 40</h3>"));
    EXPECT_FALSE(
        has(render_html({loadgen_report(echo_run({100}), "plain.json")}), "Capacity search"));
}

TEST(CapacityReport, MergeRefusesASearch) {
    std::vector<std::string> warnings;
    try {
        merge_loadgen(
            {loadgen_report(search(4000), "a.json"), loadgen_report(search(4000), "b.json")},
            warnings, std::chrono::system_clock::now());
        ADD_FAILURE() << "merged";
    } catch (const InputError& e) {
        EXPECT_TRUE(has(e.what(), "a.json: a capacity search (--find-max) cannot be merged"))
            << e.what();
    }
}

}  // namespace
}  // namespace wsb::report
