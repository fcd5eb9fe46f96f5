// Reading report files: kind detection, field checks with JSON paths, histogram decoding.
#include "input.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "wsbench/report.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

constexpr const char* kLoadgenSchema = "wsbench.loadgen/1";
constexpr const char* kConformanceSchema = "wsbench.conformance/1";

// Reads one report file, field by field, each error naming the file and the JSON path.
class Fields {
  public:
    explicit Fields(const std::string& path) : path_(path) {}

    [[noreturn]] void fail(const std::string& where, const std::string& what) const {
        throw InputError(path_ + ": " + where + ": " + what);
    }

    const json& at(const json& parent, const std::string& parent_path, const char* key) const {
        if (!parent.is_object()) fail(parent_path, "expected an object");
        const auto it = parent.find(key);
        if (it == parent.end()) fail(parent_path, std::string("missing '") + key + "'");
        return *it;
    }

    const json* find(const json& parent, const char* key) const {
        if (!parent.is_object()) return nullptr;
        const auto it = parent.find(key);
        return it == parent.end() ? nullptr : &*it;
    }

    std::uint64_t u64(const json& parent, const std::string& parent_path, const char* key) const {
        const json& v = at(parent, parent_path, key);
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
            fail(parent_path + "." + key, "expected a non-negative integer");
        }
        return v.get<std::uint64_t>();
    }

    double number(const json& parent, const std::string& parent_path, const char* key) const {
        const json& v = at(parent, parent_path, key);
        if (!v.is_number() || v.get<double>() < 0) {
            fail(parent_path + "." + key, "expected a non-negative number");
        }
        return v.get<double>();
    }

    std::string text(const json& parent, const std::string& parent_path, const char* key) const {
        const json& v = at(parent, parent_path, key);
        if (!v.is_string()) fail(parent_path + "." + key, "expected a string");
        return v.get<std::string>();
    }

    bool boolean(const json& parent, const std::string& parent_path, const char* key) const {
        const json& v = at(parent, parent_path, key);
        if (!v.is_boolean()) fail(parent_path + "." + key, "expected true or false");
        return v.get<bool>();
    }

    Histogram histogram(const json& encoded, const std::string& where) const {
        if (!encoded.is_string()) fail(where, "expected a base64 HdrHistogram (V2 compressed)");
        Histogram h;
        if (Histogram::decode_base64(encoded.get<std::string>(), h) != Errc::ok) {
            fail(where, "not a valid HdrHistogram V2 encoding (corrupt or truncated)");
        }
        return h;
    }

  private:
    const std::string& path_;
};

std::string read_all(const std::string& path) {
    if (path == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin), {});
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw InputError(path + ": cannot read: " + std::strerror(errno));
    return s.str();
}

// Autobahn's index.json: {agent: {case id: {behavior, behaviorClose, ...}}}.
bool looks_like_autobahn(const json& doc) {
    if (!doc.is_object() || doc.empty() || doc.contains("schema")) return false;
    for (const auto& [agent, cases] : doc.items()) {
        if (!cases.is_object() || cases.empty()) return false;
        for (const auto& [id, result] : cases.items()) {
            if (!result.is_object() || !result.contains("behavior")) return false;
        }
    }
    return true;
}

loadgen::Scenario scenario_from(const Fields& f, const std::string& text, const std::string& at) {
    for (auto s :
         {loadgen::Scenario::echo, loadgen::Scenario::broadcast, loadgen::Scenario::connect}) {
        if (text == loadgen::to_string(s)) return s;
    }
    f.fail(at, "expected echo, broadcast or connect, not '" + text + "'");
}

loadgen::Nanos nanos(double seconds) {
    return loadgen::Nanos(static_cast<std::int64_t>(seconds * 1e9 + 0.5));
}

}  // namespace

const char* to_string(ReportKind kind) noexcept {
    switch (kind) {
        case ReportKind::loadgen:
            return "loadgen";
        case ReportKind::conformance:
            return "conformance";
        case ReportKind::autobahn:
            return "autobahn";
    }
    return "?";
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

Input read_input(const std::string& path) { return parse_input(path, read_all(path)); }

Input parse_input(const std::string& path, std::string_view text) {
    Input input;
    input.path = path;
    if (text.empty()) throw InputError(path + ": empty file, expected a JSON report");
    try {
        input.doc = json::parse(text);
    } catch (const json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 1: ..." -> the tail.
        std::string what = e.what();
        const std::size_t at = what.find("parse error");
        throw InputError(path + ": not valid JSON (truncated or malformed): " +
                         (at == std::string::npos ? what : what.substr(at)));
    } catch (const json::exception& e) {
        // Valid JSON nlohmann cannot hold, e.g. a number beyond double's range (1e400):
        // "[json.exception.out_of_range.406] number overflow parsing '1e400'" -> the tail.
        std::string what = e.what();
        const std::size_t at = what.find("] ");
        throw InputError(
            path + ": unreadable JSON: " + (at == std::string::npos ? what : what.substr(at + 2)));
    }
    const json& doc = input.doc;
    if (!doc.is_object()) throw InputError(path + ": expected a JSON object (a wsbench report)");
    const auto schema = doc.find("schema");
    if (schema == doc.end()) {
        if (looks_like_autobahn(doc)) {
            input.kind = ReportKind::autobahn;
            return input;
        }
        throw InputError(path +
                         ": no 'schema' field: not a wsbench report (nor an Autobahn index.json)");
    }
    if (!schema->is_string()) throw InputError(path + ": $.schema: expected a string");
    const std::string name = schema->get<std::string>();
    if (name == kLoadgenSchema) {
        input.kind = ReportKind::loadgen;
        return input;
    }
    if (name == kConformanceSchema) {
        input.kind = ReportKind::conformance;
        return input;
    }
    const std::size_t slash = name.rfind('/');
    const std::string family = name.substr(0, slash);
    if (family == "wsbench.loadgen" || family == "wsbench.conformance") {
        throw InputError(path + ": schema '" + name + "' is newer than this wsbench-report " +
                         std::string(version()) + " reads (" +
                         (family == "wsbench.loadgen" ? kLoadgenSchema : kConformanceSchema) +
                         "); use a newer wsbench-report");
    }
    throw InputError(path + ": schema '" + name + "' is not one wsbench-report reads (" +
                     kLoadgenSchema + ", " + kConformanceSchema + ", Autobahn index.json)");
}

LoadgenReport to_loadgen(const Input& input) {
    if (input.kind != ReportKind::loadgen) {
        throw InputError(input.path + ": a " + to_string(input.kind) +
                         " report, where a load-generator report (" + kLoadgenSchema +
                         ") is expected");
    }
    const Fields f(input.path);
    const json& d = input.doc;
    LoadgenReport r;
    r.path = input.path;
    r.doc = d;
    loadgen::RunResult& run = r.run;

    r.created = f.text(d, "$", "created");
    const json& host = f.at(d, "$", "host");
    r.hostname = f.text(host, "$.host", "hostname");
    r.os = f.text(host, "$.host", "os");
    r.cpus = f.u64(host, "$.host", "cpus");
    r.target_url = f.text(f.at(d, "$", "target"), "$.target", "url");
    const std::string scenario = f.text(d, "$", "scenario");
    scenario_from(f, scenario, "$.scenario");
    if (const json* merged = f.find(d, "merged"))
        r.merged_inputs = f.u64(*merged, "$.merged", "inputs");
    if (const json* started = f.find(d, "started")) {
        if (!started->is_string() ||
            !(r.started_ms = parse_rfc3339_ms(started->get<std::string>()))) {
            f.fail("$.started", "expected an RFC 3339 timestamp");
        }
    }
    run.interrupted = f.boolean(d, "$", "interrupted");

    // config: what summary, compare and merge read.
    const json& c = f.at(d, "$", "config");
    loadgen::Config& cfg = run.config;
    cfg.url_text = f.text(c, "$.config", "url");
    if (parse_url(cfg.url_text, cfg.url) != Errc::ok) cfg.url = Url{};
    cfg.scenario = scenario_from(f, f.text(c, "$.config", "scenario"), "$.config.scenario");
    cfg.connections = f.u64(c, "$.config", "connections");
    cfg.threads = static_cast<unsigned>(f.u64(c, "$.config", "threads"));
    cfg.duration = nanos(f.number(c, "$.config", "duration_s"));
    cfg.messages_per_connection = f.u64(c, "$.config", "messages_per_connection");
    cfg.warmup = nanos(f.number(c, "$.config", "warmup_s"));
    cfg.rate = f.number(c, "$.config", "rate");
    cfg.per_connection_rate = f.number(c, "$.config", "per_connection_rate");
    cfg.pipeline = static_cast<unsigned>(f.u64(c, "$.config", "pipeline"));
    cfg.message_size = f.u64(c, "$.config", "message_size");
    cfg.message_type = f.text(c, "$.config", "message_type") == "text"
                           ? loadgen::MessageType::text
                           : loadgen::MessageType::binary;
    cfg.connect_rate = f.number(c, "$.config", "connect_rate");
    cfg.ping_interval = nanos(f.number(c, "$.config", "ping_interval_s"));
    if (const json* shard = f.find(c, "shard")) {
        r.shard_index = f.u64(*shard, "$.config.shard", "index");
        r.shard_count = f.u64(*shard, "$.config.shard", "count");
        if (r.shard_count == 0 || r.shard_index >= r.shard_count) {
            f.fail("$.config.shard", "index must be below count");
        }
        cfg.shard_index = r.shard_index;
        cfg.shard_count = r.shard_count;
    }

    // summary
    const json& s = f.at(d, "$", "summary");
    const json& conns = f.at(s, "$.summary", "connections");
    run.connections_target = f.u64(conns, "$.summary.connections", "target");
    run.connections_established = f.u64(conns, "$.summary.connections", "established");
    run.connections_failed = f.u64(conns, "$.summary.connections", "failed");
    // Optional (newer reports): the connect ramp.
    if (const auto ramp = conns.find("ramp_s");
        ramp != conns.end() && ramp->is_number() && *ramp >= 0) {
        run.ramp_s = ramp->get<double>();
    }
    const json& messages = f.at(s, "$.summary", "messages");
    run.messages_sent = f.u64(messages, "$.summary.messages", "sent");
    run.messages_received = f.u64(messages, "$.summary.messages", "received");
    const json& bytes = f.at(s, "$.summary", "bytes");
    run.bytes_sent = f.u64(bytes, "$.summary.bytes", "sent");
    run.bytes_received = f.u64(bytes, "$.summary.bytes", "received");
    run.duration_s = f.number(s, "$.summary", "duration_s");
    r.received_per_s =
        f.number(f.at(s, "$.summary", "throughput"), "$.summary.throughput", "received_per_s");

    // histograms: the exact data; the summaries beside them are derived from these.
    const json& h = f.at(d, "$", "histograms");
    run.latency = f.histogram(f.at(h, "$.histograms", "latency"), "$.histograms.latency");
    run.latency_uncorrected = f.histogram(f.at(h, "$.histograms", "latency_uncorrected"),
                                          "$.histograms.latency_uncorrected");
    run.connect = f.histogram(f.at(h, "$.histograms", "connect"), "$.histograms.connect");
    run.handshake = f.histogram(f.at(h, "$.histograms", "handshake"), "$.histograms.handshake");
    if (const json* lag = f.find(h, "schedule_lag")) {
        run.schedule_lag = f.histogram(*lag, "$.histograms.schedule_lag");
        r.has_schedule_lag = true;
    }

    // timeline
    const json& timeline = f.at(d, "$", "timeline");
    if (!timeline.is_array()) f.fail("$.timeline", "expected an array");
    bool all_histograms = !timeline.empty();
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        const std::string at = "$.timeline[" + std::to_string(i) + "]";
        const json& t = timeline[i];
        loadgen::TimelinePoint p;
        p.t_s = f.number(t, at, "t_s");
        p.sent = f.u64(t, at, "sent");
        p.received = f.u64(t, at, "received");
        p.connections = f.u64(t, at, "connections");
        p.errors = f.u64(t, at, "errors");
        p.p50_us = f.u64(t, at, "p50_us");
        p.p99_us = f.u64(t, at, "p99_us");
        if (const json* enc = f.find(t, "histogram")) {
            r.timeline_histograms.push_back(f.histogram(*enc, at + ".histogram"));
        } else {
            all_histograms = false;
        }
        run.timeline.push_back(p);
    }
    if (!all_histograms) r.timeline_histograms.clear();

    // errors by kind: every kind this version knows; unknown kinds are left out.
    const json& errors = f.at(d, "$", "errors");
    if (!errors.is_object()) f.fail("$.errors", "expected an object");
    for (const auto& [kind, n] : errors.items()) f.u64(errors, "$.errors", kind.c_str());
    for (std::size_t k = 0; k < loadgen::kErrorKinds; ++k) {
        const char* name = loadgen::to_string(static_cast<loadgen::ErrorKind>(k));
        if (errors.contains(name)) run.errors[k] = f.u64(errors, "$.errors", name);
    }
    const json& codes = f.at(d, "$", "close_codes");
    if (!codes.is_object()) f.fail("$.close_codes", "expected an object");
    for (const auto& [code, n] : codes.items()) {
        char* end = nullptr;
        const unsigned long value = std::strtoul(code.c_str(), &end, 10);
        if (code.empty() || *end != '\0' || value > 65535) {
            f.fail("$.close_codes", "'" + code + "' is not a close code");
        }
        run.close_codes[static_cast<std::uint16_t>(value)] =
            f.u64(codes, "$.close_codes", code.c_str());
    }

    // generator health
    const json& g = f.at(d, "$", "generator");
    const json& threads = f.at(g, "$.generator", "threads");
    if (!threads.is_array()) f.fail("$.generator.threads", "expected an array");
    for (std::size_t i = 0; i < threads.size(); ++i) {
        const std::string at = "$.generator.threads[" + std::to_string(i) + "]";
        loadgen::ThreadHealth t;
        t.index = static_cast<unsigned>(f.u64(threads[i], at, "index"));
        t.cpu_s = f.number(threads[i], at, "cpu_s");
        t.connections = f.u64(threads[i], at, "connections");
        run.threads.push_back(t);
    }
    const json& warnings = f.at(g, "$.generator", "warnings");
    if (!warnings.is_array()) f.fail("$.generator.warnings", "expected an array");
    for (const json& w : warnings) {
        if (!w.is_string()) f.fail("$.generator.warnings", "expected strings");
        run.warnings.push_back(w.get<std::string>());
    }
    if (const json* b = f.find(d, "broadcast")) {
        run.broadcast_expected = f.u64(*b, "$.broadcast", "expected");
        f.u64(*b, "$.broadcast", "lost");
        f.u64(*b, "$.broadcast", "duplicated");
    }
    if (const json* fatal = f.find(d, "fatal")) {
        if (!fatal->is_string()) f.fail("$.fatal", "expected a string");
        run.fatal = fatal->get<std::string>();
    }
    return r;
}

LoadgenReport read_loadgen(const std::string& path) { return to_loadgen(read_input(path)); }

}  // namespace wsb::report
