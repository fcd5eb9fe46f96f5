// Tests of wsbench-report with reports of scenario files (steps.<name>, sessions): merge adds
// steps exactly, compare judges every step, summary and html show them.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "report/compare.hpp"
#include "report/html.hpp"
#include "report/merge.hpp"
#include "schema_check.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::json;
using test::loadgen_report;
using test::scenario_run;

LoadgenReport shard(std::uint64_t index, std::initializer_list<std::uint64_t> rpc_us,
                    std::uint64_t timeouts) {
    LoadgenReport r = scenario_run(rpc_us, timeouts);
    r.config.shard = ShardId{index, 2};
    r.shard = ShardPart{index, 2, index * 5, 5, 0, 0};
    r.connections.target = 5;
    r.connections.established = 5;
    return r;
}

// ---------------------------------------------------------------------------------- merge

TEST(MergeSteps, ShardsOfOneRunMergeIntoOneExactReport) {
    const auto a = loadgen_report(shard(0, {100, 200, 90000}, 1), "a.json");
    const auto b = loadgen_report(shard(1, {7, 300, 5000, 5001}, 2), "b.json");
    std::vector<std::string> warnings;
    const LoadgenReport m = merge_loadgen({a, b}, warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();

    const StepReport& rpc = m.steps.at("rpc");
    Histogram all;
    for (std::uint64_t v : {100, 200, 90000, 7, 300, 5000, 5001}) all.record(v);
    EXPECT_EQ(rpc.latency, all) << "one histogram of every value";
    EXPECT_EQ(rpc.latency_uncorrected.total_count(), 7u);
    EXPECT_EQ(rpc.count, 7u);
    EXPECT_EQ(rpc.timeouts, 3u);
    EXPECT_EQ(rpc.unmatched, 4u);
    EXPECT_EQ(rpc.errors.at("capture"), 2u);
    EXPECT_EQ(rpc.errors.at("template"), 0u);
    EXPECT_EQ(rpc.kind, "expect");
    EXPECT_EQ(m.steps.at("price").count, 6u);
    EXPECT_EQ(m.steps.at("price").kind, "listen");
    ASSERT_TRUE(m.sessions);
    EXPECT_EQ(m.sessions->started, 8u);
    EXPECT_EQ(m.sessions->completed, 6u);
    EXPECT_EQ(m.sessions->cut, 2u);
    EXPECT_EQ(m.sessions->start_lag.total_count(), 4u);

    // The summaries are recomputed from the merged histograms.
    const json j = m;
    EXPECT_EQ(j.at("steps").at("rpc").at("latency_us"), latency_summary(all));
    EXPECT_EQ(j.at("steps").at("rpc").at("latency_us").at("max"), all.max());
    EXPECT_EQ(j.at("scenario"), "file");
    EXPECT_EQ(j.at("config").at("scenario_file"), "chat.yaml");
    // Read back as wsbench-report reads its own output: the same report.
    EXPECT_EQ(loadgen_report(m, "m.json").report, m);
}

TEST(MergeSteps, MergedReportIsValidAgainstTheSchema) {
    if (!wsb::test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema missing";
    std::vector<std::string> warnings;
    const json m = merge_loadgen({loadgen_report(shard(0, {100}, 0), "a.json"),
                                  loadgen_report(shard(1, {200}, 1), "b.json")},
                                 warnings);
    const wsb::test::SchemaCheck r = wsb::test::check_schema("loadgen.schema.json", {m});
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST(MergeSteps, AStepOneInputLacksCountsNothingThere) {
    LoadgenReport with_auth = scenario_run({100});
    StepReport auth;
    auth.count = 2;
    auth.latency.record(50, 2);
    auth.latency_uncorrected = auth.latency;
    with_auth.steps["auth"] = auth;
    std::vector<std::string> warnings;
    const LoadgenReport m = merge_loadgen(
        {loadgen_report(scenario_run({200}), "a.json"), loadgen_report(with_auth, "b.json")},
        warnings);
    EXPECT_EQ(m.steps.at("auth"), auth);
    EXPECT_EQ(m.steps.at("rpc").count, 2u);
}

TEST(MergeSteps, RefusesAStepOfAnotherKind) {
    LoadgenReport other = scenario_run({100});
    other.steps["price"].kind = "expect";
    std::vector<std::string> warnings;
    try {
        merge_loadgen(
            {loadgen_report(scenario_run({100}), "a.json"), loadgen_report(other, "b.json")},
            warnings);
        FAIL() << "merged a listen step with an expect step";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(),
                     "a.json and b.json: step 'price' is of kind listen in the first and expect in "
                     "the second; merge reports of the same scenario file");
    }
}

TEST(MergeSteps, WarnsWhenTheInputsRanDifferentScenarioFiles) {
    LoadgenReport other = scenario_run({100});
    other.config.scenario_file = "/srv/chat.yaml";
    std::vector<std::string> warnings;
    merge_loadgen({loadgen_report(scenario_run({100}), "a.json"), loadgen_report(other, "b.json")},
                  warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("different scenario files ('chat.yaml' and '/srv/chat.yaml')"),
              std::string::npos)
        << warnings[0];
}

TEST(MergeSteps, BuiltInScenariosMergeWithoutSteps) {
    std::vector<std::string> warnings;
    const json m = merge_loadgen(
        {loadgen_report(echo_run({100}), "a.json"), loadgen_report(echo_run({200}), "b.json")},
        warnings);
    EXPECT_FALSE(m.contains("steps"));
    EXPECT_FALSE(m.contains("sessions"));
}

// -------------------------------------------------------------------------------- compare

const MetricChange* find_metric(const Comparison& c, const std::string& name) {
    for (const MetricChange& m : c.metrics) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

TEST(CompareSteps, JudgesEveryStepsPercentilesAndTimeouts) {
    const auto base = loadgen_report(scenario_run({1000, 1000, 1000, 1000}, 0), "base.json");
    const auto next = loadgen_report(scenario_run({1000, 1000, 1000, 3000}, 2), "new.json");
    const Comparison c = compare_loadgen(base, next, Thresholds{});
    const MetricChange* p99 = find_metric(c, "steps.rpc.p99");
    ASSERT_NE(p99, nullptr);
    EXPECT_EQ(p99->unit, "us");
    EXPECT_NEAR(p99->base, 1000, 1);
    EXPECT_NEAR(p99->current, 3000, 3);
    EXPECT_EQ(p99->verdict, Verdict::regression);
    EXPECT_EQ(find_metric(c, "steps.rpc.p99.9")->verdict, Verdict::regression);
    EXPECT_EQ(find_metric(c, "steps.rpc.p50")->verdict, Verdict::no_change);
    const MetricChange* timeouts = find_metric(c, "steps.rpc.timeouts");
    ASSERT_NE(timeouts, nullptr);
    EXPECT_EQ(timeouts->base, 0);
    EXPECT_EQ(timeouts->current, 2);
    EXPECT_EQ(timeouts->verdict, Verdict::regression);
    // A listen rule has no timeouts; its latency is compared.
    EXPECT_EQ(find_metric(c, "steps.price.timeouts"), nullptr);
    EXPECT_EQ(find_metric(c, "steps.price.p99")->verdict, Verdict::no_change);
    EXPECT_TRUE(c.regressed());
    EXPECT_NE(render_text(c).find("steps.rpc.p99"), std::string::npos);
    EXPECT_NE(render_markdown(c).find("| steps.rpc.timeouts |"), std::string::npos);
}

TEST(CompareSteps, StepMetricsTakeTheThresholdsOfTheirPercentile) {
    Thresholds t;
    ASSERT_EQ(parse_threshold("p99=500%", t), "");
    EXPECT_EQ(t.for_metric("steps.rpc.p99"), 500);
    EXPECT_EQ(t.for_metric("steps.rpc.p50"), 10) << "the default";
    ASSERT_EQ(parse_threshold("steps.rpc.p99=1%", t), "");
    EXPECT_EQ(t.for_metric("steps.rpc.p99"), 1) << "its own override first";
    EXPECT_EQ(t.for_metric("steps.price.p99"), 500);
    ASSERT_EQ(parse_threshold("steps.user.login.p99.9=7%", t), "") << "names with dots";
    EXPECT_EQ(t.for_metric("steps.user.login.p99.9"), 7);
    ASSERT_EQ(parse_threshold("steps.rpc.timeouts=50%", t), "");
    EXPECT_NE(parse_threshold("steps.rpc.p98=5%", t).find("unknown metric 'steps.rpc.p98'"),
              std::string::npos);
    EXPECT_NE(parse_threshold("steps..p99=5%", t), "");

    Thresholds loose;
    ASSERT_EQ(parse_threshold("p99=500%", loose), "");
    ASSERT_EQ(parse_threshold("p99.9=500%", loose), "");
    const Comparison c =
        compare_loadgen(loadgen_report(scenario_run({1000, 1000, 1000, 1000}), "base.json"),
                        loadgen_report(scenario_run({1000, 1000, 1000, 3000}), "new.json"), loose);
    EXPECT_EQ(find_metric(c, "steps.rpc.p99")->verdict, Verdict::no_change);
    EXPECT_EQ(find_metric(c, "steps.rpc.p99")->threshold_pct, 500);
    EXPECT_FALSE(c.regressed());
}

TEST(CompareSteps, NamesAStepThatOnlyOneReportHas) {
    LoadgenReport next = scenario_run({1000});
    next.steps.erase("price");
    next.steps["auth"] = next.steps.at("rpc");
    const Comparison c = compare_loadgen(loadgen_report(scenario_run({1000}), "base.json"),
                                         loadgen_report(next, "new.json"), Thresholds{});
    EXPECT_EQ(find_metric(c, "steps.auth.p99"), nullptr);
    EXPECT_EQ(find_metric(c, "steps.price.p99"), nullptr);
    EXPECT_NE(find_metric(c, "steps.rpc.p99"), nullptr);
    const std::vector<std::string> expected = {"step 'auth' is only in new.json: not compared",
                                               "step 'price' is only in base.json: not compared"};
    EXPECT_EQ(c.notes, expected);
    EXPECT_NE(render_text(c).find("Note: step 'auth' is only in new.json"), std::string::npos);
}

TEST(CompareSteps, BuiltInScenariosHaveNoStepMetrics) {
    const Comparison c = compare_loadgen(loadgen_report(echo_run({100}), "base.json"),
                                         loadgen_report(echo_run({100}), "new.json"), Thresholds{});
    for (const MetricChange& m : c.metrics) EXPECT_NE(m.name.rfind("steps.", 0), 0u) << m.name;
}

// ------------------------------------------------------------------------- summary, html

TEST(SummarySteps, ShowsAStepTableAndTheSessions) {
    const std::string t = summary_table(scenario_run({1000, 2000, 3000}, 1));
    EXPECT_NE(t.find("Scenario     file: chat.yaml"), std::string::npos) << t;
    EXPECT_NE(t.find("\n\n  Steps        kind       count timeouts  errors        p50        p99 "
                     "     p99.9 p99 uncorr\n"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("\n    price      listen         3        0       0  300.00 us  300.00 us  "
                     "300.00 us  300.00 us\n"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("\n    rpc        expect         3        1       1    2.00 ms    3.00 ms  "
                     "  3.00 ms    1.50 ms\n"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("  Sessions     4 started, 3 completed, 0 failed, 1 cut, start lag p99 "
                     "20.00 us"),
              std::string::npos)
        << t;
    const std::string echo = summary_table(echo_run({100}));
    EXPECT_EQ(echo.find("Steps"), std::string::npos) << echo;
    EXPECT_EQ(echo.find("Sessions"), std::string::npos) << echo;
}

TEST(HtmlSteps, DrawsAChartPerStepAndTheSessions) {
    LoadgenReport other = scenario_run({500});
    other.steps.erase("price");
    const std::string page = render_html(
        {loadgen_report(scenario_run({1000, 2000}), "a.json"), loadgen_report(other, "b.json")});
    EXPECT_NE(page.find("<h2>Steps</h2>"), std::string::npos);
    EXPECT_NE(page.find("<title>Step rpc (expect): latency percentile distribution"),
              std::string::npos);
    EXPECT_NE(page.find("<title>Step price (listen): latency percentile distribution"),
              std::string::npos);
    EXPECT_NE(page.find("<table class=\"sessions\">"), std::string::npos);
    EXPECT_NE(page.find("<title>a.json corrected</title>"), std::string::npos);
    const std::string echo = render_html({loadgen_report(echo_run({100}), "a.json")});
    EXPECT_EQ(echo.find("<h2>Steps</h2>"), std::string::npos);
}

}  // namespace
}  // namespace wsb::report
