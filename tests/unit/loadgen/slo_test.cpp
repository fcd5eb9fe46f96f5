// Tests for --slo parsing and for judging a run against its service-level objectives.

#include "loadgen/slo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loadgen/run_report.hpp"

namespace wsb::loadgen {
namespace {

using Metric = SloTerm::Metric;

// ---------------------------------------------------------------------------------- parse

struct GoodTerm {
    const char* text;
    Metric metric;
    bool less_than;
    double value;
    double percentile;  // checked for latency_percentile only
};

void PrintTo(const GoodTerm& g, std::ostream* os) { *os << g.text; }

class ParseSloGood : public ::testing::TestWithParam<GoodTerm> {};
TEST_P(ParseSloGood, ParsesOneTerm) {
    const GoodTerm& g = GetParam();
    std::vector<SloTerm> terms;
    std::string error;
    ASSERT_EQ(parse_slo(g.text, terms, error), Errc::ok) << error;
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_EQ(terms[0].metric, g.metric);
    EXPECT_EQ(terms[0].less_than, g.less_than);
    EXPECT_DOUBLE_EQ(terms[0].value, g.value);
    if (g.metric == Metric::latency_percentile) {
        EXPECT_DOUBLE_EQ(terms[0].percentile, g.percentile);
    }
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSloGood,
    ::testing::Values(GoodTerm{"p99<5ms", Metric::latency_percentile, true, 5000, 99},
                      GoodTerm{"p50<500us", Metric::latency_percentile, true, 500, 50},
                      GoodTerm{"p90<1.5ms", Metric::latency_percentile, true, 1500, 90},
                      GoodTerm{"p99.9<10ms", Metric::latency_percentile, true, 10000, 99.9},
                      GoodTerm{"p99.99<1s", Metric::latency_percentile, true, 1e6, 99.99},
                      GoodTerm{"p99_9<10ms", Metric::latency_percentile, true, 10000, 99.9},
                      GoodTerm{"p75<2ms", Metric::latency_percentile, true, 2000, 75},
                      GoodTerm{"p100<2ms", Metric::latency_percentile, true, 2000, 100},
                      GoodTerm{"P99<5ms", Metric::latency_percentile, true, 5000, 99},
                      GoodTerm{"p99>1us", Metric::latency_percentile, false, 1, 99},
                      GoodTerm{"max<100ms", Metric::latency_max, true, 100000, 0},
                      GoodTerm{"mean<2ms", Metric::latency_mean, true, 2000, 0},
                      GoodTerm{"errors<0.1%", Metric::error_rate, true, 0.001, 0},
                      GoodTerm{"errors<5%", Metric::error_rate, true, 0.05, 0},
                      GoodTerm{"errors<1", Metric::errors, true, 1, 0},
                      GoodTerm{"errors<1k", Metric::errors, true, 1000, 0},
                      GoodTerm{"throughput>10k/s", Metric::throughput, false, 10000, 0},
                      GoodTerm{"throughput>10k", Metric::throughput, false, 10000, 0},
                      GoodTerm{"throughput>5000", Metric::throughput, false, 5000, 0},
                      GoodTerm{"throughput>600k/m", Metric::throughput, false, 10000, 0},
                      GoodTerm{"  p99 < 5ms  ", Metric::latency_percentile, true, 5000, 99},
                      GoodTerm{"p99 < 5 ms", Metric::latency_percentile, true, 5000, 99},
                      GoodTerm{"errors < 0.1 %", Metric::error_rate, true, 0.001, 0}));

TEST(ParseSlo, SplitsTermsAtCommasAndKeepsTheirText) {
    std::vector<SloTerm> terms;
    std::string error;
    ASSERT_EQ(parse_slo("p99<5ms, errors<0.1% ,throughput>10k/s", terms, error), Errc::ok) << error;
    ASSERT_EQ(terms.size(), 3u);
    EXPECT_EQ(terms[0].text, "p99<5ms");
    EXPECT_EQ(terms[1].text, "errors<0.1%");
    EXPECT_EQ(terms[2].text, "throughput>10k/s");
    EXPECT_EQ(terms[1].metric, Metric::error_rate);
    EXPECT_EQ(terms[2].metric, Metric::throughput);
}

struct BadSlo {
    const char* text;
    Errc expected;
    const char* message_part;  // the message names the bad term and says what is wrong
};

void PrintTo(const BadSlo& b, std::ostream* os) { *os << b.text; }

class ParseSloBad : public ::testing::TestWithParam<BadSlo> {};
TEST_P(ParseSloBad, RejectsWithAMessageNamingTheTerm) {
    const BadSlo& b = GetParam();
    std::vector<SloTerm> terms(1);
    terms[0].text = "kept";
    std::string error;
    EXPECT_EQ(parse_slo(b.text, terms, error), b.expected) << b.text;
    EXPECT_NE(error.find(b.message_part), std::string::npos) << b.text << ": " << error;
    ASSERT_EQ(terms.size(), 1u) << "output must stay unchanged";
    EXPECT_EQ(terms[0].text, "kept");
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSloBad,
    ::testing::Values(
        BadSlo{"", Errc::invalid_argument, "--slo is empty"},
        BadSlo{"  ", Errc::invalid_argument, "--slo is empty"},
        BadSlo{"p99<5ms,", Errc::invalid_argument, "empty term"},
        BadSlo{"p99<5ms,,errors<1", Errc::invalid_argument, "empty term"},
        BadSlo{",p99<5ms", Errc::invalid_argument, "empty term"},
        BadSlo{"p99=5ms", Errc::invalid_argument, "'p99=5ms': no comparison"},
        BadSlo{"p99<=5ms", Errc::invalid_argument, "'p99<=5ms': use < or >"},
        BadSlo{"<5ms", Errc::invalid_argument, "no metric"},
        BadSlo{"p99<", Errc::invalid_argument, "no value"},
        BadSlo{"1ms<p99<5ms", Errc::invalid_argument, "more than one comparison"},
        BadSlo{"latency<5ms", Errc::invalid_argument, "unknown metric 'latency'"},
        BadSlo{"p99<5ms,min<1ms", Errc::invalid_argument, "'min<1ms': unknown metric"},
        BadSlo{"p<5ms", Errc::invalid_argument, "unknown metric 'p'"},
        BadSlo{"p0<5ms", Errc::invalid_argument, "above 0 and at most 100"},
        BadSlo{"p101<5ms", Errc::invalid_argument, "above 0 and at most 100"},
        BadSlo{"p99.<5ms", Errc::invalid_argument, "not a percentile"},
        BadSlo{"p9.9.9<5ms", Errc::invalid_argument, "not a percentile"},
        BadSlo{"p99<5", Errc::invalid_argument, "'p99<5': give the latency a unit, e.g. 5ms"},
        BadSlo{"p99<5xs", Errc::unit_bad_suffix, "'5xs' is not a duration"},
        BadSlo{"mean<fast", Errc::unit_malformed, "'fast' is not a duration"},
        BadSlo{"p99<0ms", Errc::invalid_argument, "can never hold"},
        BadSlo{"errors<0", Errc::invalid_argument, "for no errors write errors<1"},
        BadSlo{"errors<0%", Errc::invalid_argument, "can never hold"},
        BadSlo{"errors<1.5", Errc::unit_malformed, "not an error count or rate"},
        BadSlo{"errors<x%", Errc::unit_malformed, "'x%' is not a percentage"},
        BadSlo{"errors<150%", Errc::unit_out_of_range, "above 100%"},
        BadSlo{"throughput>lots", Errc::unit_malformed, "'lots' is not a rate"}));

// ------------------------------------------------------------------------------- evaluate

std::vector<SloTerm> slo(const char* text) {
    std::vector<SloTerm> terms;
    std::string error;
    EXPECT_EQ(parse_slo(text, terms, error), Errc::ok) << error;
    return terms;
}

// 1000 messages sent and received in 10 s by 10 connections; latencies 1..1000 us, and 7.2 ms.
RunResult run() {
    RunResult r;
    r.connections_target = 10;
    r.connections_established = 10;
    r.messages_sent = 990;
    r.messages_received = 1000;
    r.duration_s = 10;
    for (std::uint64_t v = 1; v <= 989; ++v) r.latency.record(v);
    r.latency.record(7200, 11);
    return r;
}

TEST(EvaluateSlo, ReturnsNothingWhenEveryTermHolds) {
    EXPECT_TRUE(evaluate_slo(slo("p50<1ms,p99<8ms,max<10ms,mean<2ms,errors<1,errors<0.1%,"
                                 "throughput>99"),
                             run())
                    .empty());
}

TEST(EvaluateSlo, NamesTheBreachedLatencyAndTheBound) {
    const auto breaches = evaluate_slo(slo("p99<5ms,p50<1ms"), run());
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "p99 latency 7.20 ms is not < 5 ms");
}

TEST(EvaluateSlo, ReportsEveryBreachedTermInOrder) {
    const auto breaches = evaluate_slo(slo("max<7ms,mean<10us,p99.9<2.5ms"), run());
    ASSERT_EQ(breaches.size(), 3u);
    EXPECT_EQ(breaches[0], "max latency 7.20 ms is not < 7 ms");
    EXPECT_EQ(breaches[1].rfind("mean latency ", 0), 0u) << breaches[1];
    EXPECT_NE(breaches[1].find(" is not < 10 us"), std::string::npos) << breaches[1];
    EXPECT_EQ(breaches[2], "p99.9 latency 7.20 ms is not < 2.5 ms");
}

TEST(EvaluateSlo, ComparesStrictly) {
    EXPECT_EQ(evaluate_slo(slo("p99<7.2ms"), run()).size(), 1u);
    EXPECT_EQ(evaluate_slo(slo("throughput>100"), run()).size(), 1u);
    EXPECT_TRUE(evaluate_slo(slo("throughput>99.9"), run()).empty());
}

TEST(EvaluateSlo, BreachesALatencyTermWhenNothingWasMeasured) {
    RunResult r = run();
    r.latency.reset();
    const auto breaches = evaluate_slo(slo("p99<5ms"), r);
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "p99 latency: no latency was recorded (--slo term 'p99<5ms')");
}

TEST(EvaluateSlo, ErrorRateCountsMessagesSentAndConnections) {
    RunResult r = run();
    r.errors[static_cast<std::size_t>(ErrorKind::timeout)] = 3;  // 3 of 990 + 10 = 0.3 %
    EXPECT_TRUE(evaluate_slo(slo("errors<0.31%"), r).empty());
    const auto breaches = evaluate_slo(slo("errors<0.1%"), r);
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "error rate 0.3 % (3 errors in 1000 attempts) is not < 0.1 %");
}

TEST(EvaluateSlo, ErrorCountTermCountsEveryKind) {
    RunResult r = run();
    r.errors[static_cast<std::size_t>(ErrorKind::connect)] = 1;
    r.errors[static_cast<std::size_t>(ErrorKind::protocol)] = 1;
    EXPECT_TRUE(evaluate_slo(slo("errors<3"), r).empty());
    const auto breaches = evaluate_slo(slo("errors<1"), r);
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "errors 2 is not < 1");
}

TEST(EvaluateSlo, ThroughputIsReceivedMessagesPerSecondOfTheWindow) {
    const auto breaches = evaluate_slo(slo("throughput>10k/s"), run());
    ASSERT_EQ(breaches.size(), 1u);
    EXPECT_EQ(breaches[0], "throughput 100.0/s is not > 10.0k/s");
    RunResult r = run();
    r.duration_s = 0;
    EXPECT_EQ(evaluate_slo(slo("throughput>1"), r).size(), 1u);
}

}  // namespace
}  // namespace wsb::loadgen
