// Building the "wsbench.loadgen/1" JSON report and the human summary table from a RunResult.
#include "report.hpp"

#include <cctype>
#include <chrono>
#include <cstdarg>
#include <cstdio>

#include "slo.hpp"
#include "wsbench/report.hpp"
#include "wsbench/units.hpp"

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

json errors_to_json(const ErrorCounts& errors) {
    json out = json::object();
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        out[to_string(static_cast<ErrorKind>(i))] = errors[i];
    }
    return out;
}

json close_codes_to_json(const std::map<std::uint16_t, std::uint64_t>& codes) {
    json out = json::object();
    for (const auto& [code, count] : codes) out[std::to_string(code)] = count;
    return out;
}

// ---------------------------------------------------------------- summary table helpers

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    return buf;
}

constexpr int kLabelWidth = 13;

// "  Label        text\n": the label column is fixed-width, like wrk's.
std::string row(const char* label, const std::string& text) {
    return printf_string("  %-*s%s\n", kLabelWidth, label, text.c_str());
}

std::string describe_load(const Config& c) {
    switch (c.scenario) {
        case Scenario::connect:
            return c.ping_interval.count() > 0
                       ? "holding connections, ping every " +
                             format_duration_us(seconds(c.ping_interval) * 1e6)
                       : "holding connections";
        case Scenario::broadcast:
        case Scenario::echo:
            break;
    }
    std::string load;
    if (c.per_connection_rate > 0) {
        load = "open loop, " + format_rate(c.per_connection_rate) + " per connection";
    } else if (c.rate > 0) {
        load = "open loop, " + format_rate(c.rate) + " total";
    } else {
        load = "closed loop, pipeline " + std::to_string(c.pipeline);
    }
    return load + ", " + format_size(c.message_size) + " " + to_string(c.message_type) +
           " messages";
}

std::string p50_p99(const Histogram& h) {
    if (h.total_count() == 0) return "-";
    return "p50 " + format_duration_us(static_cast<double>(h.value_at_percentile(50))) + ", p99 " +
           format_duration_us(static_cast<double>(h.value_at_percentile(99))) + ", " +
           std::to_string(h.total_count()) + " samples";
}

std::string latency_table(const RunResult& r) {
    const Histogram& c = r.latency;
    const Histogram& u = r.latency_uncorrected;
    if (c.total_count() == 0 && u.total_count() == 0) return row("Latency", "no samples");
    std::string out =
        printf_string("  %-*s%14s%14s\n", kLabelWidth, "Latency", "corrected", "uncorrected");
    auto cell = [](const Histogram& h, double value) {
        return h.total_count() == 0 ? std::string("-") : format_duration_us(value);
    };
    auto percentile_row = [&](const char* label, double p) {
        out += printf_string("    %-*s%14s%14s\n", kLabelWidth - 2, label,
                             cell(c, static_cast<double>(c.value_at_percentile(p))).c_str(),
                             cell(u, static_cast<double>(u.value_at_percentile(p))).c_str());
    };
    out += printf_string("    %-*s%14s%14s\n", kLabelWidth - 2, "min",
                         cell(c, static_cast<double>(c.min())).c_str(),
                         cell(u, static_cast<double>(u.min())).c_str());
    percentile_row("p50", 50);
    percentile_row("p90", 90);
    percentile_row("p99", 99);
    percentile_row("p99.9", 99.9);
    out += printf_string("    %-*s%14s%14s\n", kLabelWidth - 2, "max",
                         cell(c, static_cast<double>(c.max())).c_str(),
                         cell(u, static_cast<double>(u.max())).c_str());
    out += printf_string("    %-*s%14s%14s\n", kLabelWidth - 2, "mean", cell(c, c.mean()).c_str(),
                         cell(u, u.mean()).c_str());
    out += printf_string("    %-*s%14llu%14llu\n", kLabelWidth - 2, "samples",
                         static_cast<unsigned long long>(c.total_count()),
                         static_cast<unsigned long long>(u.total_count()));
    return out;
}

}  // namespace

json config_to_json(const Config& c) {
    json headers = json::array();
    for (const auto& [name, value] : c.headers) {
        headers.push_back(
            json{{"name", name}, {"value", is_credential_header(name) ? "<redacted>" : value}});
    }
    json slo = json::array();
    for (const SloTerm& term : c.slo) slo.push_back(term.text);
    return json{
        {"url", target_url(c)},
        {"scenario", to_string(c.scenario)},
        {"connections", c.connections},
        {"threads", c.threads},
        {"duration_s", seconds(c.duration)},
        {"messages_per_connection", c.messages_per_connection},
        {"warmup_s", seconds(c.warmup)},
        {"rate", c.rate},
        {"per_connection_rate", c.per_connection_rate},
        {"pipeline", c.pipeline},
        {"message_size", c.message_size},
        {"message_type", to_string(c.message_type)},
        {"connect_rate", c.connect_rate},
        {"connect_timeout_s", seconds(c.connect_timeout)},
        {"max_connecting", c.max_connecting},
        {"drain_timeout_s", seconds(c.drain_timeout)},
        {"reply_timeout_s", seconds(c.reply_timeout)},
        {"ping_interval_s", seconds(c.ping_interval)},
        {"headers", headers},
        {"subprotocols", c.subprotocols},
        {"origin", c.origin},
        {"insecure", c.insecure},
        {"ca_file", c.ca_file},
        {"source_ips", c.source_ips},
        {"slo", slo},
        {"shard", {{"index", c.shard_index}, {"count", c.shard_count}}},
    };
}

std::uint64_t error_attempts(const RunResult& r) {
    const std::uint64_t messages =
        r.config.scenario == Scenario::broadcast ? r.broadcast_expected : r.messages_sent;
    return messages + r.connections_target;
}

double error_rate(const RunResult& r) {
    const std::uint64_t errors = r.total_errors();
    if (errors == 0) return 0.0;
    const std::uint64_t attempts = error_attempts(r);
    return attempts == 0 ? 1.0 : static_cast<double>(errors) / static_cast<double>(attempts);
}

double received_per_second(const RunResult& r) {
    return per_second(r.messages_received, r.duration_s);
}

void to_json(json& j, const TimelinePoint& p) {
    j = json{{"t_s", p.t_s},           {"sent", p.sent},
             {"received", p.received}, {"connections", p.connections},
             {"errors", p.errors},     {"p50_us", p.p50_us},
             {"p99_us", p.p99_us}};
    if (!p.histogram.empty()) j["histogram"] = p.histogram;
}

void to_json(json& j, const ThreadHealth& t) {
    j = json{{"index", t.index}, {"cpu_s", t.cpu_s}, {"connections", t.connections}};
}

json build_report(const RunResult& r) {
    const Config& c = r.config;
    json config = config_to_json(c);
    if (c.threads == 0 && !r.threads.empty()) config["threads"] = r.threads.size();
    json report = make_envelope(kReportSchema, kToolName, target_url(c), config, r.interrupted);

    report["scenario"] = to_string(c.scenario);
    if (r.started) report["started"] = format_rfc3339_utc(*r.started);
    if (c.shard_count > 1) {
        const ShardShare share = shard_share(c);
        report["shard"] = {{"index", c.shard_index},
                           {"count", c.shard_count},
                           {"first_connection", share.first_connection},
                           {"connections", share.connections},
                           {"rate", share.rate},
                           {"connect_rate", share.connect_rate}};
    }
    report["summary"] = {
        {"connections",
         {{"target", r.connections_target},
          {"established", r.connections_established},
          {"failed", r.connections_failed},
          {"ramp_s", r.ramp_s},
          {"opened_per_s",
           r.ramp_s > 0 ? static_cast<double>(r.connections_established) / r.ramp_s : 0.0}}},
        {"messages", {{"sent", r.messages_sent}, {"received", r.messages_received}}},
        {"bytes", {{"sent", r.bytes_sent}, {"received", r.bytes_received}}},
        {"duration_s", r.duration_s},
        {"throughput",
         {{"sent_per_s", per_second(r.messages_sent, r.duration_s)},
          {"received_per_s", received_per_second(r)}}},
        {"errors", r.total_errors()},
        {"error_rate", error_rate(r)},
    };

    report["latency_us"] = latency_summary(r.latency);
    report["latency_uncorrected_us"] = latency_summary(r.latency_uncorrected);
    report["connect_latency_us"] = latency_summary(r.connect);
    report["handshake_latency_us"] = latency_summary(r.handshake);
    report["histograms"] = {
        {"latency", r.latency.encode_base64()},
        {"latency_uncorrected", r.latency_uncorrected.encode_base64()},
        {"connect", r.connect.encode_base64()},
        {"handshake", r.handshake.encode_base64()},
        {"schedule_lag", r.schedule_lag.encode_base64()},
    };

    report["timeline"] = r.timeline;
    report["errors"] = errors_to_json(r.errors);
    report["close_codes"] = close_codes_to_json(r.close_codes);

    double cpu_s = 0;
    for (const ThreadHealth& t : r.threads) cpu_s += t.cpu_s;
    report["generator"] = {
        {"threads", r.threads},
        {"cpu_s", cpu_s},
        {"schedule_lag_us", latency_summary(r.schedule_lag)},
        {"warnings", r.warnings},
    };

    if (c.scenario == Scenario::broadcast) {
        report["broadcast"] = {
            {"expected", r.broadcast_expected},
            {"lost", r.errors[static_cast<std::size_t>(ErrorKind::lost)]},
            {"duplicated", r.errors[static_cast<std::size_t>(ErrorKind::duplicated)]},
        };
    }
    if (!c.slo.empty()) {
        const std::vector<std::string> breaches = evaluate_slo(c.slo, r);
        json terms = json::array();
        for (const SloTerm& term : c.slo) terms.push_back(term.text);
        report["slo"] = {{"terms", terms}, {"passed", breaches.empty()}, {"breaches", breaches}};
    }
    if (!r.fatal.empty()) report["fatal"] = r.fatal;
    return report;
}

std::string summary_table(const RunResult& r) {
    const Config& c = r.config;
    std::string out =
        std::string(kToolName) + " " + std::string(version()) + " @ " + target_url(c) + "\n";
    out += row("Scenario", std::string(to_string(c.scenario)) + ": " + describe_load(c));
    std::string window = printf_string("%.2f s measured", r.duration_s);
    if (c.warmup.count() > 0) {
        window += " after " + format_duration_us(seconds(c.warmup) * 1e6) + " of warmup";
    }
    if (!r.threads.empty()) {
        window += ", " + std::to_string(r.threads.size()) +
                  (r.threads.size() == 1 ? " thread" : " threads");
    }
    out += row("Duration", window);
    out += row(
        "Connections",
        std::to_string(r.connections_established) + " established, " +
            std::to_string(r.connections_failed) + " failed, " +
            std::to_string(r.connections_target) + " target" +
            (r.ramp_s > 0 ? printf_string(", settled in %.2f s (%.0f opened/s)", r.ramp_s,
                                          static_cast<double>(r.connections_established) / r.ramp_s)
                          : std::string()));
    if (c.shard_count > 1) {
        const ShardShare share = shard_share(c);
        out += row("Shard", std::to_string(c.shard_index) + "/" + std::to_string(c.shard_count) +
                                ": connections " + std::to_string(share.first_connection) + "-" +
                                std::to_string(share.first_connection + share.connections - 1) +
                                " of " + std::to_string(c.connections));
    }
    if (c.scenario != Scenario::connect || r.messages_sent > 0 || r.messages_received > 0) {
        out += row("Messages", std::to_string(r.messages_sent) + " sent (" +
                                   format_rate(per_second(r.messages_sent, r.duration_s)) + "), " +
                                   std::to_string(r.messages_received) + " received (" +
                                   format_rate(received_per_second(r)) + ")");
        out += row(
            "Bytes",
            format_size(r.bytes_sent) + " sent (" +
                format_size(static_cast<std::uint64_t>(per_second(r.bytes_sent, r.duration_s))) +
                "/s), " + format_size(r.bytes_received) + " received (" +
                format_size(
                    static_cast<std::uint64_t>(per_second(r.bytes_received, r.duration_s))) +
                "/s)");
    }
    if (c.scenario == Scenario::broadcast) {
        out += row("Deliveries",
                   std::to_string(r.broadcast_expected) + " expected, " +
                       std::to_string(r.errors[static_cast<std::size_t>(ErrorKind::lost)]) +
                       " lost, " +
                       std::to_string(r.errors[static_cast<std::size_t>(ErrorKind::duplicated)]) +
                       " duplicated");
    }
    out += "\n";
    out += latency_table(r);
    out += row("Connect", p50_p99(r.connect));
    out += row("Handshake", p50_p99(r.handshake));
    out += "\n";

    std::string errors;
    for (std::size_t i = 0; i < kErrorKinds; ++i) {
        if (r.errors[i] == 0) continue;
        if (!errors.empty()) errors += ", ";
        errors +=
            std::string(to_string(static_cast<ErrorKind>(i))) + " " + std::to_string(r.errors[i]);
    }
    out += row("Errors",
               errors.empty()
                   ? std::string("none")
                   : errors + printf_string(" (%.3g %% of %llu attempts)", error_rate(r) * 100,
                                            static_cast<unsigned long long>(error_attempts(r))));
    if (!r.close_codes.empty()) {
        std::string codes;
        for (const auto& [code, count] : r.close_codes) {
            if (!codes.empty()) codes += ", ";
            codes += std::to_string(code) + " x" + std::to_string(count);
        }
        out += row("Close codes", codes);
    }
    if (!r.threads.empty()) {
        double cpu_s = 0;
        for (const ThreadHealth& t : r.threads) cpu_s += t.cpu_s;
        std::string health = printf_string("%.2f s CPU", cpu_s);
        if (r.schedule_lag.total_count() > 0) {
            health +=
                ", schedule lag p99 " +
                format_duration_us(static_cast<double>(r.schedule_lag.value_at_percentile(99)));
        }
        out += row("Generator", health);
    }
    for (const std::string& warning : r.warnings) out += "  Warning: " + warning + "\n";
    if (r.interrupted) out += "  Interrupted: figures cover what was measured before the signal\n";
    if (!r.fatal.empty()) out += "  Stopped: " + r.fatal + "\n";
    return out;
}

}  // namespace wsb::loadgen
