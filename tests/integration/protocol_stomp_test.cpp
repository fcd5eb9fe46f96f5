// wsbench-loadgen --scenario with `protocol: stomp` against a real broker, RabbitMQ's web-stomp
// (tests/peers/stomp_broker.sh runs a private node; it takes seconds to boot, so one test runs
// all three cases on one broker): every SEND's RECEIPT comes back and every message sent
// arrives once as a MESSAGE, sessions outlive several heart-beat intervals idle (RabbitMQ drops
// a client that misses them), and a refused login is a named error with exit 1. (RabbitMQ may
// deliver a MESSAGE before the RECEIPT of its SEND: an expect for the message written after
// a send with a receipt would start too late, so the idle case sends without one.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "process.hpp"
#include "scenario_file_run.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kQueues = R"(
protocol: stomp
stomp: { login: guest, passcode: guest, heart_beat: 1s }
phases: [ { duration: 2s, arrival_rate: 10 } ]
session:
  - stomp: { command: SUBSCRIBE, headers: { destination: "/queue/t-{{conn.id}}", id: "0" }, receipt: true, name: sub }
  - loop:
      count: 10
      rate: 20/s
      steps:
        - stomp: { command: SEND, headers: { destination: "/queue/t-{{conn.id}}" }, json: { n: "{{seq}}", ts: "{{now_us}}" }, receipt: true, name: send }
  - stomp: { command: SEND, headers: { destination: "/queue/t-{{conn.id}}" }, body: bye }
  - expect: { name: done, headers: { destination: "/queue/t-{{conn.id}}", subscription: "0" }, contains: bye, timeout: 5s }
listen:
  - { name: msgs, stomp: MESSAGE, sent_at: "$.ts" }
)";

constexpr const char* kIdle = R"(
protocol: stomp
stomp: { login: guest, passcode: guest, heart_beat: 1s }
phases: [ { duration: 1s, users: 3 } ]
session:
  - stomp: { command: SUBSCRIBE, headers: { destination: "/queue/idle-{{conn.id}}", id: "0" }, receipt: true, name: sub }
  - think: 4s
  - stomp: { command: SEND, headers: { destination: "/queue/idle-{{conn.id}}" }, body: still-here }
  - expect: { name: back, contains: still-here, timeout: 3s }
)";

constexpr const char* kWrong = R"(
protocol: stomp
stomp: { login: guest, passcode: wrong }
phases: [ { duration: 1s, arrival_rate: 3 } ]
session:
  - stomp: { command: SEND, headers: { destination: /queue/x }, body: x }
)";

TEST(StompRabbitMq, ReceiptsMessagesHeartBeatsAndARefusedLogin) {
    ASSERT_EQ(access("/usr/lib/rabbitmq/bin/rabbitmq-server", X_OK), 0)
        << "Debian's rabbitmq-server is not installed; run scripts/setup.sh";
    Process broker({std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/stomp_broker.sh"},
                   Process::Stdin::pipe);
    const auto address = wait_listening(broker, 90s);
    ASSERT_TRUE(address) << broker.stderr_text();
    const std::string url = address->url("/ws");
    ScratchDir dir("stomp");

    const ScenarioFileRun q = run_scenario_file(dir, url, kQueues);
    EXPECT_EQ(q.exit_code, 0) << q.err;
    const json& s = q.report["sessions"];
    EXPECT_EQ(s["started"], 20);
    EXPECT_EQ(s["completed"], 20) << s.dump();
    EXPECT_EQ(s["unmatched"], 0);
    const json& steps = q.report["steps"];
    EXPECT_EQ(steps["sub"]["count"], 20);
    EXPECT_EQ(steps["send"]["count"], 200) << "a RECEIPT for every SEND";
    EXPECT_EQ(steps["send"]["timeouts"], 0);
    EXPECT_EQ(steps["msgs"]["count"], 200) << "every message delivered once";
    EXPECT_EQ(steps["msgs"]["errors"]["timestamp"], 0);
    EXPECT_EQ(steps["done"]["count"], 20);

    const ScenarioFileRun idle = run_scenario_file(dir, url, kIdle);
    EXPECT_EQ(idle.exit_code, 0) << idle.err;
    EXPECT_EQ(idle.report["sessions"]["completed"], 3) << idle.report["sessions"].dump();
    EXPECT_EQ(idle.report["steps"]["back"]["count"], 3);
    EXPECT_EQ(idle.report["steps"]["sub"]["count"], 3);

    const ScenarioFileRun wrong = run_scenario_file(dir, url, kWrong);
    EXPECT_EQ(wrong.exit_code, 1) << wrong.err;
    EXPECT_EQ(wrong.report["sessions"]["failed"], 3) << wrong.report["sessions"].dump();
    ASSERT_EQ(wrong.report["sessions"]["errors"].size(), 1u);
    EXPECT_EQ(wrong.report["sessions"]["errors"].begin().key(), "stomp ERROR: Bad CONNECT");

    broker.close_stdin();
    EXPECT_EQ(broker.wait(30s), 0) << broker.stderr_text();
}

}  // namespace
}  // namespace wsb::test
