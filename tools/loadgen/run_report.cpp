// A RunResult and its Config as the "wsbench.loadgen/1" report model, its JSON and its summary.
#include "loadgen/run_report.hpp"

#include <algorithm>
#include <cctype>

#include "loadgen/slo.hpp"

namespace wsb::loadgen {
namespace {

using json = nlohmann::json;

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

std::string target_url(const Config& c) {
    if (!c.url_text.empty()) return c.url_text;
    return c.url.host.empty() ? std::string() : c.url.str();
}

bool is_credential_header(const std::string& name) {
    std::string n;
    for (char ch : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return n == "authorization" || n == "proxy-authorization" || n == "cookie";
}

double per_second(std::uint64_t n, double duration_s) {
    return duration_s > 0 ? static_cast<double>(n) / duration_s : 0.0;
}

void add_counters(const RunResult& r, report::LoadgenReport& out) {
    out.connections = {r.connections_target, r.connections_established, r.connections_failed,
                       r.ramp_s};
    out.messages_sent = r.messages_sent;
    out.messages_received = r.messages_received;
    out.bytes_sent = r.bytes_sent;
    out.bytes_received = r.bytes_received;
    out.duration_s = r.duration_s;
    out.sent_per_s = per_second(r.messages_sent, r.duration_s);
    out.received_per_s = received_per_second(r);
    out.latency = r.latency;
    out.latency_uncorrected = r.latency_uncorrected;
    out.connect = r.connect;
    out.handshake = r.handshake;
    out.schedule_lag = r.schedule_lag;
    out.timeline = r.timeline;
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        out.errors[to_string(static_cast<ErrorKind>(i))] = r.errors[i];
    }
    out.close_codes = r.close_codes;
    out.threads = r.threads;
    out.warnings = r.warnings;
    out.fatal = r.fatal;
}

}  // namespace

report::LoadgenSettings settings_of(const Config& c) {
    report::LoadgenSettings s;
    s.url = target_url(c);
    s.scenario = to_string(c.scenario);
    s.scenario_file = c.script_path;
    s.connections = c.connections;
    s.threads = c.threads;
    s.duration_s = seconds(c.duration);
    s.messages_per_connection = c.messages_per_connection;
    s.warmup_s = seconds(c.warmup);
    s.rate = c.rate;
    s.per_connection_rate = c.per_connection_rate;
    s.pipeline = c.pipeline;
    if (c.stall > 0) s.stall = c.stall;
    if (c.coalesce.count() > 0) s.coalesce_s = seconds(c.coalesce);
    s.message_size = c.message_size;
    s.message_type = to_string(c.message_type);
    s.connect_rate = c.connect_rate;
    s.connect_timeout_s = seconds(c.connect_timeout);
    s.max_connecting = c.max_connecting;
    s.drain_timeout_s = seconds(c.drain_timeout);
    s.reply_timeout_s = seconds(c.reply_timeout);
    s.ping_interval_s = seconds(c.ping_interval);
    for (const auto& [name, value] : c.headers) {
        s.headers.push_back({name, is_credential_header(name) ? "<redacted>" : value});
    }
    s.subprotocols = c.subprotocols;
    s.origin = c.origin;
    s.insecure = c.insecure;
    s.ca_file = c.ca_file;
    s.source_ips = c.source_ips;
    for (const SloTerm& term : c.slo) s.slo.push_back(term.text);
    s.shard = report::ShardId{c.shard_index, c.shard_count};
    if (c.deflate) {
        const DeflateOffer& o = c.deflate_offer;
        report::DeflateOffered d;
        d.offer = format_deflate_offer(o);
        d.client_no_context_takeover = o.client_no_context_takeover;
        d.server_no_context_takeover = o.server_no_context_takeover;
        d.client_max_window_bits =
            static_cast<std::uint64_t>(std::max(0, o.client_max_window_bits));
        d.server_max_window_bits =
            static_cast<std::uint64_t>(std::max(0, o.server_max_window_bits));
        s.deflate = d;
    }
    if (!c.payload_file.empty()) {
        s.payload_file = c.payload_file;
        s.payload_order = c.payload_random ? "random" : "order";
    }
    return s;
}

json config_to_json(const Config& config) { return settings_of(config); }

std::uint64_t error_attempts(const RunResult& r) {
    const std::uint64_t messages =
        r.config.scenario == Scenario::broadcast ? r.broadcast_expected : r.messages_sent;
    return messages + r.connections_target;
}

double error_rate(const RunResult& r) {
    return report::error_rate_of(r.total_errors(), error_attempts(r));
}

double received_per_second(const RunResult& r) {
    return per_second(r.messages_received, r.duration_s);
}

report::LoadgenReport to_report(const RunResult& r, std::chrono::system_clock::time_point created) {
    const Config& c = r.config;
    report::LoadgenReport out;
    out.envelope = report::make_envelope(report::kLoadgenSchema, report::kLoadgenTool,
                                         target_url(c), created, r.interrupted);
    out.config = settings_of(c);
    if (c.threads == 0 && !r.threads.empty()) out.config.threads = r.threads.size();
    if (r.started) {
        out.started_ms =
            std::chrono::floor<std::chrono::milliseconds>(*r.started).time_since_epoch().count();
    }
    if (c.shard_count > 1) {
        const ShardShare share = shard_share(c);
        out.shard = report::ShardPart{c.shard_index,     c.shard_count, share.first_connection,
                                      share.connections, share.rate,    share.connect_rate};
    }
    add_counters(r, out);
    if (c.scenario == Scenario::broadcast) {
        out.broadcast = report::BroadcastCounts{
            r.broadcast_expected, r.errors[static_cast<std::size_t>(ErrorKind::lost)],
            r.errors[static_cast<std::size_t>(ErrorKind::duplicated)]};
    }
    if (c.deflate) out.deflate = r.deflate;
    out.steps = r.steps;
    out.sessions = r.sessions;
    if (!c.slo.empty()) {
        report::SloVerdict slo;
        for (const SloTerm& term : c.slo) slo.terms.push_back(term.text);
        slo.breaches = evaluate_slo(c.slo, r);
        slo.passed = slo.breaches.empty();
        out.slo = slo;
    }
    return out;
}

json build_report(const RunResult& result) {
    return to_report(result, std::chrono::system_clock::now());
}

std::string summary_table(const RunResult& result) {
    return report::summary_table(to_report(result, std::chrono::system_clock::time_point()));
}

}  // namespace wsb::loadgen
