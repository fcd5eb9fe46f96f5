// protocol: stomp, loaded and driven by hand: CONNECT from the file's settings, the steps on
// CONNECTED with the negotiated heart-beat, frames with receipts matched by receipt id, MESSAGE
// rules by header, frames split over messages, an ERROR named, and the loader's errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol_driver.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/plan.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {
namespace {

using namespace std::chrono_literals;
using test::Driver;
using test::load_error;

const std::string nul(1, '\0');

constexpr const char* kFile = R"(protocol: stomp
stomp: { login: "u{{conn.id}}", passcode: p, heart_beat: 2s }
session:
  - stomp: { command: SUBSCRIBE, headers: { destination: "/queue/{{conn.id}}", id: "0" }, receipt: true, name: sub }
  - stomp: { command: SEND, headers: { destination: "/queue/{{conn.id}}" }, json: { ts: "{{now_us}}" } }
  - expect: { name: back, headers: { destination: "/queue/4" }, json: { ts: 1699999999998000 } }
listen:
  - { name: other, stomp: MESSAGE, sent_at: "$.ts" }
)";

TEST(StompSession, ConnectReceiptsMessagesAndHeartBeats) {
    Driver d(kFile);
    EXPECT_EQ(d.s.subprotocols, (std::vector<std::string>{"v12.stomp"}));
    d.start();
    ASSERT_EQ(d.out.sent.size(), 1u);
    EXPECT_EQ(
        d.out.sent[0],
        "CONNECT\naccept-version:1.2\nhost:/\nlogin:u4\npasscode:p\nheart-beat:2000,2000\n\n" +
            nul);
    d.in("CONNECTED\nversion:1.2\nheart-beat:1000,3000\n\n" + nul);
    ASSERT_EQ(d.out.sent.size(), 2u);
    EXPECT_EQ(d.out.sent[1], "SUBSCRIBE\ndestination:/queue/4\nid:0\nreceipt:sub\\c0\n\n" + nul)
        << "the receipt id sub:0, its ':' escaped (STOMP 1.2 value encoding)";
    EXPECT_EQ(d.session.next_wakeup(), 1ms + 3s) << "max(2000, the server's 3000)";
    // A RECEIPT of another id, then ours split over two messages with a heart-beat between.
    d.in("RECEIPT\nreceipt-id:sub:9\n\n" + nul);
    EXPECT_EQ(d.step("sub").count, 0u);
    d.in("\nRECEIPT\nreceipt-id:su", 2ms);
    d.in("b:0\n\n" + nul, 3ms);
    EXPECT_EQ(d.step("sub").count, 1u);
    ASSERT_EQ(d.out.sent.size(), 3u);
    EXPECT_EQ(d.out.sent[2].substr(0, 26), "SEND\ndestination:/queue/4\n");
    d.in(
        "MESSAGE\ndestination:/queue/"
        "other\nmessage-id:1\nsubscription:0\n\n{\"ts\":1699999999999000}" +
        nul);
    EXPECT_EQ(d.step("other").count, 1u) << "not the expect's destination";
    EXPECT_EQ(d.step("other").latency_us.max(), 1000u);
    d.session.on_time(Driver::at(1ms + 3s), d.out);
    EXPECT_EQ(d.out.sent.back(), "\n") << "a heart-beat";
    d.in(
        "MESSAGE\ndestination:/queue/4\nmessage-id:2\nsubscription:0\n\n{\"ts\":1699999999998000}" +
        nul);
    EXPECT_EQ(d.step("back").count, 1u);
    EXPECT_TRUE(d.session.finished());
    EXPECT_EQ(d.out.sent.back(), "DISCONNECT\n\n" + nul);
}

// The server agreed to send every 2000 ms (max of its 1000 and our 2000): silent for twice that,
// it is gone and the session fails naming it; anything it sends (a heart-beat too) resets the
// count. Without heart-beats agreed (0 on its side) silence is no failure.
TEST(StompSession, AServerSilentPastTwiceItsHeartBeatFailsTheSession) {
    Driver d(kFile);
    d.start();
    d.in("CONNECTED\nversion:1.2\nheart-beat:1000,3000\n\n" + nul);
    EXPECT_EQ(d.session.next_wakeup(), 1ms + 3s) << "our own heart-beat comes first";
    d.session.on_time(Driver::at(1ms + 3s), d.out);
    EXPECT_EQ(d.session.next_wakeup(), 1ms + 4s) << "then the server's deadline";
    d.in("\n", 3500ms);  // its heart-beat
    d.session.on_time(Driver::at(1ms + 4s), d.out);
    EXPECT_FALSE(d.session.failed());
    d.session.on_time(Driver::at(7499ms), d.out);
    EXPECT_FALSE(d.session.failed());
    d.session.on_time(Driver::at(7500ms), d.out);
    EXPECT_TRUE(d.session.failed());
    ASSERT_EQ(d.stats.errors.size(), 1u);
    EXPECT_EQ(d.stats.errors[0].first,
              "stomp: nothing from the server for 4000 ms, twice the heart-beat interval it "
              "agreed to (2000 ms)");

    Driver quiet(
        "protocol: stomp\nstomp: { heart_beat: 0 }\nsession:\n"
        "  - expect: { stomp: MESSAGE, timeout: 1h }\n");
    quiet.start();
    quiet.in("CONNECTED\nversion:1.2\nheart-beat:1000,3000\n\n" + nul);
    quiet.session.on_time(Driver::at(30min), quiet.out);
    EXPECT_FALSE(quiet.session.failed());
}

TEST(StompSession, AnErrorFrameIsNamed) {
    Driver d(kFile);
    d.start();
    d.in("ERROR\nmessage:Bad CONNECT\ncontent-type:text/plain\n\nAccess refused for user 'u4'" +
         nul);
    EXPECT_TRUE(d.session.failed());
    ASSERT_EQ(d.stats.errors.size(), 1u);
    EXPECT_EQ(d.stats.errors[0].first, "stomp ERROR: Bad CONNECT");
    Driver bad(kFile);
    bad.start();
    bad.in("CONNECTED\nversion:1.2\n\n" + nul);
    bad.in("MESSAGE\nbad\\tescape:x\n\n" + nul);
    ASSERT_EQ(bad.stats.errors.size(), 1u);
    EXPECT_EQ(bad.stats.errors[0].first.substr(0, 18), "stomp: bad_escape:");
}

TEST(StompLoader, KeysAndTheirErrors) {
    EXPECT_EQ(load_error("session: [ { stomp: { command: SEND } } ]\n"),
              "t.yaml:1:21: session[0].stomp: stomp goes with protocol: stomp");
    EXPECT_EQ(load_error("protocol: stomp\nsession: [ { stomp: { command: MESSAGE } } ]\n"),
              "t.yaml:2:32: session[0].stomp.command: expected a client frame: SEND, SUBSCRIBE, "
              "UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, ABORT or DISCONNECT");
    EXPECT_EQ(load_error("protocol: stomp\nsession: [ { stomp: { command: SEND, headers: { "
                         "receipt: x } } } ]\n"),
              "t.yaml:2:49: session[0].stomp.headers: 'receipt' is written by wsbench");
    EXPECT_EQ(load_error("protocol: stomp\nsession: [ { expect: { stomp: ERROR } } ]\n"),
              "t.yaml:2:31: session[0].expect.stomp: expected MESSAGE or RECEIPT");
    EXPECT_EQ(load_error("session: [ { expect: { headers: { a: b } } } ]\n"),
              "t.yaml:1:33: session[0].expect.headers: goes with protocol: stomp");
    EXPECT_EQ(
        load_error("protocol: stomp\nstomp: { heart_beat: 10ms }\nsession: [ { send: x } ]\n"),
        "t.yaml:2:22: stomp.heart_beat: 0 (none) or between 100ms and 1h");
    const std::string plan = describe_plan(load_scenario_text(kFile, "t.yaml", false));
    EXPECT_NE(plan.find("protocol: stomp 1.2, heart-beat 2000 ms"), std::string::npos) << plan;
    EXPECT_NE(plan.find("stomp sub 'SUBSCRIBE destination:/queue/{{conn.id}} id:0'"),
              std::string::npos)
        << plan;
}

}  // namespace
}  // namespace wsb::scenario
