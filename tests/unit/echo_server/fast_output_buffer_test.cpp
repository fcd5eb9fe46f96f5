// The fast engine's output queue: append, consume from the front, reuse and release.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "echo_server/fast/output_buffer.hpp"

namespace wsb::echo::fast {
namespace {

std::string contents(const OutputBuffer& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(FastOutputBuffer, StartsEmptyWithoutStorage) {
    OutputBuffer b;
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.capacity(), 0u);
    b.append("", 0);  // nothing to append allocates nothing
    EXPECT_EQ(b.capacity(), 0u);
}

TEST(FastOutputBuffer, AppendsAndConsumesInOrder) {
    OutputBuffer b;
    b.append("hello ", 6);
    b.append("world", 5);
    EXPECT_EQ(contents(b), "hello world");
    b.consume(6);
    EXPECT_EQ(contents(b), "world");
    b.consume(5);
    EXPECT_TRUE(b.empty());
}

TEST(FastOutputBuffer, ReserveAndCommitWriteInPlace) {
    OutputBuffer b;
    std::uint8_t* p = b.reserve(100);
    ASSERT_GE(b.capacity(), 100u);
    std::memcpy(p, "abc", 3);
    b.commit(3);  // only what was written counts
    EXPECT_EQ(contents(b), "abc");
}

TEST(FastOutputBuffer, GrowsKeepingTheUnsentBytes) {
    OutputBuffer b;
    b.append("0123456789", 10);
    b.consume(4);
    const std::string big(10000, 'x');
    b.append(big.data(), big.size());
    EXPECT_EQ(contents(b), "456789" + big);
}

TEST(FastOutputBuffer, ReusesTheConsumedFrontBeforeGrowing) {
    OutputBuffer b;
    const std::string first(200, 'a');
    b.append(first.data(), first.size());  // capacity 256
    const std::size_t cap = b.capacity();
    b.consume(190);  // 10 live bytes, 190 free at the front
    b.append(std::string(100, 'b').data(), 100);
    EXPECT_EQ(b.capacity(), cap);
    EXPECT_EQ(contents(b), std::string(10, 'a') + std::string(100, 'b'));
}

TEST(FastOutputBuffer, NeverDoublesPastTheCapacityHintWhileTheFrontCanBeReused) {
    OutputBuffer b;
    const std::string chunk(1000, 'c');
    for (int i = 0; i < 4; ++i) b.append(chunk.data(), chunk.size(), 4096);
    const std::size_t cap = b.capacity();
    EXPECT_LE(cap, 4096u);
    b.consume(1000);  // a little read: 3000 live, 1000 (over an eighth) free at the front
    b.append(chunk.data(), chunk.size(), 4096);
    EXPECT_EQ(b.capacity(), cap) << "the front is reused rather than the storage doubled";
    EXPECT_EQ(contents(b), std::string(4000, 'c'));
    b.append(chunk.data(), chunk.size(), 4096);  // 5000 live: it must grow, to what it needs
    EXPECT_EQ(contents(b).size(), 5000u);
    EXPECT_LT(b.capacity(), 2 * cap);
}

TEST(FastOutputBuffer, AReaderDrainingALittleAtATimeCostsABoundedCopyPerByte) {
    // A queue held near its 64 KiB hint, the reader taking 64 bytes per 64 appended: moving
    // the whole queue to reclaim each 64 bytes would move ~60 KiB per message (600 MB here).
    constexpr std::size_t kHint = 64 * 1024;
    OutputBuffer b;
    const std::string fill(kHint - 4096, 'f');
    b.append(fill.data(), fill.size(), kHint);
    const std::string msg(64, 'm');
    std::uint64_t appended = 0;
    for (int i = 0; i < 10000; ++i) {
        b.consume(64);
        b.append(msg.data(), msg.size(), kHint);
        appended += msg.size();
    }
    EXPECT_EQ(b.size(), fill.size());
    EXPECT_LE(b.bytes_moved(), 8 * appended + kHint) << "moves in proportion to what came in";
    EXPECT_LE(b.capacity(), kHint + kHint / 8) << "and the storage stays near the hint";
    // The order is kept: the fill is gone, the last messages remain.
    std::string tail = contents(b).substr(b.size() - 64);
    EXPECT_EQ(tail, msg);
}

TEST(FastOutputBuffer, TruncateDropsTheTailOnly) {
    OutputBuffer b;
    b.append("abcdef", 6);
    b.consume(1);
    b.truncate(3);
    EXPECT_EQ(contents(b), "bcd");
    b.truncate(10);
    EXPECT_EQ(contents(b), "bcd");
    b.truncate(0);
    EXPECT_TRUE(b.empty());
}

TEST(FastOutputBuffer, TrimFreesOnlyAnEmptyBufferAboveTheLimit) {
    OutputBuffer b;
    b.append(std::string(1000, 'z').data(), 1000);
    b.trim(0);
    EXPECT_GT(b.capacity(), 0u) << "not empty: kept";
    b.consume(1000);
    b.trim(4096);
    EXPECT_GT(b.capacity(), 0u) << "small enough: kept";
    b.trim(0);
    EXPECT_EQ(b.capacity(), 0u);
    b.append("x", 1);  // usable again
    EXPECT_EQ(contents(b), "x");
}

}  // namespace
}  // namespace wsb::echo::fast
