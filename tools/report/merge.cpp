// merge: loadgen reports from shards or hosts into one exact report.
#include "merge.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "report.hpp"
#include "wsbench/report.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

// Config keys that say what a run measured: inputs must agree on every one to merge.
constexpr const char* kSameMeasurement[] = {
    "url",
    "scenario",
    "duration_s",
    "warmup_s",
    "messages_per_connection",
    "pipeline",
    "per_connection_rate",
    "message_size",
    "message_type",
    "ping_interval_s",
    "subprotocols",
    "reply_timeout_s",
};
// Totals every shard of one run states alike.
constexpr const char* kShardTotals[] = {"connections", "rate", "connect_rate"};

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

void check_compatible(const std::vector<LoadgenReport>& in) {
    const LoadgenReport& first = in.front();
    const json& fc = first.doc.at("config");
    const bool sharded = first.shard_count > 1;
    std::set<std::uint64_t> seen;
    for (const LoadgenReport& r : in) {
        const json& rc = r.doc.at("config");
        for (const char* key : kSameMeasurement) {
            const json a = fc.value(key, json());
            const json b = rc.value(key, json());
            if (a != b) {
                throw InputError(first.path + " and " + r.path + " measured different runs: " +
                                 "config." + key + " is " + value_text(a) + " and " +
                                 value_text(b) + "; merge only reports of the same load");
            }
        }
        if ((r.shard_count > 1) != sharded) {
            throw InputError(first.path + " and " + r.path +
                             ": one is a shard of a --shard run and the other is not; merge "
                             "the shards of one run, or separate runs, not both");
        }
        if (!sharded) continue;
        if (r.shard_count != first.shard_count) {
            throw InputError(first.path + " and " + r.path + ": shards of different runs (" +
                             std::to_string(first.shard_count) + " and " +
                             std::to_string(r.shard_count) + " shards)");
        }
        for (const char* key : kShardTotals) {
            if (fc.value(key, json()) != rc.value(key, json())) {
                throw InputError(first.path + " and " + r.path +
                                 ": shards of different runs: config." + key + " (the total) is " +
                                 value_text(fc.value(key, json())) + " and " +
                                 value_text(rc.value(key, json())));
            }
        }
        if (!seen.insert(r.shard_index).second) {
            throw InputError(r.path + ": shard " + std::to_string(r.shard_index) + "/" +
                             std::to_string(r.shard_count) +
                             " appears twice among the inputs; each shard merges once");
        }
    }
}

std::string rfc3339_from_ms(std::int64_t ms) {
    return format_rfc3339_utc(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::milliseconds(ms))));
}

std::string joined_distinct(const std::vector<LoadgenReport>& in,
                            const std::function<std::string(const LoadgenReport&)>& get) {
    std::vector<std::string> seen;
    for (const LoadgenReport& r : in) {
        const std::string v = get(r);
        if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
    }
    std::string out;
    for (const std::string& v : seen) out += (out.empty() ? "" : ", ") + v;
    return out;
}

struct Second {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t connections = 0;
    std::uint64_t errors = 0;
    std::uint64_t p50_max = 0;
    std::uint64_t p99_max = 0;
    std::optional<Histogram> latency;
};

}  // namespace

json merge_loadgen(const std::vector<LoadgenReport>& in, std::vector<std::string>& warnings) {
    if (in.size() < 2) throw InputError("merge needs at least two reports");
    check_compatible(in);
    const LoadgenReport& first = in.front();
    const bool sharded = first.shard_count > 1;

    // Histograms: exact sums.
    loadgen::RunResult m;
    m.latency = first.run.latency;
    m.latency_uncorrected = first.run.latency_uncorrected;
    m.connect = first.run.connect;
    m.handshake = first.run.handshake;
    bool all_lag = true;
    for (const LoadgenReport& r : in) all_lag = all_lag && r.has_schedule_lag;
    if (all_lag) m.schedule_lag = first.run.schedule_lag;
    for (std::size_t i = 1; i < in.size(); ++i) {
        const loadgen::RunResult& r = in[i].run;
        add_histogram(m.latency, r.latency, "latency", first.path, in[i].path);
        add_histogram(m.latency_uncorrected, r.latency_uncorrected, "latency_uncorrected",
                      first.path, in[i].path);
        add_histogram(m.connect, r.connect, "connect", first.path, in[i].path);
        add_histogram(m.handshake, r.handshake, "handshake", first.path, in[i].path);
        if (all_lag) {
            add_histogram(m.schedule_lag, r.schedule_lag, "schedule_lag", first.path, in[i].path);
        }
    }

    // Counters.
    double sent_per_s = 0;
    double received_per_s = 0;
    std::uint64_t attempts = 0;
    double cpu_s = 0;
    json threads = json::array();
    json errors = json::object();
    json close_codes = json::object();
    std::uint64_t broadcast_expected = 0;
    std::uint64_t broadcast_lost = 0;
    std::uint64_t broadcast_duplicated = 0;
    json generator_warnings = json::array();
    std::string fatal;
    bool interrupted = false;
    for (const LoadgenReport& r : in) {
        const loadgen::RunResult& run = r.run;
        m.connections_target += run.connections_target;
        m.connections_established += run.connections_established;
        m.connections_failed += run.connections_failed;
        m.ramp_s = std::max(m.ramp_s, run.ramp_s);  // shards ramp side by side
        m.messages_sent += run.messages_sent;
        m.messages_received += run.messages_received;
        m.bytes_sent += run.bytes_sent;
        m.bytes_received += run.bytes_received;
        if (run.duration_s > 0) {
            sent_per_s += static_cast<double>(run.messages_sent) / run.duration_s;
            received_per_s += static_cast<double>(run.messages_received) / run.duration_s;
        }
        attempts += loadgen::error_attempts(run);
        for (const auto& [kind, n] : r.doc.at("errors").items()) {
            errors[kind] = errors.value(kind, std::uint64_t{0}) + n.get<std::uint64_t>();
        }
        for (const auto& [code, n] : run.close_codes) {
            const std::string key = std::to_string(code);
            close_codes[key] = close_codes.value(key, std::uint64_t{0}) + n;
        }
        for (const loadgen::ThreadHealth& t : run.threads) {
            cpu_s += t.cpu_s;
            threads.push_back(
                {{"index", threads.size()}, {"cpu_s", t.cpu_s}, {"connections", t.connections}});
        }
        for (const std::string& w : run.warnings) generator_warnings.push_back(r.path + ": " + w);
        if (const auto b = r.doc.find("broadcast"); b != r.doc.end()) {
            broadcast_expected += b->at("expected").get<std::uint64_t>();
            broadcast_lost += b->at("lost").get<std::uint64_t>();
            broadcast_duplicated += b->at("duplicated").get<std::uint64_t>();
        }
        if (!run.fatal.empty()) fatal += (fatal.empty() ? "" : "; ") + r.path + ": " + run.fatal;
        interrupted = interrupted || run.interrupted;
        if (r.doc.contains("slo")) {
            warnings.push_back(r.path +
                               ": its --slo verdict covers that run alone and is left out of the "
                               "merge");
        }
    }
    std::uint64_t total_errors = 0;
    for (const auto& [kind, n] : errors.items()) total_errors += n.get<std::uint64_t>();

    // Windows: aligned on their wall-clock starts when every input has one.
    bool all_started = true;
    for (const LoadgenReport& r : in) all_started = all_started && r.started_ms.has_value();
    std::int64_t origin_ms = 0;
    double duration_s = 0;
    if (all_started) {
        origin_ms = *first.started_ms;
        std::int64_t latest_start = origin_ms;
        for (const LoadgenReport& r : in) {
            origin_ms = std::min(origin_ms, *r.started_ms);
            latest_start = std::max(latest_start, *r.started_ms);
        }
        double shortest = -1;
        for (const LoadgenReport& r : in) {
            const double end =
                static_cast<double>(*r.started_ms - origin_ms) / 1e3 + r.run.duration_s;
            duration_s = std::max(duration_s, end);
            shortest = shortest < 0 ? r.run.duration_s : std::min(shortest, r.run.duration_s);
        }
        const double spread = static_cast<double>(latest_start - origin_ms) / 1e3;
        if (spread > 0.5 * shortest && spread >= 1.0) {
            char buf[160];
            std::snprintf(buf, sizeof buf,
                          "the measured windows start %.1f s apart, against %.1f s of the "
                          "shortest: the inputs did not load the target at the same time",
                          spread, shortest);
            warnings.emplace_back(buf);
        }
    } else {
        for (const LoadgenReport& r : in) duration_s = std::max(duration_s, r.run.duration_s);
        warnings.push_back(
            "some inputs do not record when their window started (older wsbench-loadgen): "
            "timelines are aligned on their first second");
    }

    // Timeline: per wall-clock second.
    bool all_second_histograms = true;
    for (const LoadgenReport& r : in) {
        all_second_histograms = all_second_histograms &&
                                r.timeline_histograms.size() == r.run.timeline.size() &&
                                !r.run.timeline.empty();
    }
    std::map<std::int64_t, Second> seconds;
    for (const LoadgenReport& r : in) {
        const double offset =
            all_started ? static_cast<double>(*r.started_ms - origin_ms) / 1e3 : 0.0;
        for (std::size_t i = 0; i < r.run.timeline.size(); ++i) {
            const loadgen::TimelinePoint& p = r.run.timeline[i];
            Second& s = seconds[std::llround(p.t_s + offset)];
            s.sent += p.sent;
            s.received += p.received;
            s.connections += p.connections;
            s.errors += p.errors;
            s.p50_max = std::max(s.p50_max, p.p50_us);
            s.p99_max = std::max(s.p99_max, p.p99_us);
            if (all_second_histograms) {
                if (!s.latency) {
                    s.latency = r.timeline_histograms[i];
                } else {
                    add_histogram(*s.latency, r.timeline_histograms[i], "timeline", first.path,
                                  r.path);
                }
            }
        }
    }
    if (!all_second_histograms && !seconds.empty()) {
        warnings.push_back(
            "some inputs carry no per-second histograms (older wsbench-loadgen): the merged "
            "timeline's p50/p99 are the largest of the inputs', not exact");
    }
    json timeline = json::array();
    for (const auto& [t, s] : seconds) {
        loadgen::TimelinePoint p;
        p.t_s = static_cast<double>(t);
        p.sent = s.sent;
        p.received = s.received;
        p.connections = s.connections;
        p.errors = s.errors;
        if (s.latency) {
            if (s.latency->total_count() > 0) {
                p.p50_us = s.latency->value_at_percentile(50);
                p.p99_us = s.latency->value_at_percentile(99);
            }
            p.histogram = s.latency->encode_base64();
        } else {
            p.p50_us = s.p50_max;
            p.p99_us = s.p99_max;
        }
        timeline.push_back(p);
    }

    // Shards merged and missing.
    json shards;
    if (sharded) {
        std::set<std::uint64_t> merged;
        for (const LoadgenReport& r : in) merged.insert(r.shard_index);
        json missing = json::array();
        for (std::uint64_t i = 0; i < first.shard_count; ++i) {
            if (!merged.count(i)) missing.push_back(i);
        }
        if (!missing.empty()) {
            warnings.push_back("shard(s) " + missing.dump() + " of " +
                               std::to_string(first.shard_count) +
                               " are missing: the merged report covers part of the run");
        }
        shards = {{"count", first.shard_count}, {"merged", merged}, {"missing", missing}};
    }

    // The merged config: the shared settings, the totals, every source address.
    json config = first.doc.at("config");
    config.erase("shard");
    std::uint64_t threads_total = 0;
    json source_ips = json::array();
    double rate = 0;
    double connect_rate = 0;
    std::uint64_t connections = 0;
    for (const LoadgenReport& r : in) {
        const json& c = r.doc.at("config");
        threads_total += r.run.config.threads;
        for (const json& ip : c.value("source_ips", json::array())) {
            if (std::find(source_ips.begin(), source_ips.end(), ip) == source_ips.end()) {
                source_ips.push_back(ip);
            }
        }
        rate += r.run.config.rate;
        connect_rate += r.run.config.connect_rate;
        connections += r.run.config.connections;
    }
    config["threads"] = threads_total;
    config["source_ips"] = source_ips;
    if (!sharded) {
        // Separate runs at once: the target saw their sum.
        config["connections"] = connections;
        config["rate"] = rate;
        config["connect_rate"] = connect_rate;
    }
    config["slo"] = json::array();

    json report = make_envelope(loadgen::kReportSchema, "wsbench-report", first.target_url, config,
                                interrupted);
    report["host"] = {
        {"hostname", joined_distinct(in, [](const LoadgenReport& r) { return r.hostname; })},
        {"os", joined_distinct(in, [](const LoadgenReport& r) { return r.os; })},
        {"cpus",
         [&] {
             std::uint64_t cpus = 0;
             for (const LoadgenReport& r : in) cpus += r.cpus;
             return cpus;
         }()},
    };
    if (all_started) report["started"] = rfc3339_from_ms(origin_ms);
    report["scenario"] = first.doc.at("scenario");
    report["summary"] = {
        {"connections",
         {{"target", m.connections_target},
          {"established", m.connections_established},
          {"failed", m.connections_failed},
          {"ramp_s", m.ramp_s},
          {"opened_per_s",
           m.ramp_s > 0 ? static_cast<double>(m.connections_established) / m.ramp_s : 0.0}}},
        {"messages", {{"sent", m.messages_sent}, {"received", m.messages_received}}},
        {"bytes", {{"sent", m.bytes_sent}, {"received", m.bytes_received}}},
        {"duration_s", duration_s},
        {"throughput", {{"sent_per_s", sent_per_s}, {"received_per_s", received_per_s}}},
        {"errors", total_errors},
        {"error_rate", total_errors == 0 ? 0.0
                       : attempts == 0
                           ? 1.0
                           : static_cast<double>(total_errors) / static_cast<double>(attempts)},
    };
    report["latency_us"] = latency_summary(m.latency);
    report["latency_uncorrected_us"] = latency_summary(m.latency_uncorrected);
    report["connect_latency_us"] = latency_summary(m.connect);
    report["handshake_latency_us"] = latency_summary(m.handshake);
    report["histograms"] = {
        {"latency", m.latency.encode_base64()},
        {"latency_uncorrected", m.latency_uncorrected.encode_base64()},
        {"connect", m.connect.encode_base64()},
        {"handshake", m.handshake.encode_base64()},
    };
    if (all_lag) report["histograms"]["schedule_lag"] = m.schedule_lag.encode_base64();
    report["timeline"] = timeline;
    report["errors"] = errors;
    report["close_codes"] = close_codes;
    report["generator"] = {
        {"threads", threads},
        {"cpu_s", cpu_s},
        {"schedule_lag_us", latency_summary(m.schedule_lag)},
        {"warnings", generator_warnings},
    };
    if (first.doc.at("scenario") == "broadcast") {
        report["broadcast"] = {{"expected", broadcast_expected},
                               {"lost", broadcast_lost},
                               {"duplicated", broadcast_duplicated}};
    }
    if (!fatal.empty()) report["fatal"] = fatal;

    json sources = json::array();
    for (const LoadgenReport& r : in) {
        json source = {{"file", r.path}, {"hostname", r.hostname}, {"created", r.created}};
        if (r.started_ms) source["started"] = rfc3339_from_ms(*r.started_ms);
        if (r.shard_count > 1) {
            source["shard"] = {{"index", r.shard_index}, {"count", r.shard_count}};
        }
        sources.push_back(source);
    }
    report["merged"] = {{"inputs", in.size()}, {"sources", sources}};
    if (sharded) report["merged"]["shards"] = shards;
    return report;
}

}  // namespace wsb::report
