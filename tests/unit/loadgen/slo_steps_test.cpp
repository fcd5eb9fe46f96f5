// Tests for --slo terms about one step of a scenario file (rpc.p99<20ms, rpc.timeouts<0.1%):
// how a term splits into step and metric, and how a run's steps are judged.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loadgen/slo.hpp"

namespace wsb::loadgen {
namespace {

using Metric = SloTerm::Metric;

std::vector<SloTerm> slo(const char* text) {
    std::vector<SloTerm> terms;
    std::string error;
    EXPECT_EQ(parse_slo(text, terms, error), Errc::ok) << text << ": " << error;
    return terms;
}

// ---------------------------------------------------------------------------------- parse

struct StepTerm {
    const char* text;
    const char* step;
    Metric metric;
    bool less_than;
    double value;
    double percentile;  // checked for latency_percentile only
};

void PrintTo(const StepTerm& g, std::ostream* os) { *os << g.text; }

class ParseSloStep : public ::testing::TestWithParam<StepTerm> {};
TEST_P(ParseSloStep, SplitsTheStepFromTheMetric) {
    const StepTerm& g = GetParam();
    const std::vector<SloTerm> terms = slo(g.text);
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_EQ(terms[0].step, g.step);
    EXPECT_EQ(terms[0].metric, g.metric);
    EXPECT_EQ(terms[0].less_than, g.less_than);
    EXPECT_DOUBLE_EQ(terms[0].value, g.value);
    if (g.metric == Metric::latency_percentile) {
        EXPECT_DOUBLE_EQ(terms[0].percentile, g.percentile);
    }
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSloStep,
    ::testing::Values(
        StepTerm{"rpc.p99<20ms", "rpc", Metric::latency_percentile, true, 20000, 99},
        StepTerm{"rpc.p99.9<50ms", "rpc", Metric::latency_percentile, true, 50000, 99.9},
        StepTerm{"rpc.p99_9<50ms", "rpc", Metric::latency_percentile, true, 50000, 99.9},
        StepTerm{"rpc.P50<1ms", "rpc", Metric::latency_percentile, true, 1000, 50},
        StepTerm{"RPC.p50<1ms", "RPC", Metric::latency_percentile, true, 1000, 50},
        StepTerm{"price.max<1s", "price", Metric::latency_max, true, 1e6, 0},
        StepTerm{"price.mean<2ms", "price", Metric::latency_mean, true, 2000, 0},
        StepTerm{"rpc.timeouts<0.1%", "rpc", Metric::timeout_rate, true, 0.001, 0},
        StepTerm{"rpc.timeouts<5", "rpc", Metric::timeouts, true, 5, 0},
        StepTerm{"rpc.errors<1%", "rpc", Metric::error_rate, true, 0.01, 0},
        StepTerm{"rpc.errors<1", "rpc", Metric::errors, true, 1, 0},
        StepTerm{"rpc.count>1k", "rpc", Metric::count, false, 1000, 0},
        StepTerm{"auth-ok_2.count>0", "auth-ok_2", Metric::count, false, 0, 0},
        // A step whose name holds dots, or looks like a metric itself.
        StepTerm{"user.login.p99<5ms", "user.login", Metric::latency_percentile, true, 5000, 99},
        StepTerm{"user.login.p99.9<5ms", "user.login", Metric::latency_percentile, true, 5000,
                 99.9},
        StepTerm{"a.max.mean<5ms", "a.max", Metric::latency_mean, true, 5000, 0},
        StepTerm{"p99.p50<5ms", "p99", Metric::latency_percentile, true, 5000, 50},
        StepTerm{" rpc.p99 < 20 ms ", "rpc", Metric::latency_percentile, true, 20000, 99},
        // Whole-run terms stay whole-run terms.
        StepTerm{"p99.9<5ms", "", Metric::latency_percentile, true, 5000, 99.9},
        StepTerm{"errors<0.1%", "", Metric::error_rate, true, 0.001, 0}));

TEST(ParseSloStep, MixesWholeRunAndStepTermsAndKeepsTheirText) {
    const auto terms = slo("rpc.p99<20ms,rpc.timeouts<0.1%,price.p99<50ms,errors<1%");
    ASSERT_EQ(terms.size(), 4u);
    EXPECT_EQ(terms[0].step, "rpc");
    EXPECT_EQ(terms[1].step, "rpc");
    EXPECT_EQ(terms[2].step, "price");
    EXPECT_EQ(terms[3].step, "");
    EXPECT_EQ(terms[1].text, "rpc.timeouts<0.1%");
}

struct BadStepSlo {
    const char* text;
    Errc expected;
    const char* message_part;
};

void PrintTo(const BadStepSlo& b, std::ostream* os) { *os << b.text; }

class ParseSloStepBad : public ::testing::TestWithParam<BadStepSlo> {};
TEST_P(ParseSloStepBad, RejectsWithAMessageNamingTheTerm) {
    const BadStepSlo& b = GetParam();
    std::vector<SloTerm> terms;
    std::string error;
    EXPECT_EQ(parse_slo(b.text, terms, error), b.expected) << b.text;
    EXPECT_NE(error.find(b.message_part), std::string::npos) << b.text << ": " << error;
    EXPECT_TRUE(terms.empty());
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSloStepBad,
    ::testing::Values(
        BadStepSlo{"rpc.throughput>10", Errc::invalid_argument,
                   "'rpc.throughput>10': throughput is a metric of the whole run"},
        BadStepSlo{"timeouts<1%", Errc::invalid_argument,
                   "'timeouts' is a metric of a scenario file's step; write STEP.timeouts"},
        BadStepSlo{"count>5", Errc::invalid_argument, "e.g. rpc.count>100"},
        BadStepSlo{"rpc.latency<5ms", Errc::invalid_argument,
                   "unknown metric 'rpc.latency'; use p50"},
        BadStepSlo{"rpc.latency<5ms", Errc::invalid_argument, "STEP.timeouts"},
        BadStepSlo{"rpc.p99<5", Errc::invalid_argument, "give the latency a unit"},
        BadStepSlo{"rpc.p0<5ms", Errc::invalid_argument, "above 0 and at most 100"},
        BadStepSlo{"rpc.timeouts<0", Errc::invalid_argument,
                   "for no timeouts write rpc.timeouts<1"},
        BadStepSlo{"rpc.errors<0", Errc::invalid_argument, "for no errors write rpc.errors<1"},
        BadStepSlo{"rpc.timeouts<1.5", Errc::unit_malformed, "not a timeout count or rate"},
        BadStepSlo{"rpc.timeouts<200%", Errc::unit_out_of_range, "above 100%"},
        BadStepSlo{"rpc.count>many", Errc::unit_malformed, "'many' is not a count"},
        BadStepSlo{"rpc.count<0", Errc::invalid_argument, "can never hold"},
        BadStepSlo{".p99<5ms", Errc::invalid_argument, "unknown metric '.p99'"}));

// ------------------------------------------------------------------------------- evaluate

Histogram latencies(std::uint64_t from_us, std::uint64_t to_us) {
    Histogram h;
    for (std::uint64_t v = from_us; v <= to_us; ++v) h.record(v);
    return h;
}

// A scenario-file run: "rpc" (1000 replies of 1..1000 us and 1 ms, 2 timeouts, 1 capture
// error), "auth" (10 replies), "price" (a listen rule: 500 pushes of 1..500 us).
RunResult scenario_run() {
    RunResult r;
    r.connections_target = 10;
    r.connections_established = 10;
    r.messages_sent = 1010;
    r.messages_received = 1510;
    r.duration_s = 10;
    report::StepReport rpc;
    rpc.count = 998;
    rpc.timeouts = 2;
    rpc.errors = {{"capture", 1}, {"timestamp", 0}, {"template", 0}};
    rpc.latency = latencies(1, 998);
    rpc.latency_uncorrected = rpc.latency;
    r.steps["rpc"] = rpc;
    report::StepReport auth;
    auth.count = 10;
    auth.latency = latencies(100, 109);
    r.steps["auth"] = auth;
    report::StepReport price;
    price.kind = "listen";
    price.count = 500;
    price.latency = latencies(1, 500);
    r.steps["price"] = price;
    return r;
}

TEST(EvaluateSloStep, ReturnsNothingWhenEveryStepTermHolds) {
    EXPECT_TRUE(evaluate_slo(slo("rpc.p99<1ms,rpc.max<1ms,rpc.mean<600us,rpc.timeouts<0.3%,"
                                 "rpc.timeouts<3,rpc.errors<0.2%,rpc.errors<2,rpc.count>997,"
                                 "price.p99<1ms,auth.count>9,price.timeouts<1"),
                             scenario_run())
                    .empty());
}

TEST(EvaluateSloStep, JudgesTheNamedStepsLatencyNotTheRunsOrAnotherStepsOne) {
    RunResult r = scenario_run();
    r.latency = latencies(100000, 100010);  // the whole run's: far above every bound
    const auto breaches = evaluate_slo(slo("auth.p50<100us,price.p99<1ms,rpc.p99<500us"), r);
    ASSERT_EQ(breaches.size(), 2u);
    EXPECT_EQ(breaches[0], "step auth: p50 latency 104.00 us is not < 100 us");
    EXPECT_EQ(breaches[1], "step rpc: p99 latency 989.00 us is not < 500 us");
}

TEST(EvaluateSloStep, TimeoutRateCountsTimeoutsAgainstRepliesAndTimeouts) {
    // 2 timeouts of 998 + 2 expects: 0.2 %.
    EXPECT_TRUE(evaluate_slo(slo("rpc.timeouts<0.21%"), scenario_run()).empty());
    const auto breaches = evaluate_slo(slo("rpc.timeouts<0.1%"), scenario_run());
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "step rpc: timeouts 0.2 % (2 timeouts in 1000 expects) is not < 0.1 %");
}

TEST(EvaluateSloStep, CountsAndErrorsOfTheStep) {
    const auto breaches = evaluate_slo(
        slo("rpc.timeouts<2,rpc.errors<1,rpc.errors<0.05%,auth.count>10"), scenario_run());
    ASSERT_EQ(breaches.size(), 4u);
    EXPECT_EQ(breaches[0], "step rpc: timeouts 2 is not < 2");
    EXPECT_EQ(breaches[1], "step rpc: errors 1 is not < 1");
    EXPECT_EQ(breaches[2],
              "step rpc: error rate 0.1 % (1 errors in 1000 attempts) is not < 0.05 %");
    EXPECT_EQ(breaches[3], "step auth: count 10 is not > 10");
}

TEST(EvaluateSloStep, AStepTheRunDoesNotHaveIsABreachNamingTheSteps) {
    RunResult r = scenario_run();
    r.steps.erase("rpc");
    const auto breaches = evaluate_slo(slo("rpc.p99<20ms,rpc.timeouts<0.1%,price.p99<50ms"), r);
    ASSERT_EQ(breaches.size(), 2u);
    EXPECT_EQ(breaches[0], "step 'rpc' is not in this run (steps: auth, price)");
    EXPECT_EQ(breaches[1], breaches[0]);
    r.steps.clear();  // a built-in scenario
    const auto none = evaluate_slo(slo("rpc.p99<20ms"), r);
    ASSERT_EQ(none.size(), 1u);
    EXPECT_EQ(none[0], "step 'rpc' is not in this run (it has no named steps)");
}

TEST(EvaluateSloStep, StepNamesAreCaseSensitive) {
    const auto breaches = evaluate_slo(slo("RPC.p99<20ms"), scenario_run());
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "step 'RPC' is not in this run (steps: auth, price, rpc)");
}

TEST(EvaluateSloStep, BreachesALatencyTermOfAStepThatRecordedNothing) {
    RunResult r = scenario_run();
    r.steps["rpc"].latency.reset();
    r.steps["rpc"].timeouts = 1000;
    const auto breaches = evaluate_slo(slo("rpc.p99<20ms"), r);
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0],
              "step rpc: p99 latency: no latency was recorded (--slo term 'rpc.p99<20ms')");
}

TEST(EvaluateSloStep, AStepWithoutAttemptsHasNoTimeoutRate) {
    RunResult r = scenario_run();
    r.steps["idle"] = report::StepReport{};
    EXPECT_TRUE(evaluate_slo(slo("idle.timeouts<0.1%,idle.errors<0.1%"), r).empty());
    EXPECT_EQ(evaluate_slo(slo("idle.count>0"), r).size(), 1u) << "count>N gates an idle step";
}

TEST(EvaluateSloStep, WholeRunTermsStillJudgeTheWholeRun) {
    RunResult r = scenario_run();
    r.latency = latencies(1, 100);
    const auto breaches = evaluate_slo(slo("p99<50us,rpc.p99<1ms"), r);
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "p99 latency 99.00 us is not < 50 us");
}

}  // namespace
}  // namespace wsb::loadgen
