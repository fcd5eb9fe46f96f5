// The session state machine, driven by hand: sends, blocking and outstanding expects, replies
// out of order, captures, timeouts, rate loops with corrected and uncorrected latency,
// several replies to one send, listen rules with sent_at, the heartbeat, the close.
#include "wsbench/scenario/session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wsbench/scenario/loader.hpp"

namespace wsb::scenario {
namespace {

using namespace std::chrono_literals;

struct Recorder : SessionOutput {
    std::vector<std::string> sent;
    std::vector<std::uint16_t> closes;
    void send(MessageType, std::string_view payload) override { sent.emplace_back(payload); }
    void close(std::uint16_t code, std::string_view) override { closes.push_back(code); }
};

struct Driver {
    Scenario s;
    ScenarioStats stats;
    JsonScratch js;
    Session session;
    Recorder out;
    explicit Driver(std::string_view yaml)
        : s(load_scenario_text(yaml, "t.yaml", false)), stats(s), session(s, stats, js, 4, 9, 1) {}

    static SessionClock at(Nanos mono) {
        return {mono, 1'700'000'000'000'000 + mono.count() / 1000};
    }
    void start(Nanos t = 0ms) { session.start(at(t), out); }
    void reply(const std::string& text, Nanos t) {
        session.on_message({MessageType::text, text, text.size()}, at(t), out);
    }
    void tick(Nanos t) { session.on_time(at(t), out); }
    const StepStats& step(const std::string& name) const {
        for (std::size_t i = 0; i < stats.names.size(); ++i) {
            if (stats.names[i] == name) return stats.steps[i];
        }
        throw std::runtime_error("no step " + name);
    }
};

TEST(Session, AuthCaptureJoinThenClose) {
    Driver r(R"(vars: { room: "room-{{conn.id % 3}}" }
session:
  - send: '{"op":"auth","s":{{session.id}}}'
  - expect: { name: auth, json: { op: auth_ok }, capture: { sid: "$.session" } }
  - send: { json: { op: join, room: "{{room}}", sid: "{{sid}}" } }
  - expect: { name: join, json: { op: joined, room: "{{room}}" } }
  - close: 4000
)");
    r.start();
    ASSERT_EQ(r.out.sent, (std::vector<std::string>{R"({"op":"auth","s":9})"}));
    EXPECT_EQ(r.session.next_wakeup(), 10s);  // the expect's default timeout
    r.reply(R"({"op":"noise"})", 1ms);
    EXPECT_EQ(r.stats.unmatched, 1u);
    r.reply(R"({"session":"S-1","op":"auth_ok"})", 3ms);
    ASSERT_EQ(r.out.sent.size(), 2u);
    EXPECT_EQ(r.out.sent[1], R"({"op":"join","room":"room-1","sid":"S-1"})");
    r.reply(R"({"op":"joined","room":"room-1"})", 10ms);
    EXPECT_EQ(r.out.closes, (std::vector<std::uint16_t>{4000}));
    EXPECT_TRUE(r.session.finished());
    EXPECT_EQ(r.step("auth").count, 1u);
    EXPECT_EQ(r.step("auth").latency_us.max(),
              r.step("auth").latency_us.highest_equivalent_value(3000));
    EXPECT_EQ(r.step("join").latency_uncorrected_us.total_count(), 1u);
    EXPECT_EQ(r.stats.sent, 2u);
    EXPECT_EQ(r.stats.received, 3u);
}

TEST(Session, RateLoopKeepsExpectsOutstandingAndMatchesRepliesOutOfOrder) {
    Driver r(R"(session:
  - loop:
      count: 3
      rate: 10/s
      steps:
        - send: { name: rpc, json: { id: "{{seq}}" } }
        - expect: { name: rpc, json: { id: "{{seq}}" }, timeout: 5s }
)");
    r.start();
    EXPECT_EQ(r.out.sent, (std::vector<std::string>{R"({"id":0})"}));
    EXPECT_EQ(r.session.next_wakeup(), 100ms);
    r.tick(100ms);
    r.tick(250ms);  // 50 ms late for the third send, intended at 200 ms
    ASSERT_EQ(r.out.sent.size(), 3u);
    EXPECT_EQ(r.out.sent[2], R"({"id":2})");
    EXPECT_EQ(r.session.outstanding(), 3u);
    EXPECT_TRUE(r.out.closes.empty());  // the end of the session waits for the replies

    r.reply(R"({"id":2,"result":1})", 260ms);  // 60 ms after intended, 10 ms after actual
    r.reply(R"({"id":0})", 270ms);
    r.reply(R"({"id":"1"})", 280ms);  // a string id matches by text
    EXPECT_EQ(r.step("rpc").count, 3u);
    EXPECT_EQ(r.session.outstanding(), 0u);
    EXPECT_EQ(r.out.closes, (std::vector<std::uint16_t>{1000}));
    const StepStats& st = r.step("rpc");
    // Corrected: 60 ms (id 2), 270 ms (id 0), 180 ms (id 1); uncorrected: 10, 270, 180 ms.
    EXPECT_EQ(st.latency_us.min(), st.latency_us.lowest_equivalent_value(60'000));
    EXPECT_EQ(st.latency_uncorrected_us.min(),
              st.latency_uncorrected_us.lowest_equivalent_value(10'000));
    EXPECT_EQ(st.latency_us.max(), st.latency_us.highest_equivalent_value(270'000));
}

TEST(Session, SeveralRepliesToOneSendGoToListenOrUnmatchedNeverToAnError) {
    Driver r(R"(session:
  - send: '{"id":1}'
  - expect: { name: rpc, json: { id: 1 } }
  - think: 1s
listen:
  - { name: progress, json: { progress: 1 } }
)");
    r.start();
    r.reply(R"({"id":1,"progress":1})", 1ms);  // the expect takes the first one
    r.reply(R"({"id":1,"progress":1})", 2ms);
    r.reply(R"({"id":1,"final":true})", 3ms);
    EXPECT_EQ(r.step("rpc").count, 1u);
    EXPECT_EQ(r.step("progress").count, 1u);
    EXPECT_EQ(r.stats.unmatched, 1u);
    r.tick(1001ms);
    EXPECT_TRUE(r.session.finished());
}

TEST(Session, TimeoutCountsAndTheSessionGoesOnOrCloses) {
    Driver r(R"(session:
  - send: a
  - expect: { name: first, contains: never, timeout: 2s }
  - send: b
  - expect: { name: second, contains: never, timeout: 1s, on_timeout: close }
  - send: c
)");
    r.start();
    EXPECT_EQ(r.session.next_wakeup(), 2s);
    r.tick(1999ms);
    EXPECT_EQ(r.out.sent.size(), 1u);
    r.tick(2s);
    EXPECT_EQ(r.step("first").timeouts, 1u);
    EXPECT_EQ(r.out.sent, (std::vector<std::string>{"a", "b"}));
    r.tick(3s);
    EXPECT_EQ(r.step("second").timeouts, 1u);
    EXPECT_EQ(r.out.closes, (std::vector<std::uint16_t>{1000}));
    EXPECT_EQ(r.out.sent.size(), 2u);  // "c" never sent
    EXPECT_TRUE(r.session.finished());
}

TEST(Session, CaptureThatFindsNothingIsTheStepsError) {
    Driver r(R"(session:
  - send: x
  - expect: { name: auth, contains: ok, capture: { sid: "$.session" } }
  - send: 'sid={{sid}}'
)");
    r.start();
    r.reply("ok, not json", 1ms);
    EXPECT_EQ(r.step("auth").count, 1u);
    EXPECT_EQ(r.step("auth").capture_errors, 1u);
    EXPECT_EQ(r.out.sent.back(), "sid=");
}

TEST(Session, ListenSentAtGivesPushLatencyAndHeartbeatKeepsTime) {
    Driver r(R"(session:
  - think: 10s
listen:
  - { name: price, json: { type: tick }, sent_at: "$.ts" , sent_at_unit: ms }
heartbeat: { every: 3s, send: ping }
)");
    r.start();
    EXPECT_EQ(r.session.next_wakeup(), 3s);
    const std::int64_t now_ms = (1'700'000'000'000'000 + 5'000'000) / 1000;  // wall at 5 s
    r.reply(R"({"type":"tick","ts":)" + std::to_string(now_ms - 7) + "}", 5s);
    r.reply(R"({"type":"tick"})", 5s);
    EXPECT_EQ(r.step("price").count, 2u);
    EXPECT_EQ(r.step("price").timestamp_errors, 1u);
    EXPECT_EQ(r.step("price").latency_us.max(),
              r.step("price").latency_us.highest_equivalent_value(7000));
    r.tick(3s);
    r.tick(9500ms);  // 6 s and 9 s were due: one heartbeat, the schedule catches up
    EXPECT_EQ(r.out.sent, (std::vector<std::string>{"ping", "ping"}));
    EXPECT_EQ(r.session.next_wakeup(), 10s);
    r.tick(10s);
    EXPECT_TRUE(r.session.finished());
}

TEST(Session, DurationLoopWithoutRateYieldsBetweenIterations) {
    Driver r(R"(session:
  - loop: { duration: 1s, steps: [ { send: x } ] }
)");
    r.start();
    EXPECT_EQ(r.out.sent.size(), 1u);  // one iteration, then back to the caller
    EXPECT_EQ(r.session.next_wakeup(), 0ms);
    r.tick(400ms);
    r.tick(999ms);
    EXPECT_EQ(r.out.sent.size(), 3u);
    r.tick(1s);
    EXPECT_TRUE(r.session.finished());
    EXPECT_EQ(r.out.sent.size(), 3u);
}

TEST(Session, AReplyGoesToTheOldestOutstandingExpectItMatches) {
    Driver r(R"(session:
  - loop:
      count: 2
      rate: 10/s
      steps:
        - send: ping
        - expect: { name: pong, contains: pong }
)");
    r.start();
    r.tick(100ms);
    EXPECT_EQ(r.session.outstanding(), 2u);
    r.reply("pong", 150ms);
    EXPECT_EQ(r.session.outstanding(), 1u);
    const StepStats& st = r.step("pong");
    EXPECT_EQ(st.latency_us.max(), st.latency_us.highest_equivalent_value(150'000));  // the first
    r.reply("pong", 160ms);
    EXPECT_EQ(st.latency_us.min(), st.latency_us.lowest_equivalent_value(60'000));
    EXPECT_TRUE(r.session.finished());
}

TEST(Session, NestedLoopsRunEveryIteration) {
    Driver r(R"(session:
  - loop:
      count: 2
      steps:
        - loop: { count: 2, steps: [ { send: "{{seq}}" } ] }
        - send: end
)");
    r.start();
    for (int i = 0; i < 10 && !r.session.finished(); ++i) r.tick(r.session.next_wakeup());
    EXPECT_EQ(r.out.sent, (std::vector<std::string>{"0", "1", "end", "3", "4", "end"}));
    EXPECT_TRUE(r.session.finished());
}

TEST(Session, OutstandingExpectsOfStepsWithDifferentTimeoutsExpireInDeadlineOrder) {
    // Each iteration leaves a slow expect (5 s) and then a quick one (1 s) outstanding: the
    // earliest deadline is the first quick one's, though a slow one was pushed before it.
    Driver r(R"(session:
  - loop:
      count: 3
      rate: 10/s
      steps:
        - send: '{"id":"{{seq}}"}'
        - expect: { name: slow, json: { slow: "{{seq}}" }, timeout: 5s }
        - expect: { name: quick, json: { quick: "{{seq}}" }, timeout: 1s }
)");
    r.start();
    r.tick(100ms);
    r.tick(200ms);
    ASSERT_EQ(r.out.sent.size(), 3u);
    EXPECT_EQ(r.session.outstanding(), 6u);
    EXPECT_EQ(r.session.next_wakeup(), 1s);  // the first quick one's
    r.reply(R"({"quick":"0"})", 500ms);      // answered: the next quick one's is next
    EXPECT_EQ(r.session.next_wakeup(), 1100ms);
    r.tick(1150ms);  // the second quick one expired, the third not yet
    EXPECT_EQ(r.step("quick").timeouts, 1u);
    EXPECT_EQ(r.session.outstanding(), 4u);
    EXPECT_EQ(r.session.next_wakeup(), 1200ms);
    r.tick(1300ms);
    EXPECT_EQ(r.step("quick").timeouts, 2u);
    EXPECT_EQ(r.session.next_wakeup(), 5s);  // only the slow ones are left
    r.reply(R"({"slow":"1"})", 2s);
    r.tick(5200ms);
    EXPECT_EQ(r.step("slow").timeouts, 2u);
    EXPECT_EQ(r.step("slow").count, 1u);
    EXPECT_EQ(r.session.outstanding(), 0u);
    EXPECT_TRUE(r.session.finished());
}

}  // namespace
}  // namespace wsb::scenario
