// A worker running a scenario file: the phases start sessions (open-model arrivals on the
// schedule heap, closed-model users kept running), each on a connection of its own; session
// timers (thinks, rate loops, expect timeouts, heartbeats) share the heap and its timer; at
// the end the running sessions get --drain-timeout to finish and are then cut.
#include <algorithm>
#include <functional>

#include "loadgen/connection.hpp"
#include "loadgen/script.hpp"
#include "loadgen/worker.hpp"

namespace wsb::loadgen {
namespace {

constexpr std::size_t kArrivalsPerPass = 256;          // sessions started per handler run
constexpr std::uint64_t kMaxMessage = 64ull << 20;     // a larger message fails with 1009
constexpr std::uint64_t kFailuresMeanTargetLost = 20;  // consecutive failed opens

}  // namespace

void Worker::script_tick(Ns now) {
    ScriptRun& r = *script_;
    if (r.t0 < 0) {
        const Ns start = shared.window_start.load(std::memory_order_relaxed);
        if (start < 0) return;
        r.t0 = start;
        window_seen_ = true;
        window_cpu_start_ = thread_cpu_seconds();
        // The first arrival goes on the timer now, so it is not a tick late.
        r.arrival = r.plan.next_arrival();
        if (r.arrival >= 0) {
            r.arrival_queued = true;
            push_due(r.t0 + r.arrival, kArrivalEntry);
            arm_send_timer();
        }
    }
    if (now < r.t0) return;
    {
        std::uint64_t timeouts = 0;
        for (const auto& st : r.stats.steps) timeouts += st.timeouts;
        progress.timeouts.store(timeouts, std::memory_order_relaxed);
    }
    if (lost_all_ && !closing_all_) script_cut(now);
    if (closing_all_) return;
    const PhaseNs t = now - r.t0;
    if (!r.over && t >= r.plan.end()) {
        // The phases are over: no new session; the running ones get the drain time.
        r.over = true;
        r.drain_deadline = now + config.drain_timeout.count();
    }
    if (r.over) {
        if (r.live.empty() || now >= r.drain_deadline) script_cut(now);
        return;
    }
    const std::size_t phase = r.plan.phase_at(t);
    if (phase != r.users_phase) script_phase_users(now, phase);
    for (std::size_t i = 0; i < r.users.size(); ++i) {
        if (!r.user_running[i] && now >= r.user_retry[i]) {
            start_session(now, now, r.users[i], static_cast<std::int64_t>(i));
        }
    }
    if (r.arrival >= 0 && !r.arrival_queued) {
        r.arrival_queued = true;
        push_due(r.t0 + r.arrival, kArrivalEntry);
        arm_send_timer();
    }
}

void Worker::check_script_deadlines(Ns now) {
    // Connect/handshake deadlines and close-handshake deadlines of the live sessions only:
    // the connections of ended sessions stay in connections_.
    const std::vector<std::uint32_t>& live = script_->live;
    for (std::size_t i = 0; i < live.size();) {
        Connection& c = *connections_[live[i]];
        const bool connecting = c.state == Connection::State::connecting ||
                                c.state == Connection::State::tls ||
                                c.state == Connection::State::handshaking;
        if (connecting && now >= c.deadline) {
            c.fail(ErrorKind::timeout);
        } else if (c.state == Connection::State::closing && now >= c.deadline) {
            c.finish();
        }
        // A finished connection left the list: this slot holds another one now.
        if (i < live.size() && live[i] == c.local) ++i;
    }
}

void Worker::script_phase_users(Ns now, std::size_t phase) {
    // A new phase: its users (none for an open phase). Sessions of the last phase's users
    // keep running; one whose user the new phase keeps too stays that user's session.
    ScriptRun& r = *script_;
    r.users_phase = phase;
    r.users = r.plan.users(phase);
    r.user_running.assign(r.users.size(), 0);
    r.user_retry.assign(r.users.size(), now);
    for (auto& c : connections_) {
        if (!c->script || c->script->ended || c->script->user < 0) continue;
        const auto it = std::lower_bound(r.users.begin(), r.users.end(), c->script->conn_id);
        if (it != r.users.end() && *it == c->script->conn_id) {
            const auto i = static_cast<std::size_t>(it - r.users.begin());
            c->script->user = static_cast<std::int64_t>(i);
            r.user_running[i] = 1;
        } else {
            c->script->user = -1;
        }
    }
}

void Worker::start_session(Ns now, Ns intended, std::uint64_t conn_id, std::int64_t user) {
    ScriptRun& r = *script_;
    const std::uint64_t n = shared.next_session.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t session_id = n * config.shard_count + config.shard_index;
    if (user < 0) conn_id = session_id;  // open model: one connection per session
    // A spare connection object if there is one: memory follows the sessions running, not
    // the sessions run.
    std::uint32_t local = 0;
    if (!r.spare.empty()) {
        local = r.spare.back();
        r.spare.pop_back();
        connections_[local]->reuse(static_cast<std::uint32_t>(session_id));
    } else {
        local = static_cast<std::uint32_t>(connections_.size());
        connections_.push_back(
            std::make_unique<Connection>(*this, static_cast<std::uint32_t>(session_id), local));
    }
    Connection& c = *connections_[local];
    c.script = std::make_unique<ScriptSession>(c, r, conn_id, session_id, rng_());
    c.script->user = user;
    ParserOptions o;
    o.role = Role::client;
    o.max_message_size = kMaxMessage;
    c.parser = FrameParser(o);
    next_to_start_ = connections_.size();
    c.script->live_at = r.live.size();
    r.live.push_back(local);
    ++alive_;
    ++r.sessions.started;
    if (user >= 0) r.user_running[static_cast<std::size_t>(user)] = 1;
    if (user < 0) r.sessions.start_lag.record(to_us(now - intended));
    bump(progress.sessions_started, std::uint64_t{1});
    c.start_connect();
}

void Worker::script_opened(Connection& c, Ns now) {
    script_->failed_in_a_row = 0;
    c.script->opened = true;
    c.script->session.start(session_clock(now), *c.script);
    c.flush();
    script_reschedule(c);
}

void Worker::script_reschedule(Connection& c) {
    ScriptSession& s = *c.script;
    if (s.session.finished() || c.state != Connection::State::open) return;
    const Ns due = s.session.next_wakeup().count();
    if (s.session.next_wakeup() == scenario::Session::kNever || due >= s.scheduled) return;
    s.scheduled = due;
    push_due(due, c.local);
    arm_send_timer();
}

void Worker::script_ended(Connection& c) {
    ScriptRun& r = *script_;
    ScriptSession& s = *c.script;
    if (s.ended) return;
    s.ended = true;
    bump(progress.sessions_ended, std::uint64_t{1});
    const bool opened = s.opened;
    // Off the live list (swap with the last).
    const std::uint32_t last = r.live.back();
    r.live[s.live_at] = last;
    connections_[last]->script->live_at = s.live_at;
    r.live.pop_back();
    if (s.session.failed()) {
        ++r.sessions.failed;  // a protocol error, counted by name in stats.errors
        bump(progress.sessions_failed, std::uint64_t{1});
    } else if (s.session.finished()) {
        ++r.sessions.completed;
    } else if (closing_all_) {
        ++r.sessions.cut;
    } else {
        ++r.sessions.failed;
        bump(progress.sessions_failed, std::uint64_t{1});
        if (!opened && ++r.failed_in_a_row >= kFailuresMeanTargetLost &&
            result.connections_established > 0 && r.live.empty() && !lost_all_) {
            // The target was reachable and now refuses every session: it went away.
            lost_all_ = true;
            lost_at_ = shared.now();
        }
    }
    // The session is freed, and the connection kept for another one, from the loop: this
    // runs inside the connection's own handlers, and the handlers its close cancelled are
    // queued before the posted one.
    asio::post(io, [this, local = c.local] {
        Connection& done = *connections_[local];
        done.script.reset();
        if (done.reusable()) script_->spare.push_back(local);
    });
    if (s.user >= 0) {
        const auto i = static_cast<std::size_t>(s.user);
        r.user_running[i] = 0;
        // A finished user starts again at once (from the loop, not inside this handler); a
        // failed one after kUserRetryNs.
        const bool completed = s.session.finished() && !s.session.failed();
        r.user_retry[i] = completed ? 0 : shared.now() + kUserRetryNs;
        if (completed && !closing_all_ && !r.over) {
            asio::post(io, [this] {
                if (!closing_all_) script_tick(shared.now());
            });
        }
    }
}

void Worker::run_script_schedule(Ns now) {
    last_pass_ = now;
    std::size_t handled = 0;
    while (!heap_.empty() && heap_.front().first <= now && handled++ < 4096) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
        const auto [due, local] = heap_.back();
        heap_.pop_back();
        if (local == kArrivalEntry) {
            script_->arrival_queued = false;
            script_arrivals(now);
            continue;
        }
        Connection& c = *connections_[local];
        if (!c.script || c.script->scheduled != due) continue;  // superseded
        c.script->scheduled = std::numeric_limits<Ns>::max();
        if (c.state != Connection::State::open || c.script->session.finished()) continue;
        c.script->session.on_time(session_clock(now), *c.script);
        c.flush();
        script_reschedule(c);
    }
    if (!heap_.empty() && heap_.front().first <= now) {
        pass_again(now);
        return;
    }
    arm_send_timer();
}

void Worker::script_arrivals(Ns now) {
    ScriptRun& r = *script_;
    if (closing_all_ || r.over) return;
    for (std::size_t n = 0; r.arrival >= 0 && r.t0 + r.arrival <= now; ++n) {
        if (n == kArrivalsPerPass) break;
        start_session(now, r.t0 + r.arrival, 0, -1);
        r.arrival = r.plan.next_arrival();
    }
    if (r.arrival >= 0) {
        r.arrival_queued = true;
        push_due(std::max(r.t0 + r.arrival, now), kArrivalEntry);
    }
}

void Worker::script_cut(Ns now) {
    // The end: sessions still running are closed (1000) and counted as cut. The run lasted
    // until now: the last session ended, or the drain time is over.
    if (script_->t0 >= 0) result.duration_s = static_cast<double>(now - script_->t0) / 1e9;
    closing_all_ = true;
    if (!window_over_) window_cpu_end_ = thread_cpu_seconds();
    window_over_ = true;
    heap_.clear();
    for (auto& c : connections_) {
        if (c->state == Connection::State::open) {
            c->close(1000);
        } else if (c->state != Connection::State::closed &&
                   c->state != Connection::State::closing) {
            c->finish();
        }
    }
}

void Worker::script_finish() {
    ScriptRun& r = *script_;
    result.steps = step_reports(r.s, r.stats);
    for (const auto& [name, st] : result.steps) {
        if (st.kind != "expect") continue;
        result.latency.add(st.latency);
        result.latency_uncorrected.add(st.latency_uncorrected);
    }
    r.sessions.unmatched = r.stats.unmatched;
    r.sessions.template_errors = r.stats.template_errors;
    for (const auto& [what, n] : r.stats.errors) r.sessions.errors[what] += n;
    result.sessions = r.sessions;
}

}  // namespace wsb::loadgen
