// The echo server's statistics: per-thread shards summed into the /stats JSON.
#include "echo_server/stats.hpp"

#include <gtest/gtest.h>

#include <new>
#include <nlohmann/json.hpp>
#include <thread>

namespace wsb::echo {
namespace {

TEST(EchoStats, StartsAtZeroWithEveryField) {
    const Stats stats(2);
    const nlohmann::json doc = stats.snapshot();
    for (const char* key : {"open", "accepted", "rejected", "handshake_failed", "closed_by_policy"})
        EXPECT_EQ(doc["connections"][key], 0) << key;
    for (const char* dir : {"in", "out"}) {
        EXPECT_EQ(doc[dir]["messages"], 0) << dir;
        EXPECT_EQ(doc[dir]["bytes"], 0) << dir;
        EXPECT_EQ(doc[dir]["text"]["messages"], 0) << dir;
        EXPECT_EQ(doc[dir]["binary"]["bytes"], 0) << dir;
    }
    EXPECT_EQ(doc["send_queue_full"],
              (nlohmann::json{{"closed", 0}, {"undelivered", {{"messages", 0}, {"bytes", 0}}}}));
    EXPECT_TRUE(doc["close_codes"].is_object());
    EXPECT_TRUE(doc["close_codes"].empty());
    EXPECT_GE(doc["uptime_s"].get<double>(), 0.0);
}

TEST(EchoStats, CountsConnectionEvents) {
    Stats stats(1);
    stats.on_accepted();
    stats.on_accepted();
    stats.on_accepted();
    stats.on_rejected();
    stats.on_handshake_failed();
    stats.on_open();
    stats.on_open();
    stats.on_send_queue_close(3, 300);
    stats.on_undelivered(1, 50);
    EXPECT_EQ(stats.open(), 2u);
    const nlohmann::json c = stats.snapshot()["connections"];
    EXPECT_EQ(c["accepted"], 3);
    EXPECT_EQ(c["rejected"], 1);
    EXPECT_EQ(c["handshake_failed"], 1);
    EXPECT_EQ(c["open"], 2);
    EXPECT_EQ(c["closed_by_policy"], 1);
    EXPECT_EQ(stats.snapshot()["send_queue_full"],
              (nlohmann::json{{"closed", 1}, {"undelivered", {{"messages", 4}, {"bytes", 350}}}}));
}

TEST(EchoStats, CountsCloseCodesAndClosesLeaveOpen) {
    Stats stats(1);
    for (int i = 0; i < 3; ++i) stats.on_open();
    stats.on_close(1000);
    stats.on_close(1000);
    stats.on_close(1009);
    const nlohmann::json doc = stats.snapshot();
    EXPECT_EQ(doc["connections"]["open"], 0);
    EXPECT_EQ(doc["close_codes"], (nlohmann::json{{"1000", 2}, {"1009", 1}}));
}

TEST(EchoStats, SumsMessagesAndBytesByTypeAndDirection) {
    Stats stats(1);
    StatsShard& s = stats.shard();
    s.in[0].add(5);    // text
    s.in[0].add(7);    // text
    s.in[1].add(100);  // binary
    s.out[0].add(12);
    const nlohmann::json doc = stats.snapshot();
    EXPECT_EQ(doc["in"]["text"], (nlohmann::json{{"messages", 2}, {"bytes", 12}}));
    EXPECT_EQ(doc["in"]["binary"], (nlohmann::json{{"messages", 1}, {"bytes", 100}}));
    EXPECT_EQ(doc["in"]["messages"], 3);
    EXPECT_EQ(doc["in"]["bytes"], 112);
    EXPECT_EQ(doc["out"]["messages"], 1);
    EXPECT_EQ(doc["out"]["binary"]["messages"], 0);
}

TEST(EchoStats, EachThreadGetsItsOwnShardAndTheSnapshotSumsThem) {
    Stats stats(2);
    StatsShard* first = nullptr;
    StatsShard* second = nullptr;
    std::thread a([&] {
        first = &stats.shard();
        EXPECT_EQ(&stats.shard(), first) << "the same shard on every call";
        first->in[1].add(10);
    });
    a.join();
    std::thread b([&] {
        second = &stats.shard();
        second->in[1].add(20);
    });
    b.join();
    EXPECT_NE(first, second);
    EXPECT_EQ(stats.snapshot()["in"]["binary"], (nlohmann::json{{"messages", 2}, {"bytes", 30}}));
}

TEST(EchoStats, MoreThreadsThanShardsShareWithoutLosingCounts) {
    Stats stats(1);
    std::thread a([&] { stats.shard().out[0].add(1); });
    std::thread b([&] { stats.shard().out[0].add(2); });
    a.join();
    b.join();
    EXPECT_EQ(stats.snapshot()["out"]["text"], (nlohmann::json{{"messages", 2}, {"bytes", 3}}));
}

TEST(EchoStats, AStatsMadeWhereAnotherLivedGetsItsOwnShard) {
    // shard() caches per thread; a new Stats at a destroyed one's address must not reuse it.
    alignas(Stats) unsigned char storage[sizeof(Stats)];
    auto* first = new (storage) Stats(1);
    first->shard().in[0].add(1);
    first->~Stats();
    auto* second = new (storage) Stats(1);
    second->shard().in[0].add(2);
    EXPECT_EQ(second->snapshot()["in"]["text"], (nlohmann::json{{"messages", 1}, {"bytes", 2}}));
    second->~Stats();
}

}  // namespace
}  // namespace wsb::echo
