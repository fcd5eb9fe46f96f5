// Live metrics: the reduction of histograms to Prometheus buckets, the sums, and the
// exposition (see loadgen/metrics.hpp).
#include "loadgen/metrics.hpp"

#include <filesystem>

#include "wsbench/prometheus.hpp"
#include "wsbench/scenario/model.hpp"

namespace wsb::loadgen {
namespace {

using Type = PromWriter::Type;

PromHistogram seconds(const LiveBuckets& b) {
    PromHistogram h;
    for (std::size_t i = 0; i < kLiveBucketsUs.size(); ++i) {
        h.bounds.push_back(static_cast<double>(kLiveBucketsUs[i]) / 1e6);
        h.cumulative.push_back(b.le[i]);
    }
    h.count = b.count;
    h.sum = b.sum_us / 1e6;
    return h;
}

// The families, in the order they are written: name, type, help.
struct Family {
    const char* name;
    Type type;
    const char* help;
};
constexpr Family kFamilies[] = {
    {"wsbench_loadgen_running", Type::gauge, "1 while the run goes, 0 once it is over."},
    {"wsbench_loadgen_messages_total", Type::counter,
     "Messages in the measured window by direction (sent, received), as in the JSON report."},
    {"wsbench_loadgen_bytes_total", Type::counter,
     "Payload bytes in the measured window by direction (sent, received)."},
    {"wsbench_loadgen_connections_open", Type::gauge, "Connections open now."},
    {"wsbench_loadgen_connections_target", Type::gauge,
     "Connections this process opens (-c, its shard's share)."},
    {"wsbench_loadgen_connections_opened_total", Type::counter,
     "Connections opened (TCP, TLS and the opening handshake)."},
    {"wsbench_loadgen_connections_failed_total", Type::counter,
     "Connections that could not be opened."},
    {"wsbench_loadgen_errors_total", Type::counter, "Errors by kind (the report's errors)."},
    {"wsbench_loadgen_closes_total", Type::counter, "Close frames from the target by close code."},
    {"wsbench_loadgen_sessions_started_total", Type::counter, "Scenario file: sessions started."},
    {"wsbench_loadgen_sessions_completed_total", Type::counter,
     "Scenario file: sessions that ran to their end."},
    {"wsbench_loadgen_sessions_failed_total", Type::counter,
     "Scenario file: sessions whose connection failed or was lost."},
    {"wsbench_loadgen_sessions_cut_total", Type::counter,
     "Scenario file: sessions still running when the run ended."},
    {"wsbench_loadgen_latency_seconds", Type::histogram,
     "Round-trip latency from the intended send time (corrected for coordinated omission)."},
    {"wsbench_loadgen_latency_uncorrected_seconds", Type::histogram,
     "Round-trip latency from the actual send time."},
    {"wsbench_loadgen_schedule_lag_seconds", Type::histogram,
     "Open loop: how much later than intended each message was sent."},
    {"wsbench_loadgen_step_replies_total", Type::counter,
     "Scenario file: a step's matched replies (expect) or messages taken (listen)."},
    {"wsbench_loadgen_step_timeouts_total", Type::counter,
     "Scenario file: a step's expects that saw no match in time."},
    {"wsbench_loadgen_step_latency_seconds", Type::histogram,
     "Scenario file: a step's latency from the intended send time."},
    {"wsbench_loadgen_step_latency_uncorrected_seconds", Type::histogram,
     "Scenario file: a step's latency from the actual send time."},
    {"wsbench_loadgen_cpu_seconds_total", Type::counter,
     "CPU time (user and system) of the load generator's process: the generator's own cost."},
};

void family(PromWriter& w, const char* name) {
    for (const Family& f : kFamilies) {
        if (std::string_view(f.name) == name) w.family(f.name, f.type, f.help);
    }
}

void connection_metrics(PromWriter& w, const LiveCounters& c, const LiveLabels& l) {
    const PromLabel sc{"scenario", l.scenario};
    const PromLabel sh{"shard", l.shard};
    family(w, "wsbench_loadgen_connections_open");
    w.sample("wsbench_loadgen_connections_open", {sc, sh}, c.connections_open);
    family(w, "wsbench_loadgen_connections_target");
    w.sample("wsbench_loadgen_connections_target", {sc, sh}, l.connections_target);
    family(w, "wsbench_loadgen_connections_opened_total");
    w.sample("wsbench_loadgen_connections_opened_total", {sc, sh}, c.connections_opened);
    family(w, "wsbench_loadgen_connections_failed_total");
    w.sample("wsbench_loadgen_connections_failed_total", {sc, sh}, c.connections_failed);
    family(w, "wsbench_loadgen_errors_total");
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        w.sample("wsbench_loadgen_errors_total",
                 {sc, sh, {"kind", to_string(static_cast<ErrorKind>(i))}}, c.errors[i]);
    }
    family(w, "wsbench_loadgen_closes_total");
    for (const auto& [code, n] : c.close_codes) {
        w.sample("wsbench_loadgen_closes_total", {sc, sh, {"code", std::to_string(code)}}, n);
    }
}

void session_metrics(PromWriter& w, const LiveCounters& c, const LiveLabels& l) {
    const PromLabel sc{"scenario", l.scenario};
    const PromLabel sh{"shard", l.shard};
    const std::pair<const char*, std::uint64_t> sessions[] = {
        {"wsbench_loadgen_sessions_started_total", c.sessions_started},
        {"wsbench_loadgen_sessions_completed_total", c.sessions_completed},
        {"wsbench_loadgen_sessions_failed_total", c.sessions_failed},
        {"wsbench_loadgen_sessions_cut_total", c.sessions_cut},
    };
    for (const auto& [name, n] : sessions) {
        family(w, name);
        w.sample(name, {sc, sh}, n);
    }
    const std::size_t n = std::min(l.step_names.size(), c.steps.size());
    const auto each = [&](const char* name, auto&& write) {
        family(w, name);
        for (std::size_t i = 0; i < n; ++i) write(name, PromLabel{"step", l.step_names[i]}, i);
    };
    each("wsbench_loadgen_step_replies_total", [&](const char* name, PromLabel st, std::size_t i) {
        w.sample(name, {sc, sh, st}, c.steps[i].count);
    });
    each("wsbench_loadgen_step_timeouts_total", [&](const char* name, PromLabel st, std::size_t i) {
        w.sample(name, {sc, sh, st}, c.steps[i].timeouts);
    });
    each("wsbench_loadgen_step_latency_seconds",
         [&](const char* name, PromLabel st, std::size_t i) {
             w.histogram(name, {sc, sh, st}, seconds(c.steps[i].latency));
         });
    each("wsbench_loadgen_step_latency_uncorrected_seconds",
         [&](const char* name, PromLabel st, std::size_t i) {
             w.histogram(name, {sc, sh, st}, seconds(c.steps[i].latency_uncorrected));
         });
}

}  // namespace

void LiveBuckets::add(const LiveBuckets& other) {
    for (std::size_t i = 0; i < le.size(); ++i) le[i] += other.le[i];
    count += other.count;
    sum_us += other.sum_us;
}

LiveBuckets live_buckets(const Histogram& h) {
    LiveBuckets b;
    if (h.total_count() == 0) return b;
    std::size_t at = 0;  // the first bound that may hold the bucket
    std::array<std::uint64_t, kLiveBucketsUs.size()> in{};
    for (const HistogramBucket& bucket : h.recorded()) {
        // A bucket belongs under the first bound its lowest equivalent value does not pass
        // (HdrHistogram's resolution, 0.1 %, is far finer than the bounds' spacing).
        while (at < kLiveBucketsUs.size() && bucket.lowest > kLiveBucketsUs[at]) ++at;
        if (at < kLiveBucketsUs.size()) in[at] += bucket.count;
        b.count += bucket.count;
        // The median equivalent value (HdrHistogram's): lowest + half the bucket's range.
        const std::uint64_t median = bucket.lowest + (bucket.value - bucket.lowest + 1) / 2;
        b.sum_us += static_cast<double>(bucket.count) * static_cast<double>(median);
    }
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        running += in[i];
        b.le[i] = running;
    }
    return b;
}

void LiveCounters::add(const LiveCounters& o) {
    messages_sent += o.messages_sent;
    messages_received += o.messages_received;
    bytes_sent += o.bytes_sent;
    bytes_received += o.bytes_received;
    connections_opened += o.connections_opened;
    connections_failed += o.connections_failed;
    connections_open += o.connections_open;
    for (std::size_t i = 0; i < kErrorKinds; ++i) errors[i] += o.errors[i];
    for (const auto& [code, n] : o.close_codes) close_codes[code] += n;
    sessions_started += o.sessions_started;
    sessions_completed += o.sessions_completed;
    sessions_failed += o.sessions_failed;
    sessions_cut += o.sessions_cut;
    if (steps.size() < o.steps.size()) steps.resize(o.steps.size());
    for (std::size_t i = 0; i < o.steps.size(); ++i) {
        LiveStep& s = steps[i];
        s.expect = o.steps[i].expect;
        s.count += o.steps[i].count;
        s.timeouts += o.steps[i].timeouts;
        s.latency.add(o.steps[i].latency);
        s.latency_uncorrected.add(o.steps[i].latency_uncorrected);
    }
    latency.add(o.latency);
    latency_uncorrected.add(o.latency_uncorrected);
    schedule_lag.add(o.schedule_lag);
}

LiveCounters live_counters(const RunResult& r, const std::vector<std::string>& step_names) {
    LiveCounters c;
    c.messages_sent = r.messages_sent;
    c.messages_received = r.messages_received;
    c.bytes_sent = r.bytes_sent;
    c.bytes_received = r.bytes_received;
    c.connections_opened = r.connections_established;
    c.connections_failed = r.connections_failed;
    c.errors = r.errors;
    c.close_codes = r.close_codes;
    if (r.sessions) {
        c.sessions_started = r.sessions->started;
        c.sessions_completed = r.sessions->completed;
        c.sessions_failed = r.sessions->failed;
        c.sessions_cut = r.sessions->cut;
    }
    for (const std::string& name : step_names) {
        LiveStep s;
        if (const auto it = r.steps.find(name); it != r.steps.end()) {
            s.expect = it->second.kind == "expect";
            s.count = it->second.count;
            s.timeouts = it->second.timeouts;
            s.latency = live_buckets(it->second.latency);
            s.latency_uncorrected = live_buckets(it->second.latency_uncorrected);
        }
        c.steps.push_back(s);
    }
    c.latency = live_buckets(r.latency);
    c.latency_uncorrected = live_buckets(r.latency_uncorrected);
    c.schedule_lag = live_buckets(r.schedule_lag);
    return c;
}

LiveSecond live_second(std::uint64_t sent, std::uint64_t received, std::uint64_t errors,
                       std::uint64_t connections, const Histogram& second,
                       const std::vector<Histogram>& steps) {
    const auto at = [](const Histogram& h, double p) {
        return h.total_count() == 0 ? std::uint64_t{0} : h.value_at_percentile(p);
    };
    LiveSecond s{sent, received, errors, connections, at(second, 50), at(second, 99), {}};
    for (const Histogram& h : steps) s.steps.push_back({at(h, 50), at(h, 99)});
    return s;
}

LiveLabels live_labels(const Config& config) {
    LiveLabels l;
    l.scenario = to_string(config.scenario);
    if (config.script) {
        l.scenario = std::filesystem::path(config.script->file).stem().string();
        l.step_names = config.script->step_names();
    }
    l.shard = std::to_string(config.shard_index);
    l.open_loop = config.open_loop();
    l.connections_target = config.connections;
    return l;
}

std::string live_metrics_text(const LiveCounters& c, const LiveLabels& l, double cpu_s,
                              bool running) {
    PromWriter w;
    const PromLabel sc{"scenario", l.scenario};
    const PromLabel sh{"shard", l.shard};
    family(w, "wsbench_loadgen_running");
    w.sample("wsbench_loadgen_running", {sc, sh}, std::uint64_t{running ? 1u : 0u});
    for (const char* what : {"messages", "bytes"}) {
        const std::string name = std::string("wsbench_loadgen_") + what + "_total";
        family(w, name.c_str());
        const bool messages = what[0] == 'm';
        w.sample(name, {sc, sh, {"direction", "sent"}}, messages ? c.messages_sent : c.bytes_sent);
        w.sample(name, {sc, sh, {"direction", "received"}},
                 messages ? c.messages_received : c.bytes_received);
    }
    connection_metrics(w, c, l);
    if (!l.step_names.empty()) session_metrics(w, c, l);
    family(w, "wsbench_loadgen_latency_seconds");
    w.histogram("wsbench_loadgen_latency_seconds", {sc, sh}, seconds(c.latency));
    family(w, "wsbench_loadgen_latency_uncorrected_seconds");
    w.histogram("wsbench_loadgen_latency_uncorrected_seconds", {sc, sh},
                seconds(c.latency_uncorrected));
    if (l.open_loop) {
        family(w, "wsbench_loadgen_schedule_lag_seconds");
        w.histogram("wsbench_loadgen_schedule_lag_seconds", {sc, sh}, seconds(c.schedule_lag));
    }
    family(w, "wsbench_loadgen_cpu_seconds_total");
    w.sample("wsbench_loadgen_cpu_seconds_total", {sc, sh}, cpu_s);
    return w.text();
}

std::vector<std::string> live_metric_names() {
    std::vector<std::string> names;
    for (const Family& f : kFamilies) names.emplace_back(f.name);
    return names;
}

}  // namespace wsb::loadgen
