// A scenario session driven by hand, for the protocol tests (protocol_*_test.cpp): the file
// loaded, the session started at time 0, messages given with the time they arrive, and
// what the session sent and closed recorded.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario::test {

using namespace std::chrono_literals;

struct Recorder : SessionOutput {
    std::vector<std::string> sent;
    std::vector<std::uint16_t> closes;
    void send(MessageType, std::string_view payload) override { sent.emplace_back(payload); }
    void close(std::uint16_t code, std::string_view) override { closes.push_back(code); }
};

/// conn.id 4, session.id 9; the wall clock stands at 1,700,000,000 s.
struct Driver {
    Scenario s;
    ScenarioStats stats;
    JsonScratch js;
    Session session;
    Recorder out;
    MessageType type = MessageType::text;  ///< of the messages in() gives
    bool writable = false;                 ///< in() lets the session rewrite them in place

    explicit Driver(std::string_view yaml)
        : s(load_scenario_text(yaml, "t.yaml", false)), stats(s), session(s, stats, js, 4, 9, 1) {}

    static SessionClock at(Nanos mono) { return {mono, 1'700'000'000'000'000}; }
    void start() { session.start(at(0ms), out); }
    /// One message arriving at `t`, with simdjson's padding after it.
    void in(std::string bytes, Nanos t = 1ms) {
        bytes.reserve(bytes.size() + 64);
        IncomingMessage m(type, bytes, bytes.capacity());
        m.writable = writable;
        session.on_message(m, at(t), out);
    }
    const StepStats& step(const std::string& name) const {
        for (std::size_t i = 0; i < stats.names.size(); ++i) {
            if (stats.names[i] == name) return stats.steps[i];
        }
        throw std::runtime_error("no step " + name);
    }
};

/// The loader's error for `yaml` (as t.yaml), or "(loaded)".
inline std::string load_error(const std::string& yaml) {
    try {
        load_scenario_text(yaml, "t.yaml", false);
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "(loaded)";
}

}  // namespace wsb::scenario::test
