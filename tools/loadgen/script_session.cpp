// A scenario-file session on one connection: its frames out (ScriptSession::send, close) and
// in (Connection::on_script_frame, which hands whole messages to the session, in place when
// the read holds the whole message), and the statistics as report steps.
#include <chrono>

#include "loadgen/connection.hpp"
#include "loadgen/script.hpp"
#include "loadgen/worker.hpp"

namespace wsb::loadgen {

scenario::SessionClock session_clock(Ns now) {
    scenario::SessionClock c;
    c.mono = scenario::Nanos(now);
    c.wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    return c;
}

ScriptRun::ScriptRun(const Config& config, unsigned worker)
    : s(*config.script),
      plan(config.script->phases, config.shard_index, config.shard_count, worker,
           std::max(1u, config.threads)),
      stats(*config.script) {
    for (auto& i : interval) i.resize(stats.names.size());
    stats.interval = &interval[0];
}

ScriptSession::ScriptSession(Connection& c, ScriptRun& run, std::uint64_t cid, std::uint64_t sid,
                             std::uint64_t seed)
    : conn(c), session(run.s, run.stats, run.json, cid, sid, seed), conn_id(cid), session_id(sid) {
    const scenario::SessionClock now = session_clock(c.worker.shared.now());
    for (const auto& [name, value] : run.s.headers) {
        std::string text;
        session.render(value, now, text);
        headers.emplace_back(name, std::move(text));
    }
}

void ScriptSession::send(scenario::MessageType type, std::string_view payload) {
    const std::size_t wire =
        conn.append_message(type == scenario::MessageType::text ? Opcode::text : Opcode::binary,
                            reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
    Worker& w = conn.worker;
    ++w.result.messages_sent;
    w.result.bytes_sent += payload.size();
    w.result.deflate.sent_bytes += payload.size();
    w.result.deflate.sent_wire_bytes += wire;
    bump(w.progress.sent, std::uint64_t{1});
}

void ScriptSession::close(std::uint16_t code, std::string_view reason) {
    if (conn.state == Connection::State::open) conn.close(code, reason);
}

void Connection::on_script_frame(const FrameEvent& ev, Ns now, std::size_t capacity) {
    ScriptSession& s = *script;
    if (ev.message_offset == 0 && ev.message_end) {
        // The whole message in this read: matched in place, no copy; the worker's read
        // buffer, consumed by this call, so the session may rewrite it.
        on_script_message(ev.message_opcode, ev.data, ev.size, capacity, true, ev.size, now);
        return;
    }
    if (ev.message_offset == 0 && ev.frame_offset == 0) s.message.clear();
    s.message.append(reinterpret_cast<const char*>(ev.data), ev.size);
    if (!ev.message_end) return;
    on_script_message(ev.message_opcode, reinterpret_cast<const std::uint8_t*>(s.message.data()),
                      s.message.size(), s.message.capacity(), true, s.message.size(), now);
    s.message.clear();  // assembled: keep the capacity only
}

void Connection::on_script_message(Opcode op, const std::uint8_t* data, std::size_t size,
                                   std::size_t capacity, bool writable, std::uint64_t wire_size,
                                   Ns now) {
    ScriptSession& s = *script;
    scenario::IncomingMessage msg;
    msg.type = op == Opcode::binary ? scenario::MessageType::binary : scenario::MessageType::text;
    msg.payload = std::string_view(reinterpret_cast<const char*>(data), size);
    msg.capacity = capacity;
    msg.writable = writable;
    Worker& w = worker;
    ++w.result.messages_received;
    w.result.bytes_received += size;
    w.result.deflate.received_bytes += size;
    w.result.deflate.received_wire_bytes += wire_size;
    bump(w.progress.received, std::uint64_t{1});
    if (state == State::open && !s.session.finished()) {
        s.session.on_message(msg, session_clock(now), s);
        flush();
        w.script_reschedule(*this);
    }
}

std::map<std::string, report::StepReport> step_reports(const scenario::Scenario& s,
                                                       const scenario::ScenarioStats& stats) {
    std::map<std::string, report::StepReport> out;
    std::vector<bool> expect(stats.names.size(), false);
    for (std::size_t i = 0; i < s.program.size(); ++i) {
        if (std::holds_alternative<scenario::ExpectStep>(s.program[i].what))
            expect[stats.expect_name[i]] = true;
    }
    for (std::size_t i = 0; i < stats.names.size(); ++i) {
        const scenario::StepStats& st = stats.steps[i];
        report::StepReport r;
        r.kind = expect[i] ? "expect" : "listen";
        r.count = st.count;
        r.timeouts = st.timeouts;
        r.errors = {{"capture", st.capture_errors},
                    {"timestamp", st.timestamp_errors},
                    {"template", 0},
                    {"protocol", st.protocol_errors}};
        r.unmatched = st.unmatched;
        r.latency = st.latency_us;
        r.latency_uncorrected = st.latency_uncorrected_us;
        out.emplace(stats.names[i], std::move(r));
    }
    return out;
}

}  // namespace wsb::loadgen
