// The report envelope, RFC 3339 timestamps and latency summaries shared by every report.
#include "wsbench/report/envelope.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <ctime>
#include <tuple>

#include "json_fields.hpp"

#ifndef WSBENCH_VERSION
#define WSBENCH_VERSION "unknown"
#endif

namespace wsb {

using json = nlohmann::json;

std::string_view version() noexcept { return WSBENCH_VERSION; }

std::string format_rfc3339_utc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    // Floor to whole seconds so times before 1970 keep a non-negative millisecond part.
    auto secs = duration_cast<seconds>(t.time_since_epoch());
    if (secs > t.time_since_epoch()) secs -= seconds(1);
    const auto millis = duration_cast<milliseconds>(t.time_since_epoch() - secs).count();
    const std::time_t tt = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", date, static_cast<int>(millis));
    return out;
}

std::string format_rfc3339_utc_ms(std::int64_t unix_ms) {
    return format_rfc3339_utc(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::milliseconds(unix_ms))));
}

std::optional<std::int64_t> parse_rfc3339_ms(const std::string& text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                    &second, &consumed) != 6 ||
        consumed != 19) {
        return std::nullopt;
    }
    std::size_t i = 19;
    std::int64_t ms = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        int digits = 0;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
            if (digits < 3) ms = ms * 10 + (text[i] - '0');
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) ms *= 10;
    }
    std::int64_t offset_s = 0;
    if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
        ++i;
    } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (text[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::int64_t epoch = static_cast<std::int64_t>(timegm(&tm));
    return (epoch - offset_s) * 1000 + ms;
}

namespace report {

Host host_info() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
    Host host;
    host.hostname = name;
    struct utsname uts {};
    if (::uname(&uts) == 0) host.os = std::string(uts.sysname) + " " + uts.release;
    const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    host.cpus = cpus > 0 ? static_cast<std::uint64_t>(cpus) : 0;
    return host;
}

Envelope make_envelope(std::string_view schema, std::string_view tool_name,
                       std::string_view target_url, std::chrono::system_clock::time_point created,
                       bool interrupted) {
    Envelope e;
    e.schema = schema;
    e.tool_name = tool_name;
    e.created = format_rfc3339_utc(created);
    e.host = host_info();
    e.target_url = target_url;
    e.interrupted = interrupted;
    return e;
}

void to_json(json& j, const Envelope& e) {
    if (!j.is_object()) j = json::object();
    j["schema"] = e.schema;
    j["tool"] = {{"name", e.tool_name}, {"version", e.tool_version}};
    j["created"] = e.created;
    j["host"] = {{"hostname", e.host.hostname}, {"os", e.host.os}, {"cpus", e.host.cpus}};
    j["target"] = {{"url", e.target_url}};
    j["interrupted"] = e.interrupted;
}

void from_json(const json& j, Envelope& e) {
    using namespace fields;
    e.schema = text(j, "$", "schema");
    if (const json* tool = find(j, "tool")) {
        e.tool_name = text(*tool, "$.tool", "name");
        e.tool_version = text(*tool, "$.tool", "version");
    }
    e.created = text(j, "$", "created");
    const json& host = at(j, "$", "host");
    e.host.hostname = text(host, "$.host", "hostname");
    e.host.os = text(host, "$.host", "os");
    e.host.cpus = u64(host, "$.host", "cpus");
    e.target_url = text(at(j, "$", "target"), "$.target", "url");
    e.interrupted = boolean(j, "$", "interrupted");
}

bool operator==(const Host& a, const Host& b) {
    return std::tie(a.hostname, a.os, a.cpus) == std::tie(b.hostname, b.os, b.cpus);
}

bool operator==(const Envelope& a, const Envelope& b) {
    return std::tie(a.schema, a.tool_name, a.tool_version, a.created, a.host, a.target_url,
                    a.interrupted) == std::tie(b.schema, b.tool_name, b.tool_version, b.created,
                                               b.host, b.target_url, b.interrupted);
}

}  // namespace report

json latency_summary(const Histogram& h) {
    const bool empty = h.total_count() == 0;
    auto at = [&](double percentile) { return empty ? 0 : h.value_at_percentile(percentile); };
    return json{
        {"count", h.total_count()},
        {"min", empty ? 0 : h.min()},
        {"mean", empty ? 0.0 : h.mean()},
        {"stddev", empty ? 0.0 : h.stddev()},
        {"p50", at(50)},
        {"p75", at(75)},
        {"p90", at(90)},
        {"p95", at(95)},
        {"p99", at(99)},
        {"p99_9", at(99.9)},
        {"p99_99", at(99.99)},
        {"max", empty ? 0 : h.max()},
    };
}

}  // namespace wsb
