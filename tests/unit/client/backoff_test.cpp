// Reconnection delays: exponential from the minimum, capped, jittered within [base/2, base],
// never zero (no busy loop), back to the minimum after reset().
#include "client/backoff.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace wsb::client {
namespace {

using Millis = std::chrono::milliseconds;

TEST(ClientBackoff, BaseDoublesUpToTheCap) {
    Backoff b(Millis(250), Millis(2000));
    std::mt19937 rng(1);
    const Millis expected[] = {Millis(250),  Millis(500),  Millis(1000),
                               Millis(2000), Millis(2000), Millis(2000)};
    for (const Millis e : expected) {
        EXPECT_EQ(b.base(), e);
        (void)b.next(rng);
    }
    EXPECT_EQ(b.attempts(), 6u);
}

TEST(ClientBackoff, DelaysStayWithinHalfToFullBaseAndVary) {
    std::mt19937 rng(7);
    std::set<long> seen;
    for (int run = 0; run < 200; ++run) {
        Backoff b(Millis(100), Millis(30000));
        for (int i = 0; i < 12; ++i) {
            const Millis base = b.base();
            const Millis d = b.next(rng);
            ASSERT_GE(d, base / 2) << "attempt " << i;
            ASSERT_LE(d, base) << "attempt " << i;
            if (i == 0) seen.insert(d.count());
        }
    }
    EXPECT_GT(seen.size(), 10u) << "jitter must spread clients apart";
}

TEST(ClientBackoff, ManyAttemptsDoNotOverflowAndStayAtTheCap) {
    Backoff b(Millis(1), Millis(60000));
    std::mt19937 rng(3);
    for (int i = 0; i < 10000; ++i) (void)b.next(rng);
    EXPECT_EQ(b.base(), Millis(60000));
    EXPECT_GE(b.next(rng), Millis(30000));
}

TEST(ClientBackoff, ResetStartsFromTheMinimumAgain) {
    Backoff b(Millis(250), Millis(30000));
    std::mt19937 rng(5);
    for (int i = 0; i < 5; ++i) (void)b.next(rng);
    b.reset();
    EXPECT_EQ(b.attempts(), 0u);
    EXPECT_EQ(b.base(), Millis(250));
}

}  // namespace
}  // namespace wsb::client
