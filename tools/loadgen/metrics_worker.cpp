// A worker's side of the live metrics: once a second, when the coordinator asks for its
// interval, the worker copies its cumulative counters and reduces its histograms to the live
// buckets (Worker::capture_live). Nothing here runs per message.
#include "loadgen/metrics.hpp"
#include "loadgen/script.hpp"
#include "loadgen/worker.hpp"

namespace wsb::loadgen {

void Worker::capture_live() {
    LiveCounters& c = live_metrics;
    c.messages_sent = result.messages_sent;
    c.messages_received = result.messages_received;
    c.bytes_sent = result.bytes_sent;
    c.bytes_received = result.bytes_received;
    c.connections_opened = result.connections_established;
    c.connections_failed = result.connections_failed;
    c.connections_open = open_;
    c.errors = result.errors;
    c.close_codes = result.close_codes;  // reuses the map's nodes once the codes are known
    c.latency = live_buckets(result.latency);
    c.latency_uncorrected = live_buckets(result.latency_uncorrected);
    c.schedule_lag = live_buckets(result.schedule_lag);
    if (!script_) return;
    const ScriptRun& r = *script_;
    c.sessions_started = r.sessions.started;
    c.sessions_completed = r.sessions.completed;
    c.sessions_failed = r.sessions.failed;
    c.sessions_cut = r.sessions.cut;
    if (c.steps.size() != r.stats.steps.size()) {
        // Once: which names are expects (their latencies make the run's).
        c.steps.assign(r.stats.steps.size(), LiveStep{});
        for (auto& s : c.steps) s.expect = false;
        for (std::size_t i = 0; i < r.s.program.size(); ++i) {
            if (std::holds_alternative<scenario::ExpectStep>(r.s.program[i].what)) {
                c.steps[r.stats.expect_name[i]].expect = true;
            }
        }
    }
    c.latency = LiveBuckets{};
    c.latency_uncorrected = LiveBuckets{};
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
        const scenario::StepStats& st = r.stats.steps[i];
        LiveStep& s = c.steps[i];
        s.count = st.count;
        s.timeouts = st.timeouts;
        s.latency = live_buckets(st.latency_us);
        s.latency_uncorrected = live_buckets(st.latency_uncorrected_us);
        if (!s.expect) continue;
        c.latency.add(s.latency);
        c.latency_uncorrected.add(s.latency_uncorrected);
    }
}

}  // namespace wsb::loadgen
