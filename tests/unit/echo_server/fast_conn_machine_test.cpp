// The fast engine's connection state machine without sockets: handshake bytes and frames
// go in, the bytes it queues for the client are read back, and a fake host stands in for
// the worker (clock, flushes, closes, admission, broadcast).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "echo_server/config.hpp"
#include "echo_server/deflate.hpp"
#include "echo_server/fast/conn_machine.hpp"
#include "echo_server/stats.hpp"
#include "fast_machine_fixture.hpp"
#include "wsbench/close.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::echo::fast {
namespace {

using namespace test;

// --- the opening handshake (RFC 6455 §4.2) -------------------------------------------------

TEST_F(FastConnMachine, StartWaitsForTheHeadWithinTheHandshakeTimeout) {
    EXPECT_EQ(c->phase, Phase::handshake);
    EXPECT_TRUE(machine->handshakes().contains(*c));
    EXPECT_EQ(c->deadline_ns, host.now + config.handshake_timeout.count() * kMs);
}

TEST_F(FastConnMachine, AnswersTheHandshakeWith101AndTheAcceptKey) {
    feed(request());
    ASSERT_EQ(machine->dirty().size(), 1u);
    EXPECT_TRUE(c->release_out) << "the response buffer is freed once written";
    const std::string head = take();
    HttpResponse resp;
    std::size_t size = 0;
    ASSERT_EQ(parse_http_response(head, resp, size), Errc::ok);
    EXPECT_EQ(size, head.size()) << "nothing behind the head";
    EXPECT_EQ(resp.status, 101);
    EXPECT_EQ(resp.headers.combined("Sec-WebSocket-Accept"), compute_accept_key(key));
    EXPECT_EQ(resp.headers.combined("Server"), server_agent());
    EXPECT_EQ(c->phase, Phase::open);
    EXPECT_FALSE(machine->handshakes().contains(*c));
    EXPECT_FALSE(machine->idles().contains(*c)) << "--idle-timeout 0: no idle deadline";
    EXPECT_EQ(c->head, nullptr);
    EXPECT_EQ(c->out.capacity(), 0u) << "a connection at rest keeps no output buffer";
    EXPECT_EQ(stats.snapshot()["connections"]["open"], 1);
    EXPECT_EQ(host.admitted, 1u);
}

TEST_F(FastConnMachine, AnswersAHandshakeSplitAtEveryByte) {
    const std::string whole = request();
    for (std::size_t split = 1; split < whole.size(); ++split) {
        make();
        feed(whole.substr(0, split));
        EXPECT_EQ(c->phase, Phase::handshake) << split;
        EXPECT_TRUE(c->out.empty()) << split;
        feed(whole.substr(split));
        ASSERT_EQ(c->phase, Phase::open) << split;
    }
}

TEST_F(FastConnMachine, EchoesFramesSentRightBehindTheHead) {
    feed(request() + client_frame(Opcode::text, "early"));
    const std::string out = take();
    const std::size_t end = out.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos);
    const auto frames = parse_frames(out.substr(end + 4));
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, "early");
}

TEST_F(FastConnMachine, RefusesABrokenRequestWithItsStatusAndClosesAfterWriting) {
    feed("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    EXPECT_EQ(c->phase, Phase::http);
    EXPECT_TRUE(c->close_after_flush);
    const std::string out = take();
    EXPECT_EQ(out.rfind("HTTP/1.1 4", 0), 0u) << out;
    EXPECT_EQ(host.closed, std::vector<std::string>{"after flush"});
    EXPECT_EQ(c->phase, Phase::dead);
    const auto doc = stats.snapshot();
    EXPECT_EQ(doc["connections"]["handshake_failed"], 1);
    EXPECT_EQ(doc["connections"]["open"], 0);
    EXPECT_EQ(host.admitted, 0u);
}

TEST_F(FastConnMachine, AnswersPlainHttpWith426) {
    feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string out = take();
    EXPECT_EQ(out.rfind("HTTP/1.1 426", 0), 0u) << out;
    EXPECT_NE(out.find("GET /stats"), std::string::npos);
}

TEST_F(FastConnMachine, ServesStatsAsJson) {
    feed("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string out = take();
    HttpResponse resp;
    std::size_t size = 0;
    ASSERT_EQ(parse_http_response(out, resp, size), Errc::ok);
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.headers.combined("Content-Type"), "application/json");
    EXPECT_EQ(resp.headers.combined("Content-Length"), std::to_string(out.size() - size));
    const auto doc = nlohmann::json::parse(out.substr(size));
    EXPECT_EQ(doc["connections"]["accepted"], 0) << "the host's document, as given";
    EXPECT_TRUE(doc.contains("close_codes"));
}

TEST_F(FastConnMachine, RefusesBeyondMaxConnectionsWith503) {
    host.capacity = 0;
    feed(request());
    EXPECT_EQ(c->phase, Phase::http);
    const std::string out = take();
    EXPECT_EQ(out.rfind("HTTP/1.1 503", 0), 0u) << out;
    EXPECT_NE(out.find("--max-connections"), std::string::npos);
    EXPECT_FALSE(c->admitted);
    EXPECT_EQ(stats.snapshot()["connections"]["rejected"], 1);
}

TEST_F(FastConnMachine, RefusesWith503WhileShuttingDown) {
    host.shutting = true;
    feed(request());
    const std::string out = take();
    EXPECT_EQ(out.rfind("HTTP/1.1 503", 0), 0u) << out;
    EXPECT_NE(out.find("shutting down"), std::string::npos);
    EXPECT_EQ(host.admitted, 0u);
}

// --- messages ----------------------------------------------------------------------------------

TEST_F(FastConnMachine, EchoesTextAndBinaryAndCountsThem) {
    open();
    feed(client_frame(Opcode::text, "hello") + client_frame(Opcode::binary, std::string(3, '\0')));
    ASSERT_EQ(machine->dirty().size(), 1u) << "one flush for the whole read";
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].opcode, Opcode::text);
    EXPECT_EQ(frames[0].payload, "hello");
    EXPECT_EQ(frames[1].opcode, Opcode::binary);
    EXPECT_EQ(frames[1].payload, std::string(3, '\0'));
    const auto doc = stats.snapshot();
    EXPECT_EQ(doc["in"]["text"]["messages"], 1);
    EXPECT_EQ(doc["in"]["binary"]["bytes"], 3);
    EXPECT_EQ(doc["out"]["messages"], 2);
    EXPECT_EQ(doc["out"]["bytes"], 8);
}

TEST_F(FastConnMachine, EchoesAFrameSplitAtEveryByteAndKeepsParserStateOnlyMidFrame) {
    open();
    const std::string frame = client_frame(Opcode::text, std::string(300, 'x'));
    for (std::size_t split = 1; split < frame.size(); ++split) {
        feed(frame.substr(0, split));
        EXPECT_NE(c->partial, nullptr) << split;
        EXPECT_TRUE(c->out.empty()) << split;
        feed(frame.substr(split));
        EXPECT_EQ(c->partial, nullptr) << "at rest again: " << split;
        const auto frames = replies();
        ASSERT_EQ(frames.size(), 1u) << split;
        EXPECT_EQ(frames[0].payload, std::string(300, 'x'));
    }
}

TEST_F(FastConnMachine, EchoesAFragmentedMessageAsOneFrame) {
    open();
    feed(client_frame(Opcode::text, "frag", false));
    feed(client_frame(Opcode::ping, "p"));  // control frames may come between fragments
    feed(client_frame(Opcode::continuation, "mented"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].opcode, Opcode::pong);
    EXPECT_EQ(frames[1].opcode, Opcode::text);
    EXPECT_EQ(frames[1].payload, "fragmented");
}

TEST_F(FastConnMachine, AnswersPingWithPongAndIgnoresPong) {
    open();
    feed(client_frame(Opcode::ping, "are you there"));
    feed(client_frame(Opcode::pong, "unsolicited"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::pong);
    EXPECT_EQ(frames[0].payload, "are you there");
}

TEST_F(FastConnMachine, PrependsTheReplyPrefix) {
    config.reply_prefix = "re: ";
    make();
    open();
    feed(client_frame(Opcode::text, "hi"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, "re: hi");
    EXPECT_EQ(stats.snapshot()["out"]["bytes"], 6);
}

TEST_F(FastConnMachine, BroadcastModeHandsEachMessageToTheHostOnce) {
    config.mode = Mode::broadcast;
    make();
    open();
    feed(client_frame(Opcode::text, "to all"));
    EXPECT_TRUE(c->out.empty()) << "nothing is echoed directly";
    ASSERT_EQ(host.broadcasts.size(), 1u);
    const SharedFrame& f = *host.broadcasts[0];
    EXPECT_TRUE(f.text);
    EXPECT_EQ(f.payload, 6u);
    machine->broadcast_to(*c, f);
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, "to all");
}

TEST_F(FastConnMachine, EchoesThroughPermessageDeflate) {
    config.deflate = true;
    make();
    const std::string head = open({"permessage-deflate"});
    EXPECT_NE(head.find("Sec-WebSocket-Extensions: permessage-deflate"), std::string::npos) << head;
    Deflate client{DeflateParams{}};  // the client's compressor and decompressor
    const std::string text = "compress me, compress me, compress me";
    const auto& z = client.compress(nullptr, 0, reinterpret_cast<const std::uint8_t*>(text.data()),
                                    text.size());
    feed(client_frame(Opcode::text, std::string(z.begin(), z.end()), true, true));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].rsv1);
    const std::string& reply = frames[0].payload;
    ASSERT_EQ(
        client.inflate(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size(), 1 << 20),
        Deflate::Result::ok);
    EXPECT_EQ(std::string(client.inflated().begin(), client.inflated().end()), text);
    EXPECT_EQ(stats.snapshot()["in"]["text"]["bytes"], text.size());
}

TEST_F(FastConnMachine, DeclinesDeflateWhenNotOffered) {
    const std::string head = open({"permessage-deflate"});
    EXPECT_EQ(head.find("Sec-WebSocket-Extensions"), std::string::npos) << head;
    EXPECT_EQ(c->deflate, nullptr);
}

// --- failing the connection (§7.1.7) and limits -------------------------------------------------

TEST_F(FastConnMachine, FailsAnUnmaskedFrameWith1002ThenSendsEof) {
    open();
    std::string frame(2, '\0');
    frame[0] = static_cast<char>(0x81);  // FIN text, no mask bit, empty
    feed(frame);
    EXPECT_EQ(c->phase, Phase::draining);
    EXPECT_TRUE(machine->closings().contains(*c));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::close);
    EXPECT_EQ(close_code_of(frames[0]), 1002);
    EXPECT_EQ(host.shutdowns, 1) << "our close, then EOF";
    feed(client_frame(Opcode::text, "ignored"));
    EXPECT_TRUE(c->out.empty()) << "input after a failure is discarded";
}

TEST_F(FastConnMachine, FailsInvalidUtf8With1007) {
    open();
    feed(client_frame(Opcode::text, "\xC3\x28"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(close_code_of(frames[0]), 1007);
}

TEST_F(FastConnMachine, NoUtf8CheckMisbehaviourEchoesInvalidText) {
    config.misbehave = Misbehave::no_utf8_check;
    make();
    open();
    feed(client_frame(Opcode::text, "\xC3\x28"));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, "\xC3\x28");
}

TEST_F(FastConnMachine, NoPongMisbehaviourAnswersNoPing) {
    config.misbehave = Misbehave::no_pong;
    make();
    open();
    feed(client_frame(Opcode::ping, "p"));
    EXPECT_TRUE(c->out.empty());
}

TEST_F(FastConnMachine, FailsAMessageAboveMaxMessageSizeWith1009) {
    config.max_message_size = 10;
    make();
    open();
    feed(client_frame(Opcode::binary, std::string(10, 'a')));  // at the limit: echoed
    feed(client_frame(Opcode::binary, std::string(11, 'a')));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].payload.size(), 10u);
    EXPECT_EQ(close_code_of(frames[1]), 1009);
}

TEST_F(FastConnMachine, StopsReadingAboveTheHighWaterMarkUntilHalfIsWritten) {
    config.high_water_mark = 100;
    make();
    open();  // the response alone passes this mark: not counted below
    host.flushes = host.resumes = 0;
    feed(client_frame(Opcode::binary, std::string(150, 'a')));
    EXPECT_EQ(host.flushes, 1) << "above the mark: one write now";
    EXPECT_TRUE(c->paused) << "the socket took nothing";
    take();  // the client reads: the output drains
    EXPECT_FALSE(c->paused);
    EXPECT_EQ(host.resumes, 1);
}

TEST_F(FastConnMachine, WritesEarlyOnlyAboveTheMark) {
    open();
    feed(client_frame(Opcode::binary, std::string(1000, 'a')));
    EXPECT_EQ(host.flushes, 0) << "small replies wait for the end of the turn";
    EXPECT_FALSE(c->paused);
}

// --- the closing handshake (§7) -----------------------------------------------------------------

TEST_F(FastConnMachine, EchoesTheClientsCloseCodeAndClosesTcpOnceWritten) {
    open();
    feed(client_frame(Opcode::close, close_payload(1000, "bye")));
    EXPECT_EQ(c->phase, Phase::replied);
    EXPECT_TRUE(machine->closings().contains(*c));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(close_code_of(frames[0]), 1000);
    EXPECT_EQ(frames[0].payload.size(), 2u) << "the code only";
    EXPECT_EQ(host.closed, std::vector<std::string>{"after flush"}) << "the server closes first";
    EXPECT_EQ(c->phase, Phase::dead);
    EXPECT_FALSE(machine->closings().contains(*c));
    EXPECT_EQ(stats.snapshot()["close_codes"]["1000"], 1);
    EXPECT_EQ(stats.snapshot()["connections"]["open"], 0);
}

TEST_F(FastConnMachine, AnswersACloseWithoutCodeWithAnEmptyClose) {
    open();
    feed(client_frame(Opcode::close, ""));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::close);
    EXPECT_TRUE(frames[0].payload.empty());
    EXPECT_EQ(stats.snapshot()["close_codes"]["1005"], 1);
}

TEST_F(FastConnMachine, FailsACloseWithAnInvalidCode) {
    open();
    feed(client_frame(Opcode::close, close_payload(999)));
    EXPECT_EQ(c->phase, Phase::draining);
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(close_code_of(frames[0]), 1002);
}

TEST_F(FastConnMachine, WrongCloseCodeMisbehaviourAnswers1002) {
    config.misbehave = Misbehave::wrong_close_code;
    make();
    open();
    feed(client_frame(Opcode::close, close_payload(1000)));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(close_code_of(frames[0]), 1002);
}

TEST_F(FastConnMachine, NoCloseReplyMisbehaviourLingersUntilTheCloseTimeout) {
    config.misbehave = Misbehave::no_close_reply;
    make();
    open();
    feed(client_frame(Opcode::close, close_payload(1000)));
    EXPECT_EQ(c->phase, Phase::lingering);
    EXPECT_TRUE(c->out.empty());
    machine->sweep(host.now + config.close_timeout.count() * kMs);
    EXPECT_EQ(host.closed, std::vector<std::string>{"close timeout"});
}

TEST_F(FastConnMachine, ServerCloseEndsWhenTheClientAnswers) {
    open();
    machine->start_close(*c, 1001, "going away");
    EXPECT_EQ(c->phase, Phase::closing);
    auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(close_code_of(frames[0]), 1001);
    feed(client_frame(Opcode::text, "late"));  // data after our close is not echoed
    EXPECT_TRUE(c->out.empty());
    feed(client_frame(Opcode::close, close_payload(1001)));
    EXPECT_EQ(c->phase, Phase::replied);
    take();
    EXPECT_EQ(host.closed, std::vector<std::string>{"after flush"});
    EXPECT_EQ(stats.snapshot()["close_codes"]["1001"], 1);
}

// --- timeouts -----------------------------------------------------------------------------------

TEST_F(FastConnMachine, DropsAnUnfinishedHandshakeAtItsDeadline) {
    feed("GET / HTTP/1.1\r\n");
    const std::int64_t deadline = c->deadline_ns;
    machine->sweep(deadline - 1);
    EXPECT_TRUE(host.closed.empty());
    machine->sweep(deadline);
    EXPECT_EQ(host.closed, std::vector<std::string>{"handshake timeout"});
    EXPECT_EQ(stats.snapshot()["connections"]["handshake_failed"], 1);
}

TEST_F(FastConnMachine, ClosesAnIdleConnectionWith1001AndActivityPostponesIt) {
    config.idle_timeout = Millis(1000);
    make();
    open();
    ASSERT_TRUE(machine->idles().contains(*c));
    host.now += 600 * kMs;
    feed(client_frame(Opcode::text, "still here"));  // moves the deadline
    take();
    machine->sweep(host.now + 500 * kMs);
    EXPECT_EQ(c->phase, Phase::open);
    host.now += 1000 * kMs;
    machine->sweep(host.now);
    EXPECT_EQ(c->phase, Phase::closing);
    EXPECT_FALSE(machine->idles().contains(*c));
    const auto frames = replies();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(close_code_of(frames[0]), 1001);
    machine->sweep(host.now + config.close_timeout.count() * kMs);
    EXPECT_EQ(host.closed, std::vector<std::string>{"close timeout"});
    EXPECT_EQ(stats.snapshot()["close_codes"]["1001"], 1);
}

}  // namespace
}  // namespace wsb::echo::fast
