// The fast engine's timeout lists: ordering by deadline, moves between lists, expiry.
#include <gtest/gtest.h>

#include <vector>

#include "echo_server/fast/timer_list.hpp"

namespace wsb::echo::fast {
namespace {

struct Item : TimerHook<Item> {
    int id = 0;
};

std::vector<int> ids(const TimerList<Item>& l) {
    std::vector<int> out;
    for (const Item* i = l.front(); i; i = i->tnext) out.push_back(i->id);
    return out;
}

TEST(FastTimerList, StartsEmpty) {
    TimerList<Item> l(100);
    EXPECT_TRUE(l.empty());
    EXPECT_EQ(l.front(), nullptr);
    EXPECT_EQ(l.expired(1'000'000), nullptr);
    EXPECT_EQ(l.timeout_ns(), 100);
}

TEST(FastTimerList, PushSetsTheDeadlineAndKeepsArrivalOrder) {
    TimerList<Item> l(100);
    Item a, b, c;
    a.id = 1, b.id = 2, c.id = 3;
    l.push(a, 10);
    l.push(b, 20);
    l.push(c, 30);
    EXPECT_EQ(a.deadline_ns, 110);
    EXPECT_EQ(c.deadline_ns, 130);
    EXPECT_EQ(ids(l), (std::vector<int>{1, 2, 3}));
    EXPECT_TRUE(l.contains(b));
}

TEST(FastTimerList, PushAgainMovesToTheBackWithANewDeadline) {
    TimerList<Item> l(100);
    Item a, b;
    a.id = 1, b.id = 2;
    l.push(a, 0);
    l.push(b, 5);
    l.push(a, 50);  // activity: the deadline moves
    EXPECT_EQ(ids(l), (std::vector<int>{2, 1}));
    EXPECT_EQ(a.deadline_ns, 150);
}

TEST(FastTimerList, ExpiredIsTheFrontOnceItsDeadlinePassed) {
    TimerList<Item> l(100);
    Item a, b;
    l.push(a, 0);
    l.push(b, 50);
    EXPECT_EQ(l.expired(99), nullptr);
    EXPECT_EQ(l.expired(100), &a);
    TimerList<Item>::remove(a);
    EXPECT_EQ(l.expired(149), nullptr);
    EXPECT_EQ(l.expired(150), &b);
}

TEST(FastTimerList, RemoveUnlinksFromAnyPosition) {
    TimerList<Item> l(1);
    Item a, b, c;
    a.id = 1, b.id = 2, c.id = 3;
    l.push(a, 0);
    l.push(b, 0);
    l.push(c, 0);
    TimerList<Item>::remove(b);  // middle
    EXPECT_EQ(ids(l), (std::vector<int>{1, 3}));
    EXPECT_FALSE(l.contains(b));
    EXPECT_EQ(b.tprev, nullptr);
    EXPECT_EQ(b.tnext, nullptr);
    TimerList<Item>::remove(c);  // tail
    TimerList<Item>::remove(a);  // head, now the last
    EXPECT_TRUE(l.empty());
    TimerList<Item>::remove(a);  // not in a list: nothing happens
    l.push(b, 0);                // the list still works after emptying
    EXPECT_EQ(ids(l), (std::vector<int>{2}));
}

TEST(FastTimerList, ANodeIsInOneListAtATime) {
    TimerList<Item> handshakes(10);
    TimerList<Item> closings(20);
    Item a, b;
    a.id = 1, b.id = 2;
    handshakes.push(a, 0);
    handshakes.push(b, 0);
    closings.push(a, 5);  // leaves handshakes
    EXPECT_EQ(ids(handshakes), (std::vector<int>{2}));
    EXPECT_EQ(ids(closings), (std::vector<int>{1}));
    EXPECT_TRUE(closings.contains(a));
    EXPECT_FALSE(handshakes.contains(a));
    EXPECT_EQ(a.deadline_ns, 25);
}

}  // namespace
}  // namespace wsb::echo::fast
