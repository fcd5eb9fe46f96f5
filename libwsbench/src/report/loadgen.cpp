// The "wsbench.loadgen/1" report model: to_json, from_json (every field checked) and equality.
#include "wsbench/report/loadgen.hpp"

#include <cstdlib>
#include <tuple>

#include "json_fields.hpp"
#include "loadgen_capacity.hpp"
#include "loadgen_deflate.hpp"
#include "loadgen_steps.hpp"

namespace wsb::report {

using json = nlohmann::json;
using namespace fields;

namespace {

double per_second(std::uint64_t n, double duration_s) {
    return duration_s > 0 ? static_cast<double>(n) / duration_s : 0.0;
}

json shard_id_json(const ShardId& s) { return {{"index", s.index}, {"count", s.count}}; }

ShardId shard_id_from(const json& j, const std::string& path) {
    ShardId s;
    s.index = u64(j, path, "index");
    s.count = u64(j, path, "count");
    return s;
}

// "file": a scenario file (--scenario FILE), named in config.scenario_file.
const char* const kScenarios[] = {"echo", "broadcast", "connect", "file"};

std::string scenario_from(const json& parent, const std::string& path, const char* key) {
    const std::string s = text(parent, path, key);
    for (const char* known : kScenarios) {
        if (s == known) return s;
    }
    fail(path + "." + key, "expected echo, broadcast, connect or file, not '" + s + "'");
}

std::optional<double> optional_number(const json& parent, const std::string& path,
                                      const char* key) {
    if (!find(parent, key)) return std::nullopt;
    return number(parent, path, key);
}

// ------------------------------------------------------------------------ writing sections

json summary_json(const LoadgenReport& r) {
    const auto& c = r.connections;
    return {
        {"connections",
         {{"target", c.target},
          {"established", c.established},
          {"failed", c.failed},
          {"ramp_s", c.ramp_s},
          {"opened_per_s", c.ramp_s > 0 ? static_cast<double>(c.established) / c.ramp_s : 0.0}}},
        {"messages", {{"sent", r.messages_sent}, {"received", r.messages_received}}},
        {"bytes", {{"sent", r.bytes_sent}, {"received", r.bytes_received}}},
        {"duration_s", r.duration_s},
        {"throughput", {{"sent_per_s", r.sent_per_s}, {"received_per_s", r.received_per_s}}},
        {"errors", r.total_errors()},
        {"error_rate", r.error_rate()},
    };
}

json histograms_json(const LoadgenReport& r) {
    json h = {
        {"latency", r.latency.encode_base64()},
        {"latency_uncorrected", r.latency_uncorrected.encode_base64()},
        {"connect", r.connect.encode_base64()},
        {"handshake", r.handshake.encode_base64()},
    };
    if (r.schedule_lag) h["schedule_lag"] = r.schedule_lag->encode_base64();
    return h;
}

json generator_json(const LoadgenReport& r) {
    double cpu_s = 0;
    for (const ThreadHealth& t : r.threads) cpu_s += t.cpu_s;
    return {
        {"threads", r.threads},
        {"cpu_s", cpu_s},
        {"cpu_us_per_message", detail::cpu_us_per_message(r)},
        {"schedule_lag_us", latency_summary(r.schedule_lag.value_or(Histogram()))},
        {"warnings", r.warnings},
    };
}

json merged_json(const MergeInfo& m) {
    json sources = json::array();
    for (const MergeSource& s : m.sources) {
        json source = {{"file", s.file}, {"hostname", s.hostname}, {"created", s.created}};
        if (!s.started.empty()) source["started"] = s.started;
        if (s.shard) source["shard"] = shard_id_json(*s.shard);
        sources.push_back(source);
    }
    json out = {{"inputs", m.inputs}, {"sources", sources}};
    if (m.shards) {
        out["shards"] = {{"count", m.shards->count},
                         {"merged", m.shards->merged},
                         {"missing", m.shards->missing}};
    }
    return out;
}

// ------------------------------------------------------------------------ reading sections

void read_summary(const json& d, LoadgenReport& r) {
    const json& s = at(d, "$", "summary");
    const json& conns = at(s, "$.summary", "connections");
    r.connections.target = u64(conns, "$.summary.connections", "target");
    r.connections.established = u64(conns, "$.summary.connections", "established");
    r.connections.failed = u64(conns, "$.summary.connections", "failed");
    // Optional (newer reports): the connect ramp.
    if (const json* ramp = find(conns, "ramp_s"); ramp && ramp->is_number() && *ramp >= 0) {
        r.connections.ramp_s = ramp->get<double>();
    }
    const json& messages = at(s, "$.summary", "messages");
    r.messages_sent = u64(messages, "$.summary.messages", "sent");
    r.messages_received = u64(messages, "$.summary.messages", "received");
    const json& bytes = at(s, "$.summary", "bytes");
    r.bytes_sent = u64(bytes, "$.summary.bytes", "sent");
    r.bytes_received = u64(bytes, "$.summary.bytes", "received");
    r.duration_s = number(s, "$.summary", "duration_s");
    const json& throughput = at(s, "$.summary", "throughput");
    r.received_per_s = number(throughput, "$.summary.throughput", "received_per_s");
    // Older hand-made reports may lack it: recompute.
    r.sent_per_s = find(throughput, "sent_per_s")
                       ? number(throughput, "$.summary.throughput", "sent_per_s")
                       : per_second(r.messages_sent, r.duration_s);
}

void read_histograms(const json& d, LoadgenReport& r) {
    // The exact data; the summaries beside them are derived from these.
    const json& h = at(d, "$", "histograms");
    r.latency = histogram(h, "$.histograms", "latency");
    r.latency_uncorrected = histogram(h, "$.histograms", "latency_uncorrected");
    r.connect = histogram(h, "$.histograms", "connect");
    r.handshake = histogram(h, "$.histograms", "handshake");
    if (find(h, "schedule_lag")) r.schedule_lag = histogram(h, "$.histograms", "schedule_lag");
}

void read_timeline(const json& d, LoadgenReport& r) {
    const json& timeline = array(d, "$", "timeline");
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        const std::string at_i = "$.timeline[" + std::to_string(i) + "]";
        const json& t = timeline[i];
        TimelinePoint p;
        p.t_s = number(t, at_i, "t_s");
        p.sent = u64(t, at_i, "sent");
        p.received = u64(t, at_i, "received");
        p.connections = u64(t, at_i, "connections");
        p.errors = u64(t, at_i, "errors");
        p.p50_us = u64(t, at_i, "p50_us");
        p.p99_us = u64(t, at_i, "p99_us");
        if (const json* enc = find(t, "histogram")) {
            histogram(*enc, at_i + ".histogram");  // checked here, decoded where it is used
            p.histogram = enc->get<std::string>();
        }
        r.timeline.push_back(std::move(p));
    }
}

void read_counts(const json& d, LoadgenReport& r) {
    const json& errors = at(d, "$", "errors");
    if (!errors.is_object()) fail("$.errors", "expected an object");
    for (const auto& [kind, n] : errors.items()) r.errors[kind] = u64(n, "$.errors." + kind);
    const json& codes = at(d, "$", "close_codes");
    if (!codes.is_object()) fail("$.close_codes", "expected an object");
    for (const auto& [code, n] : codes.items()) {
        char* end = nullptr;
        const unsigned long value = std::strtoul(code.c_str(), &end, 10);
        if (code.empty() || *end != '\0' || value > 65535) {
            fail("$.close_codes", "'" + code + "' is not a close code");
        }
        r.close_codes[static_cast<std::uint16_t>(value)] = u64(n, "$.close_codes." + code);
    }
}

void read_generator(const json& d, LoadgenReport& r) {
    const json& g = at(d, "$", "generator");
    const json& threads = array(g, "$.generator", "threads");
    for (std::size_t i = 0; i < threads.size(); ++i) {
        const std::string at_i = "$.generator.threads[" + std::to_string(i) + "]";
        ThreadHealth t;
        t.index = u64(threads[i], at_i, "index");
        t.cpu_s = number(threads[i], at_i, "cpu_s");
        t.connections = u64(threads[i], at_i, "connections");
        if (threads[i].contains("event_loop")) {
            t.event_loop = text(threads[i], at_i, "event_loop");
        }
        if (threads[i].contains("window_cpu_s")) {
            t.window_cpu_s = number(threads[i], at_i, "window_cpu_s");
        }
        r.threads.push_back(t);
    }
    r.warnings = strings(g, "$.generator", "warnings");
}

void read_shard(const json& s, LoadgenReport& r) {
    ShardPart p;
    p.index = u64(s, "$.shard", "index");
    p.count = u64(s, "$.shard", "count");
    p.first_connection = u64(s, "$.shard", "first_connection");
    p.connections = u64(s, "$.shard", "connections");
    p.rate = number(s, "$.shard", "rate");
    p.connect_rate = number(s, "$.shard", "connect_rate");
    r.shard = p;
}

MergeInfo read_merged(const json& m) {
    MergeInfo info;
    info.inputs = u64(m, "$.merged", "inputs");
    if (const json* sources = find(m, "sources"); sources && sources->is_array()) {
        for (std::size_t i = 0; i < sources->size(); ++i) {
            const std::string at_i = "$.merged.sources[" + std::to_string(i) + "]";
            const json& s = (*sources)[i];
            MergeSource src;
            src.file = text(s, at_i, "file");
            src.hostname = text(s, at_i, "hostname");
            src.created = text(s, at_i, "created");
            if (find(s, "started")) src.started = text(s, at_i, "started");
            if (const json* shard = find(s, "shard")) src.shard = shard_id_from(*shard, at_i);
            info.sources.push_back(std::move(src));
        }
    }
    if (const json* shards = find(m, "shards")) {
        MergeInfo::Shards s;
        s.count = u64(*shards, "$.merged.shards", "count");
        for (const char* key : {"merged", "missing"}) {
            const json& list = array(*shards, "$.merged.shards", key);
            auto& into = std::string(key) == "merged" ? s.merged : s.missing;
            for (const json& v : list)
                into.push_back(u64(v, std::string("$.merged.shards.") + key));
        }
        info.shards = s;
    }
    return info;
}

void read_optional_sections(const json& d, LoadgenReport& r) {
    if (const json* started = find(d, "started")) {
        if (!started->is_string() ||
            !(r.started_ms = parse_rfc3339_ms(started->get<std::string>()))) {
            fail("$.started", "expected an RFC 3339 timestamp");
        }
    }
    if (const json* shard = find(d, "shard")) read_shard(*shard, r);
    if (const json* b = find(d, "broadcast")) {
        r.broadcast =
            BroadcastCounts{u64(*b, "$.broadcast", "expected"), u64(*b, "$.broadcast", "lost"),
                            u64(*b, "$.broadcast", "duplicated")};
    }
    if (const json* slo = find(d, "slo")) {
        r.slo = SloVerdict{strings(*slo, "$.slo", "terms"), boolean(*slo, "$.slo", "passed"),
                           strings(*slo, "$.slo", "breaches")};
    }
    if (const json* fatal = find(d, "fatal")) r.fatal = text(*fatal, "$.fatal");
    if (const json* merged = find(d, "merged")) r.merged = read_merged(*merged);
}

}  // namespace

// ---------------------------------------------------------------------------- settings

void to_json(json& j, const LoadgenSettings& c) {
    json headers = json::array();
    for (const HeaderSetting& h : c.headers)
        headers.push_back({{"name", h.name}, {"value", h.value}});
    j = json{
        {"url", c.url},
        {"scenario", c.scenario},
        {"connections", c.connections},
        {"threads", c.threads},
        {"duration_s", c.duration_s},
        {"messages_per_connection", c.messages_per_connection},
        {"warmup_s", c.warmup_s},
        {"rate", c.rate},
        {"per_connection_rate", c.per_connection_rate},
        {"pipeline", c.pipeline},
        {"message_size", c.message_size},
        {"message_type", c.message_type},
        {"connect_rate", c.connect_rate},
        {"connect_timeout_s", c.connect_timeout_s},
        {"ping_interval_s", c.ping_interval_s},
        {"headers", headers},
        {"subprotocols", c.subprotocols},
        {"origin", c.origin},
        {"insecure", c.insecure},
        {"ca_file", c.ca_file},
        {"source_ips", c.source_ips},
        {"slo", c.slo},
    };
    if (c.max_connecting) j["max_connecting"] = *c.max_connecting;
    if (c.drain_timeout_s) j["drain_timeout_s"] = *c.drain_timeout_s;
    if (c.reply_timeout_s) j["reply_timeout_s"] = *c.reply_timeout_s;
    if (c.shard) j["shard"] = shard_id_json(*c.shard);
    if (c.stall) j["stall"] = *c.stall;
    if (c.coalesce_s) j["coalesce_s"] = *c.coalesce_s;
    if (!c.scenario_file.empty()) j["scenario_file"] = c.scenario_file;
    detail::write_deflate_settings(j, c);
}

void from_json(const json& j, LoadgenSettings& c) {
    const std::string p = "$.config";
    c.url = text(j, p, "url");
    c.scenario = scenario_from(j, p, "scenario");
    c.connections = u64(j, p, "connections");
    c.threads = u64(j, p, "threads");
    c.duration_s = number(j, p, "duration_s");
    c.messages_per_connection = u64(j, p, "messages_per_connection");
    c.warmup_s = number(j, p, "warmup_s");
    c.rate = number(j, p, "rate");
    c.per_connection_rate = number(j, p, "per_connection_rate");
    c.pipeline = u64(j, p, "pipeline");
    c.message_size = u64(j, p, "message_size");
    c.message_type = text(j, p, "message_type");
    c.connect_rate = number(j, p, "connect_rate");
    c.ping_interval_s = number(j, p, "ping_interval_s");
    // Settings no reader judges by: read when present, so older or hand-made reports still load.
    if (find(j, "connect_timeout_s")) c.connect_timeout_s = number(j, p, "connect_timeout_s");
    if (find(j, "max_connecting")) c.max_connecting = u64(j, p, "max_connecting");
    if (find(j, "stall")) c.stall = u64(j, p, "stall");
    if (find(j, "coalesce_s")) c.coalesce_s = number(j, p, "coalesce_s");
    if (find(j, "scenario_file")) c.scenario_file = text(j, p, "scenario_file");
    c.drain_timeout_s = optional_number(j, p, "drain_timeout_s");
    c.reply_timeout_s = optional_number(j, p, "reply_timeout_s");
    if (const json* headers = find(j, "headers")) {
        if (!headers->is_array()) fail(p + ".headers", "expected an array");
        for (const json& h : *headers) {
            c.headers.push_back(
                {text(h, p + ".headers[]", "name"), text(h, p + ".headers[]", "value")});
        }
    }
    if (find(j, "subprotocols")) c.subprotocols = strings(j, p, "subprotocols");
    if (find(j, "origin")) c.origin = text(j, p, "origin");
    if (find(j, "insecure")) c.insecure = boolean(j, p, "insecure");
    if (find(j, "ca_file")) c.ca_file = text(j, p, "ca_file");
    if (find(j, "source_ips")) c.source_ips = strings(j, p, "source_ips");
    if (find(j, "slo")) c.slo = strings(j, p, "slo");
    if (const json* shard = find(j, "shard")) {
        c.shard = shard_id_from(*shard, p + ".shard");
        if (c.shard->count == 0 || c.shard->index >= c.shard->count) {
            fail(p + ".shard", "index must be below count");
        }
    }
    detail::read_deflate_settings(j, c);
}

// ---------------------------------------------------------------------------- the report

void to_json(json& j, const TimelinePoint& p) {
    j = json{{"t_s", p.t_s},           {"sent", p.sent},
             {"received", p.received}, {"connections", p.connections},
             {"errors", p.errors},     {"p50_us", p.p50_us},
             {"p99_us", p.p99_us}};
    if (!p.histogram.empty()) j["histogram"] = p.histogram;
}

void to_json(json& j, const ThreadHealth& t) {
    j = json{{"index", t.index}, {"cpu_s", t.cpu_s}, {"connections", t.connections}};
    if (!t.event_loop.empty()) j["event_loop"] = t.event_loop;
    if (t.window_cpu_s) j["window_cpu_s"] = *t.window_cpu_s;
}

void to_json(json& j, const LoadgenReport& r) {
    j = json::object();
    to_json(j, r.envelope);
    j["config"] = r.config;
    j["scenario"] = r.config.scenario;
    if (r.started_ms) j["started"] = format_rfc3339_utc_ms(*r.started_ms);
    if (const auto& s = r.shard) {
        j["shard"] = {{"index", s->index},
                      {"count", s->count},
                      {"first_connection", s->first_connection},
                      {"connections", s->connections},
                      {"rate", s->rate},
                      {"connect_rate", s->connect_rate}};
    }
    j["summary"] = summary_json(r);
    j["latency_us"] = latency_summary(r.latency);
    j["latency_uncorrected_us"] = latency_summary(r.latency_uncorrected);
    j["connect_latency_us"] = latency_summary(r.connect);
    j["handshake_latency_us"] = latency_summary(r.handshake);
    j["histograms"] = histograms_json(r);
    j["timeline"] = r.timeline;
    json errors = json::object();
    for (const auto& [kind, n] : r.errors) errors[kind] = n;
    j["errors"] = errors;
    json codes = json::object();
    for (const auto& [code, n] : r.close_codes) codes[std::to_string(code)] = n;
    j["close_codes"] = codes;
    j["generator"] = generator_json(r);
    if (const auto& b = r.broadcast) {
        j["broadcast"] = {
            {"expected", b->expected}, {"lost", b->lost}, {"duplicated", b->duplicated}};
    }
    detail::write_deflate_section(j, r);
    detail::write_scenario_sections(j, r);
    if (const auto& slo = r.slo) {
        j["slo"] = {{"terms", slo->terms}, {"passed", slo->passed}, {"breaches", slo->breaches}};
    }
    if (!r.fatal.empty()) j["fatal"] = r.fatal;
    if (r.merged) j["merged"] = merged_json(*r.merged);
    if (r.capacity) j["capacity"] = detail::capacity_json(*r.capacity);
}

void from_json(const json& d, LoadgenReport& r) {
    r = LoadgenReport{};
    from_json(d, r.envelope);
    if (r.envelope.schema != kLoadgenSchema) {
        fail("$.schema",
             "expected '" + std::string(kLoadgenSchema) + "', not '" + r.envelope.schema + "'");
    }
    scenario_from(d, "$", "scenario");
    from_json(at(d, "$", "config"), r.config);
    read_summary(d, r);
    read_histograms(d, r);
    read_timeline(d, r);
    read_counts(d, r);
    read_generator(d, r);
    read_optional_sections(d, r);
    detail::read_scenario_sections(d, r);
    detail::read_deflate_section(d, r);
    if (const json* c = find(d, "capacity")) r.capacity = detail::read_capacity(*c);
}

// ---------------------------------------------------------------------------- figures

std::uint64_t LoadgenReport::total_errors() const {
    std::uint64_t n = 0;
    for (const auto& [kind, count] : errors) n += count;
    return n;
}

std::uint64_t LoadgenReport::error_attempts() const {
    const std::uint64_t messages =
        config.scenario == "broadcast" ? (broadcast ? broadcast->expected : 0) : messages_sent;
    return messages + connections.target;
}

double error_rate_of(std::uint64_t errors, std::uint64_t attempts) {
    if (errors == 0) return 0.0;
    return attempts == 0 ? 1.0 : static_cast<double>(errors) / static_cast<double>(attempts);
}

double LoadgenReport::error_rate() const { return error_rate_of(total_errors(), error_attempts()); }

std::uint64_t LoadgenReport::error_count(const std::string& kind) const {
    const auto it = errors.find(kind);
    return it == errors.end() ? 0 : it->second;
}

bool LoadgenReport::has_timeline_histograms() const {
    if (timeline.empty()) return false;
    for (const TimelinePoint& p : timeline) {
        if (p.histogram.empty()) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------- equality

namespace {

auto tie(const HeaderSetting& h) { return std::tie(h.name, h.value); }
auto tie(const ShardId& s) { return std::tie(s.index, s.count); }
auto tie(const ShardPart& s) {
    return std::tie(s.index, s.count, s.first_connection, s.connections, s.rate, s.connect_rate);
}
auto tie(const TimelinePoint& p) {
    return std::tie(p.t_s, p.sent, p.received, p.connections, p.errors, p.p50_us, p.p99_us,
                    p.histogram);
}
auto tie(const ThreadHealth& t) {
    return std::tie(t.index, t.cpu_s, t.connections, t.event_loop, t.window_cpu_s);
}
auto tie(const BroadcastCounts& b) { return std::tie(b.expected, b.lost, b.duplicated); }
auto tie(const DeflateOffered& d) {
    return std::tie(d.offer, d.client_no_context_takeover, d.server_no_context_takeover,
                    d.client_max_window_bits, d.server_max_window_bits);
}
auto tie(const DeflateAgreed& d) {
    return std::tie(d.client_no_context_takeover, d.server_no_context_takeover,
                    d.client_max_window_bits, d.server_max_window_bits);
}
auto tie(const DeflateCounts& d) {
    return std::tie(d.connections, d.agreed, d.sent_bytes, d.sent_wire_bytes, d.received_bytes,
                    d.received_wire_bytes);
}
auto tie(const SloVerdict& s) { return std::tie(s.terms, s.passed, s.breaches); }
auto tie(const MergeSource& s) {
    return std::tie(s.file, s.hostname, s.created, s.started, s.shard);
}
auto tie(const MergeInfo::Shards& s) { return std::tie(s.count, s.merged, s.missing); }
auto tie(const MergeInfo& m) { return std::tie(m.inputs, m.sources, m.shards); }
auto tie(const LoadgenReport::Connections& c) {
    return std::tie(c.target, c.established, c.failed, c.ramp_s);
}

}  // namespace

bool operator==(const HeaderSetting& a, const HeaderSetting& b) { return tie(a) == tie(b); }
bool operator==(const ShardId& a, const ShardId& b) { return tie(a) == tie(b); }
bool operator==(const ShardPart& a, const ShardPart& b) { return tie(a) == tie(b); }
bool operator==(const TimelinePoint& a, const TimelinePoint& b) { return tie(a) == tie(b); }
bool operator==(const ThreadHealth& a, const ThreadHealth& b) { return tie(a) == tie(b); }
bool operator==(const BroadcastCounts& a, const BroadcastCounts& b) { return tie(a) == tie(b); }
bool operator==(const DeflateOffered& a, const DeflateOffered& b) { return tie(a) == tie(b); }
bool operator==(const DeflateAgreed& a, const DeflateAgreed& b) { return tie(a) == tie(b); }
bool operator==(const DeflateCounts& a, const DeflateCounts& b) { return tie(a) == tie(b); }
bool operator==(const SloVerdict& a, const SloVerdict& b) { return tie(a) == tie(b); }
bool operator==(const MergeSource& a, const MergeSource& b) { return tie(a) == tie(b); }
bool operator==(const MergeInfo::Shards& a, const MergeInfo::Shards& b) { return tie(a) == tie(b); }
bool operator==(const MergeInfo& a, const MergeInfo& b) { return tie(a) == tie(b); }
bool operator==(const LoadgenReport::Connections& a, const LoadgenReport::Connections& b) {
    return tie(a) == tie(b);
}

bool operator==(const LoadgenSettings& a, const LoadgenSettings& b) {
    auto t = [](const LoadgenSettings& c) {
        return std::tie(c.url, c.scenario, c.scenario_file, c.connections, c.threads, c.duration_s,
                        c.messages_per_connection, c.warmup_s, c.rate, c.per_connection_rate,
                        c.pipeline, c.message_size, c.message_type, c.connect_rate,
                        c.connect_timeout_s, c.max_connecting, c.drain_timeout_s, c.reply_timeout_s,
                        c.ping_interval_s, c.headers, c.subprotocols, c.origin, c.insecure,
                        c.ca_file, c.source_ips, c.slo, c.shard, c.stall, c.deflate, c.payload_file,
                        c.payload_order, c.coalesce_s);
    };
    return t(a) == t(b);
}

bool operator==(const LoadgenReport& a, const LoadgenReport& b) {
    auto t = [](const LoadgenReport& r) {
        return std::tie(r.envelope, r.config, r.started_ms, r.shard, r.connections, r.messages_sent,
                        r.messages_received, r.bytes_sent, r.bytes_received, r.duration_s,
                        r.sent_per_s, r.received_per_s, r.latency, r.latency_uncorrected, r.connect,
                        r.handshake, r.schedule_lag, r.timeline, r.errors, r.close_codes, r.threads,
                        r.warnings, r.broadcast, r.deflate, r.steps, r.sessions, r.slo, r.fatal,
                        r.merged, r.capacity);
    };
    return t(a) == t(b);
}

}  // namespace wsb::report
