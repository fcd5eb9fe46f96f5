// merge: loadgen reports from shards or hosts into one exact report, through the report model:
// decode every input, add them part by part, and let the model encode the result.
#include "report/merge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

namespace wsb::report {
namespace {

using json = nlohmann::json;

// Settings that say what a run measured: inputs must agree on every one to merge.
constexpr const char* kSameMeasurement[] = {
    "url",
    "scenario",
    "duration_s",
    "warmup_s",
    "messages_per_connection",
    "pipeline",
    "per_connection_rate",
    "coalesce_s",
    "message_size",
    "message_type",
    "ping_interval_s",
    "subprotocols",
    "reply_timeout_s",
    "deflate",
    "payload_file",
};
// Totals every shard of one run states alike.
constexpr const char* kShardTotals[] = {"connections", "rate", "connect_rate"};

ShardId shard_of(const LoadgenFile& f) { return f.report.config.shard.value_or(ShardId{}); }
bool is_shard(const LoadgenFile& f) { return shard_of(f).count > 1; }

std::string value_text(const json& v) {
    if (v.is_null()) return "(absent)";
    return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
}

// Adds `from` into `into`, or throws naming both files and the histogram.
void add_histogram(Histogram& into, const Histogram& from, const std::string& what,
                   const std::string& first, const std::string& other) {
    const Errc e = into.add(from);
    if (e == Errc::ok) return;
    throw InputError(first + " and " + other + ": " + what +
                     (e == Errc::histogram_incompatible
                          ? " histograms have different settings (significant digits or lowest "
                            "discernible value), so they cannot merge exactly"
                          : " histogram of the second holds values beyond the range of the "
                            "first"));
}

// Shards of one run: the same N and totals, each index once.
void check_shards(const LoadgenFile& first, const LoadgenFile& f, const json& fc, const json& rc,
                  std::set<std::uint64_t>& seen) {
    if (shard_of(f).count != shard_of(first).count) {
        throw InputError(first.path + " and " + f.path + ": shards of different runs (" +
                         std::to_string(shard_of(first).count) + " and " +
                         std::to_string(shard_of(f).count) + " shards)");
    }
    for (const char* key : kShardTotals) {
        if (fc.value(key, json()) != rc.value(key, json())) {
            throw InputError(first.path + " and " + f.path + ": shards of different runs: config." +
                             key + " (the total) is " + value_text(fc.value(key, json())) +
                             " and " + value_text(rc.value(key, json())));
        }
    }
    if (!seen.insert(shard_of(f).index).second) {
        throw InputError(f.path + ": shard " + std::to_string(shard_of(f).index) + "/" +
                         std::to_string(shard_of(f).count) +
                         " appears twice among the inputs; each shard merges once");
    }
}

void check_compatible(const std::vector<LoadgenFile>& in) {
    const LoadgenFile& first = in.front();
    const json fc = first.report.config;
    std::set<std::uint64_t> seen;
    for (const LoadgenFile& f : in) {
        const json rc = f.report.config;
        for (const char* key : kSameMeasurement) {
            const json a = fc.value(key, json());
            const json b = rc.value(key, json());
            if (a != b) {
                throw InputError(first.path + " and " + f.path + " measured different runs: " +
                                 "config." + key + " is " + value_text(a) + " and " +
                                 value_text(b) + "; merge only reports of the same load");
            }
        }
        if (is_shard(f) != is_shard(first)) {
            throw InputError(first.path + " and " + f.path +
                             ": one is a shard of a --shard run and the other is not; merge "
                             "the shards of one run, or separate runs, not both");
        }
        if (is_shard(first)) check_shards(first, f, fc, rc, seen);
    }
}

// Histograms: exact sums; schedule lag only when every input has it.
void add_histograms(const std::vector<LoadgenFile>& in, LoadgenReport& m) {
    const LoadgenFile& first = in.front();
    bool all_lag = true;
    for (const LoadgenFile& f : in) all_lag = all_lag && f.report.schedule_lag.has_value();
    m.latency = first.report.latency;
    m.latency_uncorrected = first.report.latency_uncorrected;
    m.connect = first.report.connect;
    m.handshake = first.report.handshake;
    m.schedule_lag = all_lag ? first.report.schedule_lag : std::nullopt;
    for (std::size_t i = 1; i < in.size(); ++i) {
        const LoadgenReport& r = in[i].report;
        auto add = [&](Histogram& into, const Histogram& from, const char* what) {
            add_histogram(into, from, what, first.path, in[i].path);
        };
        add(m.latency, r.latency, "latency");
        add(m.latency_uncorrected, r.latency_uncorrected, "latency_uncorrected");
        add(m.connect, r.connect, "connect");
        add(m.handshake, r.handshake, "handshake");
        if (all_lag) add(*m.schedule_lag, *r.schedule_lag, "schedule_lag");
    }
}

// Counters, errors, close codes, generator health, broadcast deliveries, deflate bytes: sums.
void add_counters(const std::vector<LoadgenFile>& in, LoadgenReport& m,
                  std::vector<std::string>& warnings) {
    if (m.config.scenario == "broadcast") m.broadcast = BroadcastCounts{};
    for (const LoadgenFile& f : in) {
        const LoadgenReport& r = f.report;
        m.connections.target += r.connections.target;
        m.connections.established += r.connections.established;
        m.connections.failed += r.connections.failed;
        m.connections.ramp_s =
            std::max(m.connections.ramp_s, r.connections.ramp_s);  // side by side
        m.messages_sent += r.messages_sent;
        m.messages_received += r.messages_received;
        m.bytes_sent += r.bytes_sent;
        m.bytes_received += r.bytes_received;
        if (r.duration_s > 0) {
            m.sent_per_s += static_cast<double>(r.messages_sent) / r.duration_s;
            m.received_per_s += static_cast<double>(r.messages_received) / r.duration_s;
        }
        for (const auto& [kind, n] : r.errors) m.errors[kind] += n;
        for (const auto& [code, n] : r.close_codes) m.close_codes[code] += n;
        for (const ThreadHealth& t : r.threads) {
            m.threads.push_back(
                {m.threads.size(), t.cpu_s, t.connections, t.event_loop, t.window_cpu_s});
        }
        for (const std::string& w : r.warnings) m.warnings.push_back(f.path + ": " + w);
        if (m.broadcast && r.broadcast) {
            m.broadcast->expected += r.broadcast->expected;
            m.broadcast->lost += r.broadcast->lost;
            m.broadcast->duplicated += r.broadcast->duplicated;
        }
        if (const auto& d = r.deflate) {
            // --deflate: counts summed, the first input's agreed parameters.
            if (!m.deflate) m.deflate.emplace();
            m.deflate->connections += d->connections;
            if (!m.deflate->agreed) m.deflate->agreed = d->agreed;
            m.deflate->sent_bytes += d->sent_bytes;
            m.deflate->sent_wire_bytes += d->sent_wire_bytes;
            m.deflate->received_bytes += d->received_bytes;
            m.deflate->received_wire_bytes += d->received_wire_bytes;
        }
        if (!r.fatal.empty()) m.fatal += (m.fatal.empty() ? "" : "; ") + f.path + ": " + r.fatal;
        m.envelope.interrupted = m.envelope.interrupted || r.envelope.interrupted;
        if (r.slo) {
            warnings.push_back(f.path +
                               ": its --slo verdict covers that run alone and is left out of the "
                               "merge");
        }
    }
}

void add_step(StepReport& into, const StepReport& from, const std::string& name,
              const std::string& first, const std::string& other) {
    if (into.kind != from.kind) {
        throw InputError(first + " and " + other + ": step '" + name + "' is of kind " + into.kind +
                         " in the first and " + from.kind +
                         " in the second; merge reports of the same scenario file");
    }
    into.count += from.count;
    into.timeouts += from.timeouts;
    for (const auto& [kind, n] : from.errors) into.errors[kind] += n;
    into.unmatched += from.unmatched;
    add_histogram(into.latency, from.latency, "steps." + name + ".latency", first, other);
    add_histogram(into.latency_uncorrected, from.latency_uncorrected,
                  "steps." + name + ".latency_uncorrected", first, other);
}

// Scenario files: each step summed by name (counts, errors by kind, histograms added), and the
// sessions summed; a step an input lacks counts nothing there.
void add_steps(const std::vector<LoadgenFile>& in, LoadgenReport& m,
               std::vector<std::string>& warnings) {
    std::map<std::string, std::string> origin;  // step name -> the first input that has it
    for (const LoadgenFile& f : in) {
        for (const auto& [name, step] : f.report.steps) {
            if (origin.emplace(name, f.path).second) {
                m.steps.emplace(name, step);
            } else {
                add_step(m.steps.at(name), step, name, origin.at(name), f.path);
            }
        }
        if (const auto& s = f.report.sessions) {
            if (!m.sessions) {
                m.sessions = s;
                continue;
            }
            SessionCounts& into = *m.sessions;
            into.started += s->started;
            into.completed += s->completed;
            into.failed += s->failed;
            into.cut += s->cut;
            into.unmatched += s->unmatched;
            into.template_errors += s->template_errors;
            for (const auto& [what, n] : s->errors) into.errors[what] += n;
            add_histogram(into.start_lag, s->start_lag, "sessions.start_lag", in.front().path,
                          f.path);
        }
        const std::string& file = f.report.config.scenario_file;
        if (file != in.front().report.config.scenario_file) {
            warnings.push_back(in.front().path + " and " + f.path +
                               " ran different scenario files ('" +
                               in.front().report.config.scenario_file + "' and '" + file +
                               "'): their steps are merged by name");
        }
    }
}

// The windows: aligned on their wall-clock starts when every input has one.
struct Windows {
    bool all_started = false;
    std::int64_t origin_ms = 0;  ///< the earliest start
    double duration_s = 0;       ///< from the earliest start to the latest end
    double offset_s(const LoadgenReport& r) const {
        return all_started ? static_cast<double>(*r.started_ms - origin_ms) / 1e3 : 0.0;
    }
};

Windows align_windows(const std::vector<LoadgenFile>& in, std::vector<std::string>& warnings) {
    Windows w;
    w.all_started = true;
    for (const LoadgenFile& f : in) w.all_started = w.all_started && f.report.started_ms;
    if (!w.all_started) {
        for (const LoadgenFile& f : in) w.duration_s = std::max(w.duration_s, f.report.duration_s);
        warnings.push_back(
            "some inputs do not record when their window started (older wsbench-loadgen): "
            "timelines are aligned on their first second");
        return w;
    }
    w.origin_ms = *in.front().report.started_ms;
    std::int64_t latest_start = w.origin_ms;
    for (const LoadgenFile& f : in) {
        w.origin_ms = std::min(w.origin_ms, *f.report.started_ms);
        latest_start = std::max(latest_start, *f.report.started_ms);
    }
    double shortest = -1;
    for (const LoadgenFile& f : in) {
        const LoadgenReport& r = f.report;
        w.duration_s = std::max(w.duration_s, w.offset_s(r) + r.duration_s);
        shortest = shortest < 0 ? r.duration_s : std::min(shortest, r.duration_s);
    }
    const double spread = static_cast<double>(latest_start - w.origin_ms) / 1e3;
    if (spread > 0.5 * shortest && spread >= 1.0) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "the measured windows start %.1f s apart, against %.1f s of the "
                      "shortest: the inputs did not load the target at the same time",
                      spread, shortest);
        warnings.emplace_back(buf);
    }
    return w;
}

// One wall-clock second of the merged timeline, summed over the inputs.
struct Second {
    TimelinePoint sum;
    std::optional<Histogram> latency;
};

Histogram decoded(const std::string& encoded, const std::string& path) {
    Histogram h;
    if (Histogram::decode_base64(encoded, h) != Errc::ok) {
        throw InputError(path + ": a timeline histogram does not decode");
    }
    return h;
}

// Per wall-clock second: sums; p50/p99 from the summed per-second histograms when every input
// carries them, else the largest of the inputs'.
std::vector<TimelinePoint> merge_timeline(const std::vector<LoadgenFile>& in, const Windows& w,
                                          std::vector<std::string>& warnings) {
    bool exact = true;
    for (const LoadgenFile& f : in) exact = exact && f.report.has_timeline_histograms();
    std::map<std::int64_t, Second> seconds;
    for (const LoadgenFile& f : in) {
        for (const TimelinePoint& p : f.report.timeline) {
            Second& s = seconds[std::llround(p.t_s + w.offset_s(f.report))];
            s.sum.sent += p.sent;
            s.sum.received += p.received;
            s.sum.connections += p.connections;
            s.sum.errors += p.errors;
            s.sum.p50_us = std::max(s.sum.p50_us, p.p50_us);
            s.sum.p99_us = std::max(s.sum.p99_us, p.p99_us);
            if (!exact) continue;
            if (!s.latency) {
                s.latency = decoded(p.histogram, f.path);
            } else {
                add_histogram(*s.latency, decoded(p.histogram, f.path), "timeline", in.front().path,
                              f.path);
            }
        }
    }
    if (!exact && !seconds.empty()) {
        warnings.push_back(
            "some inputs carry no per-second histograms (older wsbench-loadgen): the merged "
            "timeline's p50/p99 are the largest of the inputs', not exact");
    }
    std::vector<TimelinePoint> timeline;
    for (auto& [t, s] : seconds) {
        TimelinePoint p = s.sum;
        p.t_s = static_cast<double>(t);
        if (s.latency) {
            p.p50_us = s.latency->total_count() > 0 ? s.latency->value_at_percentile(50) : 0;
            p.p99_us = s.latency->total_count() > 0 ? s.latency->value_at_percentile(99) : 0;
            p.histogram = s.latency->encode_base64();
        }
        timeline.push_back(p);
    }
    return timeline;
}

// The merged settings: the shared ones, the totals, every source address.
LoadgenSettings merged_config(const std::vector<LoadgenFile>& in) {
    LoadgenSettings c = in.front().report.config;
    const bool sharded = is_shard(in.front());
    c.shard.reset();
    c.threads = 0;
    c.source_ips.clear();
    if (!sharded) {
        // Separate runs at once: the target saw their sum.
        c.connections = 0;
        c.rate = 0;
        c.connect_rate = 0;
    }
    for (const LoadgenFile& f : in) {
        const LoadgenSettings& rc = f.report.config;
        c.threads += rc.threads;
        for (const std::string& ip : rc.source_ips) {
            if (std::find(c.source_ips.begin(), c.source_ips.end(), ip) == c.source_ips.end()) {
                c.source_ips.push_back(ip);
            }
        }
        if (!sharded) {
            c.connections += rc.connections;
            c.rate += rc.rate;
            c.connect_rate += rc.connect_rate;
        }
    }
    c.slo.clear();
    return c;
}

std::string joined_distinct(const std::vector<LoadgenFile>& in,
                            const std::function<std::string(const Host&)>& get) {
    std::vector<std::string> seen;
    for (const LoadgenFile& f : in) {
        const std::string v = get(f.report.envelope.host);
        if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
    }
    std::string out;
    for (const std::string& v : seen) out += (out.empty() ? "" : ", ") + v;
    return out;
}

Host merged_host(const std::vector<LoadgenFile>& in) {
    Host h;
    h.hostname = joined_distinct(in, [](const Host& x) { return x.hostname; });
    h.os = joined_distinct(in, [](const Host& x) { return x.os; });
    for (const LoadgenFile& f : in) h.cpus += f.report.envelope.host.cpus;
    return h;
}

// The `merged` section: every source, and for shards which were merged and which are missing.
MergeInfo merge_info(const std::vector<LoadgenFile>& in, std::vector<std::string>& warnings) {
    MergeInfo info;
    info.inputs = in.size();
    for (const LoadgenFile& f : in) {
        const LoadgenReport& r = f.report;
        MergeSource s{f.path, r.envelope.host.hostname, r.envelope.created, "", std::nullopt};
        if (r.started_ms) s.started = format_rfc3339_utc_ms(*r.started_ms);
        if (is_shard(f)) s.shard = shard_of(f);
        info.sources.push_back(std::move(s));
    }
    if (!is_shard(in.front())) return info;
    MergeInfo::Shards shards;
    shards.count = shard_of(in.front()).count;
    std::set<std::uint64_t> merged;
    for (const LoadgenFile& f : in) merged.insert(shard_of(f).index);
    shards.merged.assign(merged.begin(), merged.end());
    for (std::uint64_t i = 0; i < shards.count; ++i) {
        if (!merged.count(i)) shards.missing.push_back(i);
    }
    if (!shards.missing.empty()) {
        warnings.push_back("shard(s) " + json(shards.missing).dump() + " of " +
                           std::to_string(shards.count) +
                           " are missing: the merged report covers part of the run");
    }
    info.shards = shards;
    return info;
}

}  // namespace

LoadgenReport merge_loadgen(const std::vector<LoadgenFile>& in, std::vector<std::string>& warnings,
                            std::chrono::system_clock::time_point created) {
    if (in.size() < 2) throw InputError("merge needs at least two reports");
    for (const LoadgenFile& f : in) {
        // Each step of a search is its own run: there is no one run to merge them into.
        if (f.report.capacity) {
            throw InputError(f.path +
                             ": a capacity search (--find-max) cannot be merged; compare two "
                             "searches with wsbench-report compare");
        }
    }
    check_compatible(in);
    LoadgenReport m;
    m.envelope = make_envelope(kLoadgenSchema, "wsbench-report",
                               in.front().report.envelope.target_url, created, false);
    m.envelope.host = merged_host(in);
    m.config = merged_config(in);
    add_histograms(in, m);
    add_counters(in, m, warnings);
    add_steps(in, m, warnings);
    const Windows windows = align_windows(in, warnings);
    if (windows.all_started) m.started_ms = windows.origin_ms;
    m.duration_s = windows.duration_s;
    m.timeline = merge_timeline(in, windows, warnings);
    m.merged = merge_info(in, warnings);
    return m;
}

}  // namespace wsb::report
