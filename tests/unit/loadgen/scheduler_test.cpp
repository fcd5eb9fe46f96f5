// Tests of the open-loop send schedule and the connect ramp: exact, drift-free due times
// against integer references, phase spreading, due counts and ramp counts.

#include "loadgen/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace wsb::loadgen {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;

// A rate as an exact fraction num/den per second, so the reference due times can be computed
// in integers: round(k * 1e9 * den / num), halves up.
struct ExactRate {
    const char* name;
    std::uint64_t num;
    std::uint64_t den;

    double value() const { return static_cast<double>(num) / static_cast<double>(den); }
    std::uint64_t offset_ns(std::uint64_t k) const {
        return (2 * k * kSecond * den + num) / (2 * num);
    }
};

void PrintTo(const ExactRate& r, std::ostream* os) { *os << r.name; }

class OpenLoopExact : public ::testing::TestWithParam<ExactRate> {};

TEST_P(OpenLoopExact, DueTimesMatchTheIntegerReferenceOverAMillionIntervals) {
    const ExactRate r = GetParam();
    const std::uint64_t start = 123'456'789;
    OpenLoopSchedule s(r.value(), start, 0);
    for (std::uint64_t k = 0; k < 1'000'000; ++k) {
        ASSERT_EQ(s.next_due_ns(), start + r.offset_ns(k)) << "send " << k;
        ASSERT_EQ(s.index(), k);
        s.advance();
    }
    EXPECT_EQ(s.due_ns(1'000'000), start + r.offset_ns(1'000'000));
}

INSTANTIATE_TEST_SUITE_P(Rates, OpenLoopExact,
                         ::testing::Values(ExactRate{"ThreePerSecond", 3, 1},
                                           ExactRate{"SevenPerSecond", 7, 1},
                                           ExactRate{"OneThousandPerSecond", 1000, 1},
                                           ExactRate{"FortyEightThousandPerSecond", 48000, 1},
                                           ExactRate{"OneMillionPerSecond", 1'000'000, 1},
                                           ExactRate{"TwoAndAHalfPerSecond", 5, 2},
                                           ExactRate{"OneEveryThreeSeconds", 1, 3}),
                         [](const ::testing::TestParamInfo<ExactRate>& p) {
                             return std::string(p.param.name);
                         });

TEST(OpenLoopSchedule, DoesNotDriftOverLongRuns) {
    // Adding a rounded 333,333,333 ns interval would lose 1 ms every million sends; the
    // schedule computes each time from its index instead.
    const OpenLoopSchedule three(3, 0, 0);
    EXPECT_EQ(three.due_ns(3'000'000), 1'000'000 * kSecond);
    EXPECT_EQ(three.due_ns(3 * 86'400), 86'400 * kSecond) << "a day at 3/s";
    const OpenLoopSchedule million(1e6, 0, 0);
    EXPECT_EQ(million.due_ns(3'600'000'000ull), 3'600 * kSecond) << "an hour at 1M/s";
    EXPECT_EQ(million.due_ns(3'600'000'001ull), 3'600 * kSecond + 1'000);
}

TEST(OpenLoopSchedule, IntervalIsRoundedToTheNearestNanosecond) {
    EXPECT_EQ(OpenLoopSchedule(1000, 0, 0).interval_ns(), 1'000'000u);
    EXPECT_EQ(OpenLoopSchedule(1e6, 0, 0).interval_ns(), 1'000u);
    EXPECT_EQ(OpenLoopSchedule(3, 0, 0).interval_ns(), 333'333'333u);
    EXPECT_EQ(OpenLoopSchedule(1.5, 0, 0).interval_ns(), 666'666'667u);
    EXPECT_EQ(OpenLoopSchedule(0.25, 0, 0).interval_ns(), 4 * kSecond);
}

TEST(OpenLoopSchedule, PhaseShiftsEverySendByAFractionOfTheInterval) {
    OpenLoopSchedule s(1000, 5 * kSecond, 0.25);
    for (std::uint64_t k = 0; k < 1000; ++k) {
        ASSERT_EQ(s.next_due_ns(), 5 * kSecond + 250'000 + k * 1'000'000) << k;
        s.advance();
    }
}

TEST(OpenLoopSchedule, ANegativeOrNonFinitePhaseCountsAsZero) {
    EXPECT_EQ(OpenLoopSchedule(1000, 7, -0.5).next_due_ns(), 7u);
    EXPECT_EQ(OpenLoopSchedule(1000, 7, std::numeric_limits<double>::quiet_NaN()).next_due_ns(),
              7u);
}

TEST(OpenLoopSchedule, ARateNotAboveZeroIsNeverDue) {
    for (double rate : {0.0, -5.0, std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::infinity()}) {
        OpenLoopSchedule s(rate, 0, 0);
        EXPECT_EQ(s.next_due_ns(), kNever) << rate;
        EXPECT_EQ(s.due_by(kNever), 0u) << rate;
        EXPECT_EQ(s.interval_ns(), kNever) << rate;
        s.advance();
        EXPECT_EQ(s.index(), 0u) << rate;
    }
}

TEST(OpenLoopSchedule, SaturatesInsteadOfWrappingAtTheEndOfTime) {
    const OpenLoopSchedule s(1, kNever - 10, 0);
    EXPECT_EQ(s.due_ns(0), kNever - 10);
    EXPECT_EQ(s.due_ns(1), kNever);
    EXPECT_EQ(s.due_by(kNever), 1u) << "only send 0 is ever due";
    EXPECT_EQ(OpenLoopSchedule(1e-9, 0, 0).due_ns(100), kNever);
}

// ---------------------------------------------------------------------------------------------
// due_by

struct DueByCase {
    std::uint64_t advanced;  // sends already made
    std::uint64_t now_ns;
    std::uint64_t expected;
};

class OpenLoopDueBy : public ::testing::TestWithParam<DueByCase> {};

TEST_P(OpenLoopDueBy, CountsSendsDueFromTheNextOneUpToNow) {
    // 1000/s from 1 s on: sends at 1.000 s, 1.001 s, 1.002 s, ...
    OpenLoopSchedule s(1000, kSecond, 0);
    for (std::uint64_t i = 0; i < GetParam().advanced; ++i) s.advance();
    EXPECT_EQ(s.due_by(GetParam().now_ns), GetParam().expected)
        << "after " << GetParam().advanced << " sends, at " << GetParam().now_ns;
}

INSTANTIATE_TEST_SUITE_P(
    Table, OpenLoopDueBy,
    ::testing::Values(DueByCase{0, 0, 0}, DueByCase{0, kSecond - 1, 0}, DueByCase{0, kSecond, 1},
                      DueByCase{0, kSecond + 999'999, 1}, DueByCase{0, kSecond + 1'000'000, 2},
                      DueByCase{2, kSecond + 1'000'000, 0}, DueByCase{2, kSecond + 10'500'000, 9},
                      DueByCase{0, 2 * kSecond, 1001}, DueByCase{1000, 2 * kSecond, 1},
                      DueByCase{1001, 2 * kSecond, 0}, DueByCase{5, kSecond + 4'000'000, 0}));

TEST(OpenLoopSchedule, DueByAgreesWithTheDueTimesAtRandomMoments) {
    std::mt19937_64 rng(99);
    for (double rate : {3.0, 7.0, 1e6, 2.5, 1.0 / 3, 333.333}) {
        for (double phase : {0.0, 0.5, 0.123}) {
            OpenLoopSchedule s(rate, 1'000, phase);
            for (int i = 0; i < 200; ++i) {
                const std::uint64_t now = s.next_due_ns() + rng() % (20 * s.interval_ns());
                std::uint64_t brute = 0;
                while (s.due_ns(s.index() + brute) <= now) ++brute;
                ASSERT_EQ(s.due_by(now), brute) << "rate " << rate << " phase " << phase;
                const std::uint64_t skip = rng() % 5;
                for (std::uint64_t j = 0; j < skip; ++j) s.advance();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Phases

TEST(ConnectionPhase, SpreadsConnectionsEvenlyOverOneInterval) {
    EXPECT_EQ(connection_phase(0, 4), 0.0);
    EXPECT_EQ(connection_phase(1, 4), 0.25);
    EXPECT_EQ(connection_phase(2, 4), 0.5);
    EXPECT_EQ(connection_phase(3, 4), 0.75);
    EXPECT_EQ(connection_phase(4, 4), 0.0) << "indexes wrap around";
    EXPECT_EQ(connection_phase(7, 0), 0.0);
    for (std::uint64_t i = 0; i < 100'000; i += 7) {
        const double p = connection_phase(i, 100'000);
        ASSERT_GE(p, 0.0);
        ASSERT_LT(p, 1.0);
    }
}

struct SpreadCase {
    std::uint64_t connections;
    double total_rate;
    std::uint64_t expected_gap_ns;
};

class PhasedConnections : public ::testing::TestWithParam<SpreadCase> {};

TEST_P(PhasedConnections, TogetherSendAtEvenlySpacedTimes) {
    const SpreadCase c = GetParam();
    const double each = c.total_rate / static_cast<double>(c.connections);
    std::vector<std::uint64_t> times;
    for (std::uint64_t i = 0; i < c.connections; ++i) {
        const OpenLoopSchedule s(each, 0, connection_phase(i, c.connections));
        for (std::uint64_t k = 0; k < 300; ++k) times.push_back(s.due_ns(k));
    }
    std::sort(times.begin(), times.end());
    for (std::size_t j = 1; j < times.size(); ++j) {
        ASSERT_EQ(times[j] - times[j - 1], c.expected_gap_ns)
            << "between sends " << j - 1 << " and " << j;
    }
}

INSTANTIATE_TEST_SUITE_P(Table, PhasedConnections,
                         ::testing::Values(SpreadCase{10, 1000, 1'000'000},
                                           SpreadCase{3, 1000, 1'000'000},
                                           SpreadCase{100, 1e6, 1'000},
                                           SpreadCase{8, 4, 250'000'000}));

// ---------------------------------------------------------------------------------------------
// Connect ramp

struct RampCase {
    double per_second;
    std::uint64_t elapsed_ns;  // since the ramp's start
    std::uint64_t expected;
};

class ConnectRampAllowed : public ::testing::TestWithParam<RampCase> {};

TEST_P(ConnectRampAllowed, CountsConnectionsThatMayHaveStarted) {
    const std::uint64_t start = 42 * kSecond;
    const ConnectRamp ramp(GetParam().per_second, start);
    EXPECT_EQ(ramp.allowed_by(start + GetParam().elapsed_ns), GetParam().expected)
        << GetParam().per_second << "/s after " << GetParam().elapsed_ns << " ns";
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConnectRampAllowed,
    ::testing::Values(RampCase{5000, 0, 1}, RampCase{5000, 199'999, 1}, RampCase{5000, 200'000, 2},
                      RampCase{5000, kSecond, 5001}, RampCase{5000, 10 * kSecond - 1, 50'000},
                      RampCase{3, kSecond - 1, 3}, RampCase{3, kSecond, 4},
                      RampCase{1e6, kSecond, 1'000'001}, RampCase{0.5, 3 * kSecond, 2},
                      RampCase{0, 0, kNever}, RampCase{0, kSecond, kNever}));

TEST(ConnectRamp, AllowsNothingBeforeItsStart) {
    EXPECT_EQ(ConnectRamp(5000, kSecond).allowed_by(kSecond - 1), 0u);
    EXPECT_EQ(ConnectRamp(0, kSecond).allowed_by(kSecond - 1), 0u) << "even when unlimited";
}

TEST(ConnectRamp, StartTimesAgreeWithAllowedCounts) {
    for (double rate : {3.0, 5000.0, 20'000.0, 1e6, 7.5}) {
        const ConnectRamp ramp(rate, 1'000);
        for (std::uint64_t n = 0; n < 20'000; ++n) {
            const std::uint64_t t = ramp.start_ns_of(n);
            ASSERT_GE(ramp.allowed_by(t), n + 1) << rate << "/s, connection " << n;
            ASSERT_LE(ramp.allowed_by(t - 1), n) << rate << "/s, connection " << n;
        }
    }
}

TEST(ConnectRamp, UnlimitedStartsEveryConnectionAtOnce) {
    const ConnectRamp ramp(0, 500);
    EXPECT_TRUE(ramp.unlimited());
    EXPECT_EQ(ramp.start_ns_of(0), 500u);
    EXPECT_EQ(ramp.start_ns_of(1'000'000), 500u);
    EXPECT_FALSE(ConnectRamp(10, 0).unlimited());
    EXPECT_TRUE(ConnectRamp(std::numeric_limits<double>::infinity(), 0).unlimited());
}

}  // namespace
}  // namespace wsb::loadgen
