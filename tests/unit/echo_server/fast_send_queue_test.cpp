// The fast engine's broadcast send queue (--max-send-queue): a client that stops reading is
// closed with 1008 right after the frame being written, whole messages only are dropped,
// and what it will not get is counted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fast_machine_fixture.hpp"

namespace wsb::echo::fast {
namespace {

using namespace test;

/// A broadcast frame as the machine builds it: a binary message of `payload` bytes.
SharedFrame binary_frame(std::size_t payload, char fill) {
    SharedFrame f;
    FrameHeader h;
    h.opcode = Opcode::binary;
    h.payload_length = payload;
    f.bytes.resize(kMaxFrameHeaderSize + payload);
    const std::string body(payload, fill);
    f.bytes.resize(encode_frame(h, body.data(), body.size(), f.bytes.data(), f.bytes.size()));
    f.payload = payload;
    return f;
}

class FastSendQueue : public FastConnMachine {
  protected:
    void SetUp() override {
        config.mode = Mode::broadcast;
        config.max_send_queue = 200;
        make();
        open();
    }

    /// The socket takes the first `n` queued bytes; they are kept as the client's stream.
    void write_out(std::size_t n) {
        stream.append(reinterpret_cast<const char*>(c->out.data()), n);
        machine->written(*c, n);
    }

    nlohmann::json undelivered() { return stats.snapshot()["send_queue_full"]["undelivered"]; }

    std::string stream;  // what the client has been written so far
};

TEST_F(FastSendQueue, QueuesUpToTheLimitAndClosesWith1008Beyond) {
    const SharedFrame f = binary_frame(98, 'a');  // 100 bytes with its header
    machine->broadcast_to(*c, f);
    machine->broadcast_to(*c, f);  // 200 queued: exactly the limit
    EXPECT_EQ(c->phase, Phase::open);
    machine->broadcast_to(*c, f);  // 300 would pass it
    EXPECT_EQ(c->phase, Phase::closing);
    EXPECT_EQ(c->local_code, 1008);
    EXPECT_TRUE(machine->closings().contains(*c));
    const auto doc = stats.snapshot();
    EXPECT_EQ(doc["connections"]["closed_by_policy"], 1);
    EXPECT_EQ(doc["send_queue_full"]["closed"], 1);
    // Nothing was written yet: every queued message is dropped, the close alone remains.
    EXPECT_EQ(undelivered(), (nlohmann::json{{"messages", 3}, {"bytes", 294}}));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(frames[0]), 1008);
}

TEST_F(FastSendQueue, KeepsTheFrameBeingWrittenAndDropsWholeMessagesAfterIt) {
    const SharedFrame a = binary_frame(40, 'a'), b = binary_frame(40, 'b');
    const SharedFrame d = binary_frame(40, 'd'), e = binary_frame(40, 'e');
    for (const SharedFrame* f : {&a, &b, &d, &e}) machine->broadcast_to(*c, *f);  // 168
    write_out(50);  // all of a, 8 bytes of b
    EXPECT_EQ(c->frame_rest, 34u);
    EXPECT_EQ(c->front_payload, 40u);
    machine->broadcast_to(*c, a);  // 160 unsent: fits
    machine->broadcast_to(*c, b);  // 202 would not
    ASSERT_EQ(c->phase, Phase::closing);
    // d, e, a and the b that passed the limit are dropped; the rest of b stays.
    EXPECT_EQ(undelivered(), (nlohmann::json{{"messages", 4}, {"bytes", 160}}));
    write_out(c->out.size());
    const auto frames = parse_frames(stream);
    ASSERT_EQ(frames.size(), 3u) << "a, b, then the close";
    EXPECT_EQ(frames[0].payload, std::string(40, 'a'));
    EXPECT_EQ(frames[1].payload, std::string(40, 'b'));
    EXPECT_EQ(frames[2].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(frames[2]), 1008);
}

TEST_F(FastSendQueue, TracksFrameEndsAcrossWritesOfAnySize) {
    const SharedFrame f = binary_frame(30, 'x');  // 32 bytes
    for (int i = 0; i < 6; ++i) machine->broadcast_to(*c, f);
    for (std::size_t n : {1u, 31u, 33u, 2u, 60u}) {
        write_out(n);
        EXPECT_EQ(c->frame_rest, (32 - stream.size() % 32) % 32) << "after " << stream.size();
    }
    write_out(c->out.size());
    EXPECT_EQ(c->frame_rest, 0u);
    EXPECT_EQ(parse_frames(stream).size(), 6u);
}

TEST_F(FastSendQueue, ResetsAndCountsTheMessageCutWhenTheCloseGoesUnanswered) {
    const SharedFrame f = binary_frame(98, 'a');
    machine->broadcast_to(*c, f);
    machine->broadcast_to(*c, f);
    write_out(10);
    machine->broadcast_to(*c, f);  // 290 unsent: closes, keeps the first message's rest
    ASSERT_EQ(c->phase, Phase::closing);
    EXPECT_EQ(undelivered(), (nlohmann::json{{"messages", 2}, {"bytes", 196}}));
    host.now += config.close_timeout.count() * kMs;
    machine->sweep(host.now);
    ASSERT_EQ(host.closed, std::vector<std::string>{"close timeout"});
    EXPECT_TRUE(c->reset) << "its output was never taken: the worker resets TCP";
    EXPECT_EQ(undelivered(), (nlohmann::json{{"messages", 3}, {"bytes", 294}}));
}

TEST_F(FastSendQueue, AClientThatAnswersTheCloseLosesNothingMore) {
    const SharedFrame f = binary_frame(98, 'a');
    for (int i = 0; i < 3; ++i) machine->broadcast_to(*c, f);
    ASSERT_EQ(c->phase, Phase::closing);
    take();
    feed(client_frame(Opcode::close, close_payload(1008)));
    take();
    EXPECT_EQ(c->phase, Phase::dead);
    EXPECT_FALSE(c->reset);
    EXPECT_EQ(undelivered(), (nlohmann::json{{"messages", 3}, {"bytes", 294}}));
}

TEST_F(FastSendQueue, EchoModeKeepsNoFrameBookkeeping) {
    config.mode = Mode::echo;
    make();
    open();
    feed(client_frame(Opcode::text, "hello"));
    machine->written(*c, 3);
    EXPECT_EQ(c->frame_rest, 0u);
}

}  // namespace
}  // namespace wsb::echo::fast
