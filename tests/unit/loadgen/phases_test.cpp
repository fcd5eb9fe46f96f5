// PhasePlan: open-model arrivals along linear ramps and closed-model users, divided exactly
// between the shards of a run and the workers of each.
#include "loadgen/phases.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace wsb::loadgen {
namespace {

using namespace std::chrono_literals;

scenario::Phase open_phase(std::chrono::nanoseconds d, double from, double to) {
    scenario::Phase p;
    p.duration = d;
    p.open = true;
    p.arrival_rate = from;
    p.ramp_to = to;
    return p;
}

scenario::Phase closed_phase(std::chrono::nanoseconds d, std::uint64_t users) {
    scenario::Phase p;
    p.duration = d;
    p.users = users;
    return p;
}

std::vector<PhaseNs> all_arrivals(PhasePlan plan) {
    std::vector<PhaseNs> out;
    for (PhaseNs t = plan.next_arrival(); t >= 0; t = plan.next_arrival()) out.push_back(t);
    return out;
}

TEST(ArrivalTime, ConstantRampedAndRampedDownRates) {
    EXPECT_DOUBLE_EQ(arrival_time(50, 50, 10, 0), 0);
    EXPECT_DOUBLE_EQ(arrival_time(50, 50, 10, 100), 2.0);
    // 0 -> 100/s over 10 s: k = 5 t^2, so 125 arrivals by 5 s.
    EXPECT_NEAR(arrival_time(0, 100, 10, 125), 5.0, 1e-9);
    // 100 -> 0/s over 10 s: 500 arrivals in all, the 500th exactly at the end.
    EXPECT_NEAR(arrival_time(100, 0, 10, 500), 10.0, 1e-6);
    EXPECT_LT(arrival_time(100, 0, 10, 501), 0);
}

TEST(PhasePlan, ARampStartsTheSessionsItsRatesIntegrateTo) {
    // 50 -> 200/s over 10 s: (50 + 200) / 2 * 10 = 1250 sessions, denser towards the end.
    const std::vector<PhaseNs> a = all_arrivals(PhasePlan({open_phase(10s, 50, 200)}, 0, 1, 0, 1));
    ASSERT_EQ(a.size(), 1250u);
    EXPECT_EQ(a.front(), 0);
    EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
    EXPECT_LT(a.back(), 10'000'000'000);
    const auto first_second =
        std::count_if(a.begin(), a.end(), [](PhaseNs t) { return t < 1'000'000'000; });
    EXPECT_NEAR(static_cast<double>(first_second), 57.5, 1.0);  // 50 + 15/2
}

TEST(PhasePlan, ShardsAndWorkersShareTheArrivalsExactly) {
    const std::vector<scenario::Phase> phases = {open_phase(2s, 30, 90), closed_phase(1s, 5),
                                                 open_phase(1s, 40, 40)};
    std::vector<PhaseNs> whole = all_arrivals(PhasePlan(phases, 0, 1, 0, 1));
    ASSERT_EQ(whole.size(), 120u + 40u);
    std::vector<PhaseNs> parts;
    for (std::uint64_t shard = 0; shard < 3; ++shard) {
        for (unsigned w = 0; w < 2; ++w) {
            const auto a = all_arrivals(PhasePlan(phases, shard, 3, w, 2));
            parts.insert(parts.end(), a.begin(), a.end());
        }
    }
    std::sort(parts.begin(), parts.end());
    EXPECT_EQ(parts, whole);
    // The third phase's arrivals start at its own start.
    EXPECT_EQ(whole[120], 3'000'000'000);
}

TEST(PhasePlan, ClosedUsersAreDealtToShardsAndWorkers) {
    const std::vector<scenario::Phase> phases = {closed_phase(1s, 10), open_phase(1s, 5, 5)};
    std::vector<std::uint64_t> all;
    for (std::uint64_t shard = 0; shard < 2; ++shard) {
        for (unsigned w = 0; w < 3; ++w) {
            const auto u = PhasePlan(phases, shard, 2, w, 3).users(0);
            for (std::uint64_t id : u) EXPECT_EQ(id % 2, shard);
            all.insert(all.end(), u.begin(), u.end());
        }
    }
    std::sort(all.begin(), all.end());
    std::vector<std::uint64_t> expected(10);
    for (std::uint64_t i = 0; i < 10; ++i) expected[i] = i;
    EXPECT_EQ(all, expected);
    EXPECT_TRUE(PhasePlan(phases, 0, 1, 0, 1).users(1).empty());
}

TEST(PhasePlan, PhaseAtFollowsTheDurations) {
    const PhasePlan plan({closed_phase(1s, 1), open_phase(2s, 1, 1)}, 0, 1, 0, 1);
    EXPECT_EQ(plan.end(), 3'000'000'000);
    EXPECT_EQ(plan.phase_at(0), 0u);
    EXPECT_EQ(plan.phase_at(999'999'999), 0u);
    EXPECT_EQ(plan.phase_at(1'000'000'000), 1u);
    EXPECT_EQ(plan.phase_at(3'000'000'000), 2u);
}

}  // namespace
}  // namespace wsb::loadgen
