// The human summary table of a loadgen report, printed by wsbench-loadgen and wsbench-report.
#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "loadgen_capacity.hpp"
#include "loadgen_deflate.hpp"
#include "wsbench/report/loadgen.hpp"
#include "wsbench/units.hpp"

namespace wsb::report {
namespace {

double per_second(std::uint64_t n, double duration_s) {
    return duration_s > 0 ? static_cast<double>(n) / duration_s : 0.0;
}

constexpr int kLabelWidth = 13;

// "  Label        text\n": the label column is fixed-width, like wrk's.
std::string row(const char* label, const std::string& text) {
    return printf_string("  %-*s%s\n", kLabelWidth, label, text.c_str());
}

std::string describe_load(const LoadgenSettings& c) {
    if (c.scenario == "file") return c.scenario_file.empty() ? "a scenario file" : c.scenario_file;
    if (c.scenario == "connect") {
        return c.ping_interval_s > 0 ? "holding connections, ping every " +
                                           format_duration_us(c.ping_interval_s * 1e6)
                                     : "holding connections";
    }
    std::string load;
    if (c.per_connection_rate > 0) {
        load = "open loop, " + format_rate(c.per_connection_rate) + " per connection";
    } else if (c.rate > 0) {
        load = "open loop, " + format_rate(c.rate) + " total";
    } else {
        load = "closed loop, pipeline " + std::to_string(c.pipeline);
    }
    if (c.coalesce_s) {
        load += " (sends coalesced within " + format_duration_us(*c.coalesce_s * 1e6) + ")";
    }
    if (!c.payload_file.empty()) {
        return load + ", " + c.message_type + " messages of " + c.payload_file + " (" +
               c.payload_order + ", up to " + format_size(c.message_size) + ")";
    }
    return load + ", " + format_size(c.message_size) + " " + c.message_type + " messages";
}

std::string p50_p99(const Histogram& h) {
    if (h.total_count() == 0) return "-";
    return "p50 " + format_duration_us(static_cast<double>(h.value_at_percentile(50))) + ", p99 " +
           format_duration_us(static_cast<double>(h.value_at_percentile(99))) + ", " +
           std::to_string(h.total_count()) + " samples";
}

std::string latency_table(const LoadgenReport& r) {
    const Histogram& c = r.latency;
    const Histogram& u = r.latency_uncorrected;
    if (c.total_count() == 0 && u.total_count() == 0) return row("Latency", "no samples");
    std::string out =
        printf_string("  %-*s%14s%14s\n", kLabelWidth, "Latency", "corrected", "uncorrected");
    auto cell = [](const Histogram& h, double value) {
        return h.total_count() == 0 ? std::string("-") : format_duration_us(value);
    };
    auto value_row = [&](const char* label, double cv, double uv) {
        out += printf_string("    %-*s%14s%14s\n", kLabelWidth - 2, label, cell(c, cv).c_str(),
                             cell(u, uv).c_str());
    };
    auto percentile_row = [&](const char* label, double p) {
        value_row(label, static_cast<double>(c.value_at_percentile(p)),
                  static_cast<double>(u.value_at_percentile(p)));
    };
    value_row("min", static_cast<double>(c.min()), static_cast<double>(u.min()));
    percentile_row("p50", 50);
    percentile_row("p90", 90);
    percentile_row("p99", 99);
    percentile_row("p99.9", 99.9);
    value_row("max", static_cast<double>(c.max()), static_cast<double>(u.max()));
    value_row("mean", c.mean(), u.mean());
    out += printf_string("    %-*s%14llu%14llu\n", kLabelWidth - 2, "samples",
                         static_cast<unsigned long long>(c.total_count()),
                         static_cast<unsigned long long>(u.total_count()));
    return out;
}

// Scenario files: a row per named step (its counts and latency percentiles), then the sessions.
std::string steps_table(const LoadgenReport& r) {
    if (r.steps.empty() && !r.sessions) return "";
    std::string out;
    if (!r.steps.empty()) {
        int name_width = kLabelWidth - 2;
        for (const auto& [name, step] : r.steps) {
            name_width = std::max(name_width, static_cast<int>(name.size()) + 1);
        }
        out +=
            printf_string("  %-*s%-7s%9s%9s%8s%11s%11s%11s%11s\n", name_width + 2, "Steps", "kind",
                          "count", "timeouts", "errors", "p50", "p99", "p99.9", "p99 uncorr");
        auto cell = [](const Histogram& h, double p) {
            return h.total_count() == 0
                       ? std::string("-")
                       : format_duration_us(static_cast<double>(h.value_at_percentile(p)));
        };
        for (const auto& [name, s] : r.steps) {
            out += printf_string(
                "    %-*s%-7s%9llu%9llu%8llu%11s%11s%11s%11s\n", name_width, name.c_str(),
                s.kind.c_str(), static_cast<unsigned long long>(s.count),
                static_cast<unsigned long long>(s.timeouts),
                static_cast<unsigned long long>(s.error_total()), cell(s.latency, 50).c_str(),
                cell(s.latency, 99).c_str(), cell(s.latency, 99.9).c_str(),
                cell(s.latency_uncorrected, 99).c_str());
        }
    }
    if (const auto& s = r.sessions) {
        std::string line = std::to_string(s->started) + " started, " +
                           std::to_string(s->completed) + " completed, " +
                           std::to_string(s->failed) + " failed, " + std::to_string(s->cut) +
                           " cut";
        if (s->start_lag.total_count() > 0) {
            line += ", start lag p99 " +
                    format_duration_us(static_cast<double>(s->start_lag.value_at_percentile(99)));
        }
        if (s->unmatched > 0) line += ", " + std::to_string(s->unmatched) + " unmatched";
        if (s->template_errors > 0) {
            line += ", " + std::to_string(s->template_errors) + " template errors";
        }
        out += row("Sessions", line);
        for (const auto& [what, n] : s->errors) {
            out += row("", std::to_string(n) + " ended by " + what);
        }
    }
    return out + "\n";
}

// Target, scenario, window, connections, shard, messages, bytes, deliveries.
std::string load_rows(const LoadgenReport& r) {
    const LoadgenSettings& c = r.config;
    std::string out = row("Scenario", c.scenario + ": " + describe_load(c));
    std::string window = printf_string("%.2f s measured", r.duration_s);
    if (c.warmup_s > 0) window += " after " + format_duration_us(c.warmup_s * 1e6) + " of warmup";
    if (!r.threads.empty()) {
        window += ", " + std::to_string(r.threads.size()) +
                  (r.threads.size() == 1 ? " thread" : " threads");
    }
    out += row("Duration", window);
    const auto& n = r.connections;
    out += row("Connections",
               std::to_string(n.established) + " established, " + std::to_string(n.failed) +
                   " failed, " + std::to_string(n.target) + " target" +
                   (n.ramp_s > 0 ? printf_string(", settled in %.2f s (%.0f opened/s)", n.ramp_s,
                                                 static_cast<double>(n.established) / n.ramp_s)
                                 : std::string()));
    if (const auto& s = r.shard) {
        out += row("Shard", std::to_string(s->index) + "/" + std::to_string(s->count) +
                                ": connections " + std::to_string(s->first_connection) + "-" +
                                std::to_string(s->first_connection + s->connections - 1) + " of " +
                                std::to_string(c.connections));
    }
    if (c.scenario != "connect" || r.messages_sent > 0 || r.messages_received > 0) {
        out +=
            row("Messages", std::to_string(r.messages_sent) + " sent (" +
                                format_rate(per_second(r.messages_sent, r.duration_s)) + "), " +
                                std::to_string(r.messages_received) + " received (" +
                                format_rate(per_second(r.messages_received, r.duration_s)) + ")");
        auto bytes_per_s = [&](std::uint64_t n_bytes) {
            return format_size(static_cast<std::uint64_t>(per_second(n_bytes, r.duration_s)));
        };
        out += row("Bytes", format_size(r.bytes_sent) + " sent (" + bytes_per_s(r.bytes_sent) +
                                "/s), " + format_size(r.bytes_received) + " received (" +
                                bytes_per_s(r.bytes_received) + "/s)");
    }
    if (c.scenario == "broadcast") {
        out += row("Deliveries", std::to_string(r.broadcast ? r.broadcast->expected : 0) +
                                     " expected, " + std::to_string(r.error_count("lost")) +
                                     " lost, " + std::to_string(r.error_count("duplicated")) +
                                     " duplicated");
    }
    if (r.deflate) out += row("Deflate", detail::deflate_summary(r));
    return out;
}

// Errors, close codes, generator health, warnings and why the run stopped.
std::string health_rows(const LoadgenReport& r) {
    std::string errors;
    for (const char* kind : kLoadgenErrorKinds) {
        const std::uint64_t n = r.error_count(kind);
        if (n == 0) continue;
        if (!errors.empty()) errors += ", ";
        errors += std::string(kind) + " " + std::to_string(n);
    }
    std::string out =
        row("Errors",
            errors.empty()
                ? std::string("none")
                : errors + printf_string(" (%.3g %% of %llu attempts)", r.error_rate() * 100,
                                         static_cast<unsigned long long>(r.error_attempts())));
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
        const std::uint64_t messages = r.messages_sent + r.messages_received;
        std::string health = printf_string("%.2f s CPU", cpu_s);
        if (messages > 0) {
            health += printf_string(" (%.2f us per message)",
                                    cpu_s * 1e6 / static_cast<double>(messages));
        }
        // Which loop ran the connections, when the threads say so (one name, or both).
        std::string loops;
        for (const ThreadHealth& t : r.threads) {
            if (!t.event_loop.empty() && loops.find(t.event_loop) == std::string::npos) {
                loops += (loops.empty() ? "" : "+") + t.event_loop;
            }
        }
        if (!loops.empty()) health += ", " + loops + " loop";
        if (r.schedule_lag && r.schedule_lag->total_count() > 0) {
            health +=
                ", schedule lag p99 " +
                format_duration_us(static_cast<double>(r.schedule_lag->value_at_percentile(99)));
        }
        out += row("Generator", health);
    }
    for (const std::string& warning : r.warnings) out += "  Warning: " + warning + "\n";
    if (r.envelope.interrupted) {
        out += "  Interrupted: figures cover what was measured before the signal\n";
    }
    if (!r.fatal.empty()) out += "  Stopped: " + r.fatal + "\n";
    return out;
}

}  // namespace

std::string summary_table(const LoadgenReport& r) {
    std::string out = std::string(kLoadgenTool) + " " + std::string(version()) + " @ " +
                      r.envelope.target_url + "\n";
    if (r.capacity) {
        out +=
            detail::capacity_summary(*r.capacity) + "\nThe highest passing step (else the last):\n";
    }
    out += load_rows(r);
    out += "\n";
    out += latency_table(r);
    out += row("Connect", p50_p99(r.connect));
    out += row("Handshake", p50_p99(r.handshake));
    out += "\n";
    out += steps_table(r);
    out += health_rows(r);
    return out;
}

}  // namespace wsb::report
