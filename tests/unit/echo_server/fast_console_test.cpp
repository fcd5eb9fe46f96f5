// The fast engine's ConnMachine for the console: the operator's frame goes out as it is in
// echo mode and as a broadcast (under --max-send-queue) in broadcast mode, only to open
// connections; each connection counts its data messages in and out, and keeps its resource
// and offered subprotocol only when --console is on.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "echo_server/fast/conn_machine.hpp"
#include "fast_machine_fixture.hpp"
#include "wsbench/frame.hpp"

namespace wsb::echo::fast {
namespace {

using namespace test;

// The frame the console builds once for every client (FastServer::apply).
SharedFrame console_frame(const std::string& payload, bool text = true) {
    SharedFrame f;
    f.text = text;
    f.payload = payload.size();
    FrameHeader h;
    h.opcode = text ? Opcode::text : Opcode::binary;
    h.payload_length = payload.size();
    f.bytes.resize(encoded_header_size(h) + payload.size());
    const std::size_t pos = encode_header(h, f.bytes.data(), f.bytes.size());
    std::copy(payload.begin(), payload.end(), f.bytes.begin() + pos);
    return f;
}

TEST_F(FastConnMachine, ConsoleSendQueuesTheFrameAsItIsInEchoMode) {
    config.reply_prefix = "P:";  // for replies only
    make();
    open();
    machine->console_send(*c, console_frame("from the operator"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::text);
    EXPECT_EQ(frames[0].payload, "from the operator");
    EXPECT_EQ(c->messages_out, 1u);
    EXPECT_EQ(c->messages_in, 0u);
}

TEST_F(FastConnMachine, ConsoleSendKeepsAnUnwrittenReplyWhateverItsSize) {
    // Echo mode: `out` is not tracked frame by frame, so nothing queued may be dropped, even
    // beyond --max-send-queue (which is for broadcast mode).
    config.max_send_queue = 16;
    make();
    open();
    feed(client_frame(Opcode::binary, std::string(100, 'x')));
    machine->console_send(*c, console_frame("after"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].payload, std::string(100, 'x'));
    EXPECT_EQ(frames[1].payload, "after");
    EXPECT_EQ(c->phase, Phase::open);
}

TEST_F(FastConnMachine, ConsoleSendInBroadcastModeHoldsTheSendQueueLimit) {
    config.mode = Mode::broadcast;
    config.max_send_queue = 64;
    make();
    open();
    machine->console_send(*c, console_frame(std::string(100, 'y'), false));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(frames[0]), 1008);
}

TEST_F(FastConnMachine, ConsoleSendSkipsAConnectionThatIsNotOpen) {
    machine->console_send(*c, console_frame("too early"));  // still in its handshake
    EXPECT_TRUE(c->out.empty());
    open();
    machine->start_close(*c, 1000, "");
    take();
    machine->console_send(*c, console_frame("too late"));
    EXPECT_TRUE(c->out.empty());
    EXPECT_EQ(c->messages_out, 0u);
}

TEST_F(FastConnMachine, CountsDataMessagesInAndOut) {
    open();
    feed(client_frame(Opcode::text, "a") + client_frame(Opcode::ping, "p") +
         client_frame(Opcode::binary, "b"));
    take();
    EXPECT_EQ(c->messages_in, 2u);  // pings are not messages
    EXPECT_EQ(c->messages_out, 2u);
}

TEST_F(FastConnMachine, KeepsResourceAndSubprotocolOnlyWithTheConsole) {
    open();
    EXPECT_EQ(c->labels, nullptr);
    config.console = true;
    make();
    ClientRequest req;
    req.host = "127.0.0.1";
    req.port = 9001;
    req.resource = "/chat?room=1";
    req.key = key;
    req.subprotocols = {"chat", "superchat"};
    feed(build_client_request(req));
    ASSERT_EQ(c->phase, Phase::open);
    ASSERT_NE(c->labels, nullptr);
    EXPECT_EQ(c->labels->resource, "/chat?room=1");
    EXPECT_EQ(c->labels->subprotocol, "chat, superchat");
}

}  // namespace
}  // namespace wsb::echo::fast
