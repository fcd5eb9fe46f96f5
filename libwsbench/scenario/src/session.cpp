// The session state machine: runs the step program until it must wait (a think, a rate
// loop's next intended time, a blocking expect, outstanding expects before the close), and
// resumes on messages and on time.
#include "wsbench/scenario/session.hpp"

#include <algorithm>
#include <chrono>

#include "session_proto_state.hpp"

namespace wsb::scenario {
namespace {

std::uint32_t index_of(const std::vector<std::string>& names, const std::string& n) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == n) return static_cast<std::uint32_t>(i);
    }
    return 0;  // step_names() holds every name
}

std::uint64_t to_us(Nanos d) {
    return d.count() <= 0 ? 0 : static_cast<std::uint64_t>(d.count() / 1000);
}

Nanos loop_interval(const LoopStep& loop) {
    return loop.rate > 0 ? Nanos(static_cast<Nanos::rep>(1e9 / loop.rate)) : Nanos(0);
}

}  // namespace

ScenarioStats::ScenarioStats(const Scenario& s) : names(s.step_names()), steps(names.size()) {
    expect_name.assign(s.program.size(), 0);
    for (std::size_t i = 0; i < s.program.size(); ++i) {
        if (const auto* e = std::get_if<ExpectStep>(&s.program[i].what)) {
            expect_name[i] = index_of(names, e->name);
        }
    }
    for (const ListenRule& r : s.listen) listen_name.push_back(index_of(names, r.name));
}

Session::Session(const Scenario& s, ScenarioStats& stats, JsonScratch& js, std::uint64_t conn_id,
                 std::uint64_t session_id, std::uint64_t seed)
    : s_(s),
      stats_(stats),
      js_(js),
      rng_(seed),
      slots_(s.slots.size()),
      sent_actual_(s.program.size()),
      sent_intended_(s.program.size()),
      pending_per_step_(s.program.size()),
      seen_(s.program.size()) {
    ctx_.conn_id = conn_id;
    ctx_.session_id = session_id;
    ctx_.slots = &slots_;
    ctx_.rng = &rng_;
    if (s.data) ctx_.data_row = &s.data->row_for(session_id);
    protocol_init();
}

Session::~Session() = default;

void Session::sync_context(const SessionClock& now) { ctx_.now_us = now.wall_us; }

bool Session::render(const Template& t, const SessionClock& now, std::string& out) {
    sync_context(now);
    if (t.render(ctx_, out)) return true;
    ++stats_.template_errors;
    return false;
}

void Session::start(const SessionClock& now, SessionOutput& out) {
    sync_context(now);
    for (const Var& v : s_.vars) {
        std::string value;
        if (!v.value.render(ctx_, value)) ++stats_.template_errors;
        slots_[v.slot] = std::move(value);
    }
    if (s_.heartbeat) next_heartbeat_ = now.mono + s_.heartbeat->every;
    if (s_.protocol == Protocol::mqtt) {
        keepalive_every_ = s_.mqtt.keepalive / 2;
        next_heartbeat_ = now.mono + keepalive_every_;
    }
    if (s_.protocol != Protocol::raw) {
        protocol_start(now, out);
        return;
    }
    run(now, out);
}

void Session::do_send(const SendStep& send, const SessionClock& now, SessionOutput& out) {
    ctx_.seq = next_seq_++;
    if (send.kind != SendKind::message) {
        protocol_send(send, out);
    } else {
        buffer_.clear();
        if (!send.body.render(ctx_, buffer_)) ++stats_.template_errors;
        out.send(send.type, buffer_);
    }
    ++stats_.sent;
    sent_actual_[pc_] = now.mono;
    sent_intended_[pc_] =
        !loops_.empty() &&
                loop_interval(std::get<LoopStep>(s_.program[loops_.back().begin].what)).count() > 0
            ? loops_.back().intended
            : now.mono;
}

void Session::do_expect(const ExpectStep& e, const SessionClock& now) {
    const bool in_rate_loop =
        !loops_.empty() && std::get<LoopStep>(s_.program[loops_.back().begin].what).rate > 0;
    // A spare Pending keeps its bound values' buffers: no allocation per expect once warm.
    Pending p;
    if (!spare_.empty()) {
        p = std::move(spare_.back());
        spare_.pop_back();
    }
    p.step = pc_;
    p.name = stats_.expect_name[pc_];
    p.blocking = !in_rate_loop;
    p.deadline = now.mono + e.timeout;
    p.sent_actual = e.origin == kNoSend ? now.mono : sent_actual_[e.origin];
    p.sent_intended = e.origin == kNoSend ? now.mono : sent_intended_[e.origin];
    if (!e.match.bind(ctx_, p.bound)) ++stats_.template_errors;
    if (pending_per_step_[p.step]++ == 0) ++pending_steps_;
    pending_.push_back(std::move(p));
    if (!in_rate_loop) wait_ = Wait::expect;
}

// At a loop's end: true when the loop is over (pc_ moved past it), false when the session
// waits for the next iteration's intended time.
bool Session::do_loop_end(const SessionClock& now) {
    LoopFrame& f = loops_.back();
    const auto& loop = std::get<LoopStep>(s_.program[f.begin].what);
    ++f.iterations;
    const Nanos interval = loop_interval(loop);
    const Nanos next = interval.count() > 0
                           ? f.start + interval * static_cast<Nanos::rep>(f.iterations)
                           : now.mono;
    const bool counted_out = loop.count > 0 && f.iterations >= loop.count;
    // A rate loop ends before an iteration intended at or after its duration; a loop without
    // a rate checks the time when it resumes (at its LoopStep).
    const bool timed_out =
        interval.count() > 0 && loop.duration.count() > 0 && next - f.start >= loop.duration;
    if (counted_out || timed_out) {
        loops_.pop_back();
        ++pc_;
        return true;
    }
    f.intended = next;
    pc_ = f.begin;  // resumes at the LoopStep, which sees its frame and goes on
    // Always yield between iterations, even when late or without a rate: the caller reads the
    // clock again (a duration loop of sends only would otherwise never see time pass) and
    // serves its other connections. A late iteration's latency still counts from `next`.
    wait_ = Wait::until;
    wake_ = std::max(next, now.mono);
    return false;
}

void Session::finish(std::uint16_t code, std::string_view reason, SessionOutput& out) {
    if (finished_) return;
    finished_ = true;
    pending_.clear();
    std::fill(pending_per_step_.begin(), pending_per_step_.end(), 0);
    pending_steps_ = 0;
    if (!failed_) protocol_finish(out);
    out.close(code, reason);
}

void Session::fail(std::string_view what, SessionOutput& out) {
    if (finished_) return;
    stats_.count_error(what);
    failed_ = true;
    finish(1000, {}, out);
}

void ScenarioStats::count_error(std::string_view what) {
    for (auto& [name, n] : errors) {
        if (name == what) {
            ++n;
            return;
        }
    }
    if (errors.size() + 1 >= kMaxErrorNames) {
        for (auto& [name, n] : errors) {
            if (name == "other") {
                ++n;
                return;
            }
        }
        errors.emplace_back("other", 1);
        return;
    }
    errors.emplace_back(std::string(what), 1);
}

void Session::run(const SessionClock& now, SessionOutput& out) {
    sync_context(now);
    while (!finished_ && wait_ == Wait::none) {
        if (pc_ >= s_.program.size()) {
            if (!pending_.empty()) {
                wait_ = Wait::drain;
                return;
            }
            finish(1000, {}, out);
            return;
        }
        const Step& step = s_.program[pc_];
        if (const auto* send = std::get_if<SendStep>(&step.what)) {
            do_send(*send, now, out);
            ++pc_;
        } else if (const auto* e = std::get_if<ExpectStep>(&step.what)) {
            do_expect(*e, now);
            ++pc_;
        } else if (const auto* t = std::get_if<ThinkStep>(&step.what)) {
            const auto span = static_cast<std::uint64_t>((t->max - t->min).count());
            wake_ = now.mono + t->min + Nanos(span > 0 ? rng_.next() % (span + 1) : 0);
            wait_ = Wait::until;
            ++pc_;
        } else if (const auto* loop = std::get_if<LoopStep>(&step.what)) {
            if (loops_.empty() || loops_.back().begin != pc_) {
                loops_.push_back(LoopFrame{pc_, 0, now.mono, now.mono});  // entering
                ++pc_;
            } else if (loop->rate <= 0 && loop->duration.count() > 0 &&
                       now.mono - loops_.back().start >= loop->duration) {
                loops_.pop_back();  // a loop without a rate, resumed after its duration
                pc_ = loop->end + 1;
            } else {
                ++pc_;
            }
        } else if (std::holds_alternative<LoopEnd>(step.what)) {
            if (!do_loop_end(now)) return;
        } else if (const auto* c = std::get_if<CloseStep>(&step.what)) {
            if (!pending_.empty()) {
                wait_ = Wait::drain;
                return;
            }
            finish(c->code, c->reason, out);
        }
    }
}

void Session::retire(std::size_t i) {
    if (--pending_per_step_[pending_[i].step] == 0) --pending_steps_;
    spare_.push_back(std::move(pending_[i]));
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
}

void Session::matched(std::size_t i, const IncomingMessage& msg, const SessionClock& now) {
    Pending& p = pending_[i];
    StepStats& st = stats_.steps[p.name];
    if (msg.is_error) {  // the protocol's error reply ends the wait, counted as such
        ++st.protocol_errors;
        if (p.blocking) wait_ = Wait::none;
        retire(i);
        return;
    }
    ++st.count;
    st.latency_us.record(to_us(now.mono - p.sent_intended));
    st.latency_uncorrected_us.record(to_us(now.mono - p.sent_actual));
    if (stats_.interval) (*stats_.interval)[p.name].record(to_us(now.mono - p.sent_intended));
    const auto& e = std::get<ExpectStep>(s_.program[p.step].what);
    for (const Capture& c : e.captures) {
        if (!c.extract(msg, js_, slots_[c.slot])) ++st.capture_errors;
    }
    if (p.blocking) wait_ = Wait::none;
    retire(i);
}

bool Session::offer_to_listen(const IncomingMessage& msg, const SessionClock& now) {
    for (std::size_t r = 0; r < s_.listen.size(); ++r) {
        const ListenRule& rule = s_.listen[r];
        if (!rule.match.bind(ctx_, listen_bound_)) ++stats_.template_errors;
        if (!rule.match.matches(msg, listen_bound_, js_)) continue;
        StepStats& st = stats_.steps[stats_.listen_name[r]];
        if (msg.is_error) {
            ++st.protocol_errors;
            return true;
        }
        ++st.count;
        if (!rule.sent_at_pointer.empty()) {
            std::int64_t ts = 0;
            if (!extract_integer(msg, rule.sent_at_pointer, js_, ts)) {
                ++st.timestamp_errors;
            } else {
                const std::int64_t sent_us = rule.sent_at_ms ? ts * 1000 : ts;
                const std::int64_t latency = now.wall_us - sent_us;
                const auto us = static_cast<std::uint64_t>(latency > 0 ? latency : 0);
                st.latency_us.record(us);
                st.latency_uncorrected_us.record(us);
                if (stats_.interval) (*stats_.interval)[stats_.listen_name[r]].record(us);
            }
        }
        return true;
    }
    return false;
}

void Session::on_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out) {
    if (finished_) return;
    if (s_.protocol != Protocol::raw) {
        protocol_message(msg, now, out);
        return;
    }
    on_app_message(msg, now, out);
}

void Session::on_app_message(const IncomingMessage& msg, const SessionClock& now,
                             SessionOutput& out) {
    ++stats_.received;
    sync_context(now);
    js_.new_message();
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        const auto& e = std::get<ExpectStep>(s_.program[pending_[i].step].what);
        if (e.match.matches(msg, pending_[i].bound, js_)) {
            matched(i, msg, now);
            if (wait_ == Wait::drain && pending_.empty()) wait_ = Wait::none;
            run(now, out);
            return;
        }
    }
    if (offer_to_listen(msg, now)) return;
    ++stats_.unmatched;
    if (!pending_.empty()) ++stats_.steps[pending_.front().name].unmatched;
}

void Session::on_time(const SessionClock& now, SessionOutput& out) {
    if (finished_) return;
    sync_context(now);
    if (wait_ == Wait::handshake) {
        if (now.mono >= handshake_deadline_) {
            fail(std::string(to_string(s_.protocol)) + ": no handshake reply within " +
                     std::to_string(kHandshakeTimeout.count() / 1000000000) + " s",
                 out);
        }
        return;
    }
    if (proto_ && server_silent(now, out)) return;
    if (now.mono >= next_heartbeat_) {
        // The next one after now, skipping those missed (no burst after a stall).
        const Nanos every = s_.heartbeat ? s_.heartbeat->every : keepalive_every_;
        next_heartbeat_ += every * ((now.mono - next_heartbeat_) / every + 1);
        send_keepalive(out);
    }
    // Nothing expires before the earliest deadline: no scan of the outstanding expects.
    const bool expiring = !pending_.empty() && now.mono >= earliest_deadline();
    for (std::size_t i = 0; expiring && i < pending_.size();) {
        if (pending_[i].deadline > now.mono) {
            ++i;
            continue;
        }
        ++stats_.steps[pending_[i].name].timeouts;
        const bool blocking = pending_[i].blocking;
        const bool close = std::get<ExpectStep>(s_.program[pending_[i].step].what).close_on_timeout;
        retire(i);
        if (close) {
            finish(1000, {}, out);
            return;
        }
        if (blocking) wait_ = Wait::none;
    }
    if (wait_ == Wait::until && now.mono >= wake_) wait_ = Wait::none;
    if (wait_ == Wait::drain && pending_.empty()) wait_ = Wait::none;
    run(now, out);
}

Nanos Session::next_wakeup() const {
    if (finished_) return kNever;
    if (wait_ == Wait::handshake) return handshake_deadline_;
    Nanos next = next_heartbeat_;
    if (proto_ && proto_->peer_silence_limit.count() > 0) {
        next = std::min(next, proto_->last_input + proto_->peer_silence_limit);
    }
    if (wait_ == Wait::until) next = std::min(next, wake_);
    return std::min(next, earliest_deadline());
}

Nanos Session::earliest_deadline() const {
    // The first entry of each step with expects outstanding, found from the front: one
    // entry when a single expect step is outstanding (a rate loop's), not all of them.
    Nanos earliest = kNever;
    std::uint32_t found = 0;
    ++epoch_;
    for (const Pending& p : pending_) {
        if (found == pending_steps_) break;
        if (seen_[p.step] == epoch_) continue;
        seen_[p.step] = epoch_;
        ++found;
        earliest = std::min(earliest, p.deadline);
    }
    return earliest;
}

}  // namespace wsb::scenario
