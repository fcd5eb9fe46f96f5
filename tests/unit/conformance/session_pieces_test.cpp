// The conformance Session's pieces that need no socket: the plan of its writes (SendQueue), the
// octets of a case's frames (frame_bytes.hpp) and the wire log's texts (wire_log.hpp).
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "conformance/frame_bytes.hpp"
#include "conformance/send_queue.hpp"
#include "conformance/wire_log.hpp"

namespace wsb::conformance {
namespace {

std::shared_ptr<const std::string> bytes(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

std::string written(const std::vector<asio::const_buffer>& gather) {
    std::string out;
    for (const auto& b : gather) out.append(static_cast<const char*>(b.data()), b.size());
    return out;
}

TEST(SendQueue, ChopsAreWrittenOneByOneEachAlone) {
    SendQueue q;
    q.push(bytes("abcdefg"), 3, false);
    ASSERT_EQ(q.size(), 3u);
    std::vector<asio::const_buffer> gather;
    for (const char* piece : {"abc", "def", "g"}) {
        const SendQueue::Write w = q.next(gather);
        EXPECT_EQ(w.pieces, 1u);
        EXPECT_TRUE(w.alone);
        EXPECT_EQ(written(gather), piece);
        EXPECT_EQ(q.front(), piece);
        q.pop(w.pieces);
    }
    EXPECT_TRUE(q.empty());
}

TEST(SendQueue, JoinsWholeFramesUpToOneThatGoesAlone) {
    SendQueue q;
    q.push(bytes("one"), 0, false);
    q.push(bytes("two"), 0, false);
    q.push(bytes("sync"), 0, true);
    q.push(bytes("last"), 0, false);
    std::vector<asio::const_buffer> gather;
    SendQueue::Write w = q.next(gather);
    EXPECT_EQ(w.pieces, 2u);
    EXPECT_EQ(w.octets, 6u);
    EXPECT_FALSE(w.alone);
    EXPECT_EQ(written(gather), "onetwo");
    EXPECT_EQ(q.front(), "one");
    q.pop(w.pieces);
    w = q.next(gather);
    EXPECT_TRUE(w.alone);
    EXPECT_EQ(written(gather), "sync");
    q.pop(w.pieces);
    w = q.next(gather);
    EXPECT_FALSE(w.alone);
    EXPECT_EQ(written(gather), "last");
    q.pop(w.pieces);
    EXPECT_TRUE(q.empty());
}

TEST(FrameBytes, RepeatsThePayloadToTheLengthAndMasksIt) {
    FrameHeader h;
    h.opcode = Opcode::binary;
    h.masked = true;
    h.mask_key = {1, 2, 3, 4};
    h.payload_length = 5;
    std::string frame = encode_case_frame(h, "ab");
    ASSERT_EQ(frame.size(), 2u + 4u + 5u);
    EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x82);
    EXPECT_EQ(static_cast<unsigned char>(frame[1]), 0x80 | 5);
    auto* payload = reinterpret_cast<std::uint8_t*>(frame.data()) + 6;
    apply_mask(payload, 5, h.mask_key);
    EXPECT_EQ(frame.substr(6), "ababa");
}

TEST(FrameBytes, AnEmptyPayloadRepeatedIsZeros) {
    FrameHeader h;
    h.opcode = Opcode::text;
    h.payload_length = 3;
    EXPECT_EQ(encode_case_frame(h, ""), std::string("\x81\x03\0\0\0", 5));
}

TEST(FrameBytes, FragmentsAreFramesBackToBackTheLastWithFin) {
    EXPECT_EQ(encode_fragments(false, "Hello", 2, nullptr),
              std::string("\x01\x02He\x00\x02ll\x80\x01o", 11));
    const std::string masked = encode_fragments(true, "abc", 2, [] {
        return std::array<std::uint8_t, 4>{0, 0, 0, 0};
    });
    EXPECT_EQ(masked, std::string("\x02\x82\0\0\0\0ab\x80\x81\0\0\0\0c", 15));
}

TEST(WireLog, SummaryLineNamesOnlyThePartsThatApply) {
    EXPECT_EQ(summary_line({1, true, 0, true, 13, "Hello, world!", 0, false}),
              "opcode=1 fin=1 rsv=0 masked=1 length=13 payload='Hello, world!'");
    EXPECT_EQ(summary_line({2, false, 4, false, 200, std::string("\x01z", 2), 1, true}),
              "opcode=2 fin=0 rsv=4 masked=0 length=200 chop=1 sync payload='.z'");
}

TEST(WireLog, HexPrefixAndPrintableAreCut) {
    const std::uint8_t data[] = {0x00, 0xab, 0xff};
    EXPECT_EQ(hex_prefix(data, 3), "00abff");
    EXPECT_EQ(hex_prefix(data, 3, 2), "00ab...");
    EXPECT_EQ(printable("abc\x7f", 32), "abc.");
    EXPECT_EQ(printable(std::string(40, 'x')), std::string(32, 'x') + "...");
}

}  // namespace
}  // namespace wsb::conformance
