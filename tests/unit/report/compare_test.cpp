// Tests of wsbench-report compare: thresholds and overrides, direction of each metric,
// percentiles recomputed from the histograms, and the three output formats.
#include "report/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fixtures.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::json;
using test::loadgen_report;

const MetricChange& metric(const Comparison& c, const std::string& name) {
    for (const MetricChange& m : c.metrics) {
        if (m.name == name) return m;
    }
    ADD_FAILURE() << "no metric " << name;
    static const MetricChange none;
    return none;
}

std::vector<std::uint64_t> values(std::uint64_t from, std::uint64_t to, std::uint64_t step = 1) {
    std::vector<std::uint64_t> v;
    for (std::uint64_t x = from; x <= to; x += step) v.push_back(x);
    return v;
}

LoadgenReport run_with(const std::vector<std::uint64_t>& latencies) {
    LoadgenReport r = echo_run({});
    for (std::uint64_t v : latencies) {
        r.latency.record(v);
        r.latency_uncorrected.record(v / 2);
    }
    r.messages_sent = r.messages_received = latencies.size();
    r.sent_per_s = r.received_per_s = static_cast<double>(latencies.size()) / r.duration_s;
    return r;
}

// ------------------------------------------------------------------------------ thresholds

TEST(CompareThreshold, PercentIsTheDefaultForEveryMetric) {
    Thresholds t;
    EXPECT_EQ(t.for_metric("p99"), 10.0) << "10% without --threshold";
    EXPECT_EQ(parse_threshold("25%", t), "");
    EXPECT_EQ(t.for_metric("p99"), 25.0);
    EXPECT_EQ(t.for_metric("throughput"), 25.0);
    EXPECT_EQ(parse_threshold("2.5", t), "") << "the % sign is optional";
    EXPECT_EQ(t.for_metric("errors"), 2.5);
}

TEST(CompareThreshold, NamedOverridesWinAndCoverTheUncorrectedTwin) {
    Thresholds t;
    ASSERT_EQ(parse_threshold("p99=5%", t), "");
    ASSERT_EQ(parse_threshold("uncorrected.max=50%", t), "");
    ASSERT_EQ(parse_threshold("throughput=1%", t), "");
    EXPECT_EQ(t.for_metric("p99"), 5.0);
    EXPECT_EQ(t.for_metric("uncorrected.p99"), 5.0) << "p99=... sets both unless named apart";
    EXPECT_EQ(t.for_metric("uncorrected.max"), 50.0);
    EXPECT_EQ(t.for_metric("max"), 10.0);
    EXPECT_EQ(t.for_metric("throughput"), 1.0);
    EXPECT_EQ(t.for_metric("p50"), 10.0);
    ASSERT_EQ(parse_threshold("uncorrected.p99=7", t), "");
    EXPECT_EQ(t.for_metric("uncorrected.p99"), 7.0) << "its own override first";
}

TEST(CompareThreshold, RejectsUnknownMetricsAndNonPercentages) {
    Thresholds t;
    for (const char* bad : {"", "%", "ten", "-5%", "5%%", "p98=5%", "p99=", "=5%", "inf"}) {
        const std::string error = parse_threshold(bad, t);
        EXPECT_NE(error, "") << bad;
        EXPECT_NE(error.find("--threshold"), std::string::npos) << error;
    }
    EXPECT_NE(parse_threshold("p98=5%", t).find("unknown metric 'p98'"), std::string::npos);
    EXPECT_EQ(t.default_pct, 10.0) << "left unchanged by errors";
    EXPECT_TRUE(t.override_pct.empty());
}

// ------------------------------------------------------------------------------ verdicts

TEST(CompareLoadgen, HigherLatencyBeyondTheThresholdIsARegression) {
    const auto base = loadgen_report(run_with(values(100, 1000)), "base.json");
    const auto slower = loadgen_report(run_with(values(200, 2000, 2)), "new.json");
    const Comparison c = compare_loadgen(base, slower, Thresholds{});
    EXPECT_EQ(metric(c, "p99").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, "p50").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, "uncorrected.p99").verdict, Verdict::regression);
    EXPECT_TRUE(c.regressed());
    // ...and the same pair the other way round is an improvement.
    const Comparison back = compare_loadgen(slower, base, Thresholds{});
    EXPECT_EQ(metric(back, "p99").verdict, Verdict::improvement);
    EXPECT_FALSE(back.regressed());
}

TEST(CompareLoadgen, ChangesWithinTheThresholdAreNoChange) {
    const auto base = loadgen_report(run_with(values(1000, 2000)), "base.json");
    const auto near = loadgen_report(run_with(values(1050, 2100)), "new.json");  // +5%
    const Comparison c = compare_loadgen(base, near, Thresholds{});
    EXPECT_EQ(metric(c, "p99").verdict, Verdict::no_change);
    EXPECT_NEAR(metric(c, "p99").change_pct(), 5.0, 0.5);
    EXPECT_FALSE(c.regressed());
    Thresholds strict;
    ASSERT_EQ(parse_threshold("p99=2%", strict), "");
    const Comparison s = compare_loadgen(base, near, strict);
    EXPECT_EQ(metric(s, "p99").verdict, Verdict::regression) << "the override is stricter";
    EXPECT_EQ(metric(s, "p50").verdict, Verdict::no_change) << "the default still applies";
}

TEST(CompareLoadgen, LowerThroughputIsARegressionAndHigherAnImprovement) {
    LoadgenReport slow = run_with(values(100, 1000));
    LoadgenReport fast = slow;
    fast.messages_received *= 2;
    fast.received_per_s *= 2;
    const auto b = loadgen_report(slow, "base.json");
    const auto n = loadgen_report(fast, "new.json");
    EXPECT_EQ(metric(compare_loadgen(b, n, Thresholds{}), "throughput").verdict,
              Verdict::improvement);
    EXPECT_EQ(metric(compare_loadgen(n, b, Thresholds{}), "throughput").verdict,
              Verdict::regression);
    EXPECT_TRUE(metric(compare_loadgen(n, b, Thresholds{}), "throughput").higher_is_better);
}

TEST(CompareLoadgen, ErrorsFromZeroAreARegressionWhateverTheThreshold) {
    LoadgenReport clean = run_with(values(100, 1000));
    LoadgenReport failing = clean;
    failing.errors["timeout"] = 3;
    Thresholds lax;
    ASSERT_EQ(parse_threshold("1000%", lax), "");
    const Comparison c = compare_loadgen(loadgen_report(clean, "base.json"),
                                         loadgen_report(failing, "new.json"), lax);
    const MetricChange& errors = metric(c, "errors");
    EXPECT_EQ(errors.base, 0);
    EXPECT_EQ(errors.current, 3);
    EXPECT_TRUE(std::isinf(errors.change_pct()));
    EXPECT_EQ(errors.verdict, Verdict::regression);
    EXPECT_EQ(metric(c, "error_rate").verdict, Verdict::regression);
    const Comparison fixed = compare_loadgen(loadgen_report(failing, "base.json"),
                                             loadgen_report(clean, "new.json"), Thresholds{});
    EXPECT_EQ(metric(fixed, "errors").verdict, Verdict::improvement) << "-100%";
}

TEST(CompareLoadgen, PercentilesComeFromTheHistogramsNotTheSummaries) {
    const LoadgenReport run = run_with(values(100, 1000));
    Input tampered;
    tampered.path = "tampered.json";
    tampered.doc = json(run);
    tampered.doc["latency_us"]["p99"] = 1;  // a summary that disagrees with its histogram
    const Comparison c =
        compare_loadgen(loadgen_report(run, "base.json"), to_loadgen(tampered), Thresholds{});
    EXPECT_EQ(metric(c, "p99").current, static_cast<double>(run.latency.value_at_percentile(99)));
    EXPECT_EQ(metric(c, "p99").verdict, Verdict::no_change);
    EXPECT_EQ(metric(c, "max").base, static_cast<double>(run.latency.max()));
    EXPECT_EQ(metric(c, "min").base, static_cast<double>(run.latency.min()));
}

TEST(CompareLoadgen, EveryPercentileCorrectedAndUncorrected) {
    const auto r = loadgen_report(run_with(values(100, 1000)), "r.json");
    const Comparison c = compare_loadgen(r, r, Thresholds{});
    for (const char* name : {"throughput", "errors", "error_rate", "min", "p50", "p75", "p90",
                             "p95", "p99", "p99.9", "p99.99", "max", "mean", "uncorrected.min",
                             "uncorrected.p50", "uncorrected.p99.99", "uncorrected.max"}) {
        EXPECT_EQ(metric(c, name).verdict, Verdict::no_change) << name;
    }
    EXPECT_EQ(c.count(Verdict::no_change), c.metrics.size());
}

TEST(CompareLoadgen, NotesConfigDifferences) {
    LoadgenReport a = run_with(values(100, 200));
    LoadgenReport b = a;
    b.config.message_size = 1024;
    const Comparison c =
        compare_loadgen(loadgen_report(a, "a.json"), loadgen_report(b, "b.json"), Thresholds{});
    ASSERT_EQ(c.notes.size(), 1u);
    EXPECT_EQ(c.notes[0], "config differs: message_size 64 -> 1024");
}

TEST(CompareInputs, RefusesReportsOfDifferentKinds) {
    Input loadgen_input;
    loadgen_input.path = "a.json";
    loadgen_input.doc = json(run_with(values(1, 2)));
    Input autobahn;
    autobahn.path = "index.json";
    autobahn.kind = ReportKind::autobahn;
    try {
        compare_inputs(loadgen_input, autobahn, Thresholds{});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("a.json is a loadgen report but index.json is a "
                                             "autobahn report"),
                  std::string::npos)
            << e.what();
    }
}

// ------------------------------------------------------------------------------ output

TEST(CompareRender, TextTableHasEveryMetricAndTheTotals) {
    const auto base = loadgen_report(run_with(values(100, 1000)), "base.json");
    const auto slower = loadgen_report(run_with(values(200, 2000, 2)), "new.json");
    const std::string t = render_text(compare_loadgen(base, slower, Thresholds{}));
    EXPECT_NE(t.find("base base.json, new new.json"), std::string::npos) << t;
    EXPECT_NE(t.find("  p99 "), std::string::npos) << t;
    EXPECT_NE(t.find("regression (>10%)"), std::string::npos) << t;
    EXPECT_NE(t.find("regression(s)"), std::string::npos) << t;
}

TEST(CompareRender, JsonSaysPassedAndGivesNullForAnInfiniteChange) {
    LoadgenReport clean = run_with(values(100, 1000));
    LoadgenReport failing = clean;
    failing.errors["connect"] = 1;
    const json j = render_json(compare_loadgen(loadgen_report(clean, "a.json"),
                                               loadgen_report(failing, "b.json"), Thresholds{}));
    EXPECT_EQ(j.at("passed"), false);
    EXPECT_EQ(j.at("regressions"), 2u);  // errors and error_rate
    EXPECT_EQ(j.at("kind"), "loadgen");
    const json& errors = j.at("metrics").at(1);
    EXPECT_EQ(errors.at("name"), "errors");
    EXPECT_TRUE(errors.at("change_pct").is_null());
    EXPECT_EQ(errors.at("verdict"), "regression");
    EXPECT_EQ(errors.at("better"), "lower");
}

TEST(CompareRender, MarkdownIsATableHeadedByTheOutcome) {
    const auto base = loadgen_report(run_with(values(100, 1000)), "base.json");
    const auto slower = loadgen_report(run_with(values(200, 2000, 2)), "new.json");
    const std::string md = render_markdown(compare_loadgen(base, slower, Thresholds{}));
    EXPECT_EQ(md.rfind("### wsbench: ", 0), 0u) << md;
    EXPECT_NE(md.find("| metric | base | new | change | verdict |"), std::string::npos) << md;
    EXPECT_NE(md.find("**regression (>10%)**"), std::string::npos) << md;
    const std::string same = render_markdown(compare_loadgen(base, base, Thresholds{}));
    EXPECT_EQ(same.rfind("### wsbench: no regression", 0), 0u) << same;
}

}  // namespace
}  // namespace wsb::report
