// The plan --check-scenario prints: every part of a scenario, loop bodies indented, templates
// as written.
#include "wsbench/scenario/plan.hpp"

#include <gtest/gtest.h>

#include "wsbench/scenario/loader.hpp"

namespace wsb::scenario {
namespace {

TEST(Plan, DescribesEveryPart) {
    ::setenv("WSB_PLAN_TOKEN", "secret-value", 1);
    const Scenario s = load_scenario_text(R"(url: ws://127.0.0.1:9001/chat
headers: { Authorization: "Bearer {{env.WSB_PLAN_TOKEN}}" }
subprotocols: [chat.v1]
vars: { room: "room-{{conn.id % 10}}" }
phases:
  - { duration: 10s, arrival_rate: 50, ramp_to: 200 }
  - { duration: 30s, users: 500 }
session:
  - send: '{"op":"auth"}'
  - expect: { json: { op: auth_ok }, timeout: 5s, capture: { sid: "$.session" }, on_timeout: close }
  - loop:
      count: 100
      rate: 10/s
      steps:
        - send: { name: rpc, json: { id: "{{seq}}", n: 1 } }
        - expect: { name: rpc, json: { id: "{{seq}}" }, timeout: 2s }
        - think: { min: 10ms, max: 100ms }
  - close: { code: 4000, reason: bye }
listen:
  - { name: price, contains: tick, sent_at: "$.ts_ms", sent_at_unit: ms }
heartbeat: { every: 25s, send: ping }
)",
                                          "chat.yaml", false);
    EXPECT_EQ(describe_plan(s),
              "chat.yaml: valid scenario\n"
              "url: ws://127.0.0.1:9001/chat\n"
              "header: Authorization: Bearer {{env.WSB_PLAN_TOKEN}}\n"
              "subprotocol: chat.v1\n"
              "var: room = 'room-{{conn.id % 10}}'\n"
              "phases:\n"
              "  1. 10s, open model: 50/s ramped to 200/s new sessions, about 1250 sessions\n"
              "  2. 30s, closed model: 500 sessions running\n"
              "session:\n"
              "  line 9: send '{\"op\":\"auth\"}'\n"
              "  line 10: expect line10: json {\"op\":\"auth_ok\"}, within 5s or close, capture "
              "sid from $.session\n"
              "  line 11: loop 100 times, at 10/s (intended times)\n"
              "  line 15:   send rpc 'json {\"id\":\"{{seq}}\",\"n\":1}'\n"
              "  line 16:   expect rpc: json {\"id\":\"{{seq}}\"}, within 2s\n"
              "  line 17:   think 10ms to 100ms\n"
              "  line 18: close 4000 'bye'\n"
              "listen price (line 20): contains 'tick', push latency from $.ts_ms (ms)\n"
              "heartbeat: every 25s, send 'ping'\n"
              "report steps: line10 rpc price\n");
}

}  // namespace
}  // namespace wsb::scenario
