// libFuzzer target for the protocol side of scenario sessions (socketio, graphql-ws, mqtt,
// stomp): whatever a server sends. Each input line is one WebSocket message. Every line goes
// through the Socket.IO packet decoder (its views stay inside the line; an event re-encoded
// decodes to the same packet) and then into a socketio, a graphql-ws, an MQTT 5 and a STOMP
// session, each in place
// (writable, padded) and as a read-only copy, which must not crash and must agree on what they
// counted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/proto/socketio.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/session.hpp"

using namespace wsb;

namespace {

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() &&
                            part.data() + part.size() <= whole.data() + whole.size());
}

void check_decoder(std::string_view line) {
    socketio::Packet p;
    std::string_view error;
    if (!socketio::decode(line, p, error)) {
        FUZZ_CHECK(!error.empty());
        return;
    }
    FUZZ_CHECK(inside(p.data, line));
    FUZZ_CHECK(p.nsp == "/" || inside(p.nsp, line));
    FUZZ_CHECK(inside(p.id_text, line));
    if (p.eio == socketio::EioType::open) {
        socketio::OpenInfo info;
        if (socketio::parse_open(p.data, info)) FUZZ_CHECK(inside(info.sid, p.data));
    }
    std::string_view name;
    std::size_t args_at = 0;
    if (socketio::split_event(p.data, name, args_at)) {
        FUZZ_CHECK(args_at >= 2 && args_at < p.data.size());
        FUZZ_CHECK(inside(name, p.data));
    }
    FUZZ_CHECK(inside(socketio::connect_error_message(p.data), p.data));
    if (p.eio == socketio::EioType::message && p.sio == socketio::SioType::event &&
        p.nsp.find(',') == std::string_view::npos && p.id < (1ull << 62) &&
        (p.data.empty() ||
         (p.data[0] != ',' && p.data[0] != '/' && (p.data[0] < '0' || p.data[0] > '9')))) {
        // (Data starting with a digit, ',' or '/' would read as an id or a namespace.)
        std::string again;
        socketio::append_event_start(again, p.nsp, p.has_id ? static_cast<std::int64_t>(p.id) : -1);
        again.pop_back();  // the '[' the caller's arguments would follow
        again += p.data;
        socketio::Packet q;
        FUZZ_CHECK(socketio::decode(again, q, error));
        FUZZ_CHECK(q.nsp == p.nsp && q.has_id == p.has_id && q.id == p.id && q.data == p.data);
    }
}

struct Sink final : scenario::SessionOutput {
    void send(scenario::MessageType, std::string_view payload) override {
        ++sent;
        bytes += payload.size();
    }
    void close(std::uint16_t, std::string_view) override { ++closed; }
    std::uint64_t sent = 0, bytes = 0, closed = 0;
};

const scenario::Scenario& graphql() {
    static const scenario::Scenario s = scenario::load_scenario_text(R"(
protocol: graphql-ws
connection_params: { token: t }
session:
  - query: { name: hello, query: "{ hello }" }
  - subscribe: { name: ticks, query: "subscription { ticks { n } }", sent_at: "$.data.ticks.sentAt" }
  - expect: { name: done, operation: ticks, json: { data: { ticks: { n: 2 } } }, capture: { n: "$.data" } }
)",
                                                                     "fuzz.yaml", false, {});
    return s;
}

const scenario::Scenario& sensors() {
    static const scenario::Scenario s = scenario::load_scenario_text(R"(
protocol: mqtt
mqtt: { version: 5, keepalive: 2s }
session:
  - subscribe: { topic: "s/#", qos: 1, name: sub }
  - publish: { topic: "s/t", qos: 1, payload: x, name: pub }
  - expect: { name: back, topic: "s/+", json: { v: 1 }, capture: { v: "$.v" } }
listen:
  - { name: all, topic: "#", sent_at: "$.ts" }
)",
                                                                     "fuzz.yaml", false, {});
    return s;
}

const scenario::Scenario& queues() {
    static const scenario::Scenario s = scenario::load_scenario_text(R"(
protocol: stomp
stomp: { login: u, passcode: p, heart_beat: 1s }
session:
  - stomp: { command: SUBSCRIBE, headers: { destination: /queue/a, id: "0" }, receipt: true, name: sub }
  - stomp: { command: SEND, headers: { destination: /queue/a }, body: x, receipt: true, name: send }
  - expect: { name: back, headers: { destination: /queue/a }, json: { v: 1 }, capture: { v: "$.v" } }
listen:
  - { name: all, stomp: MESSAGE, sent_at: "$.ts" }
)",
                                                                     "fuzz.yaml", false, {});
    return s;
}

const scenario::Scenario& chat() {
    static const scenario::Scenario s = scenario::load_scenario_text(R"(
protocol: socketio
namespace: /chat
auth: { token: t }
session:
  - emit: { event: join, data: { room: r }, ack: true, name: join }
  - expect: { name: joined, event: joined, json: { room: r }, capture: { n: "$[0].members" } }
  - loop:
      count: 3
      steps:
        - emit: { event: msg, args: [ "{{n}}", 2 ], ack: true, name: msg }
listen:
  - { name: chat, event: msg, sent_at: "$[0].ts" }
)",
                                                                     "fuzz.yaml", false, {});
    return s;
}

struct Counts {
    std::uint64_t received, unmatched, sent, closed;
    bool finished, failed;
    bool operator==(const Counts& o) const {
        return received == o.received && unmatched == o.unmatched && sent == o.sent &&
               closed == o.closed && finished == o.finished && failed == o.failed;
    }
};

Counts run_session(const scenario::Scenario& file, const std::vector<std::string_view>& lines,
                   bool writable) {
    // One of each per worker in the loadgen too, shared by its sessions; built once here (the
    // histograms are large), so the counts are this run's differences.
    static scenario::ScenarioStats sio_stats(chat());
    static scenario::ScenarioStats gql_stats(graphql());
    static scenario::ScenarioStats mqtt_stats(sensors());
    static scenario::ScenarioStats stomp_stats(queues());
    scenario::ScenarioStats& stats = &file == &chat()      ? sio_stats
                                     : &file == &graphql() ? gql_stats
                                     : &file == &queues()  ? stomp_stats
                                                           : mqtt_stats;
    static scenario::JsonScratch js;
    const std::uint64_t received = stats.received;
    const std::uint64_t unmatched = stats.unmatched;
    scenario::Session session(file, stats, js, 1, 1, 42);
    Sink out;
    scenario::SessionClock now;
    session.start(now, out);
    std::string buffer;
    for (const std::string_view line : lines) {
        now.mono += std::chrono::milliseconds(1);
        buffer.assign(line);
        buffer.reserve(line.size() + 64);
        scenario::IncomingMessage msg(scenario::MessageType::text, buffer, buffer.capacity());
        msg.writable = writable;
        session.on_message(msg, now, out);
        if (session.next_wakeup() <= now.mono) session.on_time(now, out);
    }
    return {stats.received - received,
            stats.unmatched - unmatched,
            out.sent,
            out.closed,
            session.finished(),
            session.failed()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> lines;
    for (std::size_t at = 0; at <= all.size() && lines.size() < 64;) {
        const std::size_t nl = all.find('\n', at);
        const std::size_t end = nl == std::string_view::npos ? all.size() : nl;
        lines.push_back(all.substr(at, end - at));
        if (nl == std::string_view::npos) break;
        at = nl + 1;
    }
    for (const std::string_view line : lines) check_decoder(line);
    FUZZ_CHECK(run_session(chat(), lines, true) == run_session(chat(), lines, false));
    FUZZ_CHECK(run_session(graphql(), lines, true) == run_session(graphql(), lines, false));
    FUZZ_CHECK(run_session(sensors(), lines, true) == run_session(sensors(), lines, false));
    FUZZ_CHECK(run_session(queues(), lines, true) == run_session(queues(), lines, false));
    return 0;
}
