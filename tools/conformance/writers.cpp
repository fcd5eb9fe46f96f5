// Report writers (see writers.hpp). JSON is built with nlohmann::json; XML and HTML are
// escaped text.
#include "conformance/writers.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "wsbench/report/conformance.hpp"
#include "wsbench/report/write.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::conformance {

using nlohmann::json;

std::string report_file_name(const std::string& agent, const std::string& id) {
    std::string a;
    for (char ch : agent) {
        const auto c = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(ch)));
        a += ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? static_cast<char>(c) : '_';
    }
    std::string i = id;
    for (char& ch : i) {
        if (ch == '.') ch = '_';
    }
    return a + "_case_" + i + ".json";
}

namespace {

std::string payload_text(const std::string& p) {
    const std::string head = p.substr(0, 64);
    if (is_valid_utf8(head)) return head;
    static const char* hex = "0123456789abcdef";
    std::string out = "0x";
    for (unsigned char c : head) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

json event_json(const Event& e) {
    json j;
    switch (e.kind) {
        case Event::Kind::message:
            j["type"] = "message";
            j["binary"] = e.binary;
            j["length"] = e.length;
            j["payload"] = payload_text(e.payload);
            break;
        case Event::Kind::pong:
            j["type"] = "pong";
            j["length"] = e.length;
            j["payload"] = payload_text(e.payload);
            break;
        case Event::Kind::timeout:
            j["type"] = "timeout";
            j["tag"] = e.payload;
            break;
        case Event::Kind::mark:
            j["type"] = "mark";
            j["tag"] = e.payload;
            break;
    }
    return j;
}

json events_json(const EventList& events) {
    json a = json::array();
    for (const Event& e : events) a.push_back(event_json(e));
    return a;
}

json optional_code(const std::optional<std::uint16_t>& c) { return c ? json(*c) : json(nullptr); }

std::int64_t ms(double v) { return static_cast<std::int64_t>(std::llround(v)); }

std::string observed_text(const CaseResult& c) {
    const Observation& o = c.obs;
    std::ostringstream s;
    s << "received " << describe(o.received) << "; ";
    if (!o.handshake_done) s << "handshake: " << o.handshake_error << "; ";
    const char* me = o.served ? "the server" : "the runner";
    s << "closed by " << (o.closed_by_me ? me : o.served ? "the client" : "the server");
    s << ", remote close code "
      << (o.remote_close_code ? std::to_string(*o.remote_close_code) : std::string("none"));
    s << ", " << (o.was_clean ? "clean" : "not clean");
    if (!o.not_clean_reason.empty()) s << " (" << o.not_clean_reason << ")";
    if (o.dropped_by_me) s << ", TCP dropped by " << me;
    if (!o.protocol_error.empty()) s << "; " << o.protocol_error;
    return s.str();
}

// The page's CSS class of a verdict word of either column.
const char* behavior_class(const std::string& v) {
    using report::CloseBehavior;
    if (const auto b = report::behavior_from_string(v)) {
        switch (*b) {
            case Behavior::ok:
                return "ok";
            case Behavior::non_strict:
                return "ns";
            case Behavior::informational:
                return "info";
            case Behavior::unimplemented:
                return "unimpl";
            case Behavior::failed:
                return "fail";
        }
    }
    switch (report::close_behavior_from_string(v).value_or(CloseBehavior::failed)) {
        case CloseBehavior::wrong_code:
            return "ns";
        case CloseBehavior::unclean:
        case CloseBehavior::failed_by_client:
            return "unclean";
        default:
            return "fail";
    }
}

}  // namespace

json index_json(const RunResult& result) {
    json cases = json::object();
    for (const CaseResult& c : result.cases) {
        if (!c.ran) continue;
        cases[c.spec->id] = {
            {"behavior", to_string(c.verdict.behavior)},
            {"behaviorClose", to_string(c.verdict.behavior_close)},
            {"duration", ms(c.obs.duration_ms)},
            {"remoteCloseCode", optional_code(c.obs.remote_close_code)},
            {"reportfile", report_file_name(result.agent, c.spec->id)},
        };
    }
    return json{{result.agent, cases}};
}

report::ConformanceCase case_record(const CaseResult& c, const std::string& agent) {
    const Observation& o = c.obs;
    const CaseSpec& s = *c.spec;
    json expected = json::object();
    for (const auto& [b, events] : s.expected) expected[to_string(b)] = events_json(events);
    json wirelog = json::array();
    for (const WireEntry& w : o.wire_log) {
        wirelog.push_back({std::round(w.t_ms * 1000) / 1000, w.dir, w.text});
    }
    report::ConformanceCase out;
    out.id = s.id;
    out.ran = c.ran;
    out.behavior = to_string(c.verdict.behavior);
    out.behavior_close = to_string(c.verdict.behavior_close);
    out.duration_ms = static_cast<double>(ms(o.duration_ms));
    if (o.remote_close_code) out.remote_close_code = *o.remote_close_code;
    out.details = {
        {"section", section_of(s.id)},
        {"description", s.description},
        {"expectation", s.expectation},
        {"agent", agent},
        {"started", c.started},
        {"handshakeDuration", std::round(o.handshake_ms * 1000) / 1000},
        {"result", c.verdict.result},
        {"resultClose", c.verdict.result_close},
        {"expected", expected},
        {"expectedClose",
         {{"closedByMe", s.expected_close.closed_by_me},
          {"closeCode", s.expected_close.codes},
          {"requireClean", s.expected_close.require_clean},
          {"closedByWrongEndpointIsFatal", s.expected_close.wrong_endpoint_fatal}}},
        {"received", events_json(o.received)},
        {"closedByMe", o.closed_by_me},
        {"failedByMe", o.failed_by_me},
        {"droppedByMe", o.dropped_by_me},
        {"droppedByPeer", o.peer_dropped_tcp},
        {"resetByPeer", o.reset_by_peer},
        {"wasClean", o.was_clean},
        {"wasNotCleanReason",
         o.not_clean_reason.empty() ? json(nullptr) : json(o.not_clean_reason)},
        {"localCloseCode", optional_code(o.local_close_code)},
        {"localCloseReason", o.local_close_reason},
        {"remoteCloseReason", o.remote_close_reason},
        {"protocolError", o.protocol_error.empty() ? json(nullptr) : json(o.protocol_error)},
        {"handshakeError", o.handshake_error.empty() ? json(nullptr) : json(o.handshake_error)},
        {"httpStatus", o.http_status},
        {"httpRequest", o.http_request},
        {"httpResponse", o.http_response},
        {"bytesSent", o.bytes_sent},
        {"bytesReceived", o.bytes_received},
        {"interrupted", o.interrupted},
        {"wirelog", wirelog},
        {"wirelogDropped", o.wire_log_dropped},
    };
    return out;
}

json case_json(const CaseResult& c, const std::string& agent) { return case_record(c, agent); }

json report_json(const Config& config, const RunResult& result) {
    json cfg = {
        {"mode", config.serve ? "serve" : "run"},
        {"url", config.url_text},
        {"cases", config.cases},
        {"exclude_cases", config.exclude_cases},
        {"agent", config.agent},
        {"timeout_scale", config.timeout_scale},
        {"strict", config.strict},
        {"report_dir", config.report_dir},
        {"wire_log_limit", config.wire_log_limit},
        {"quiet", config.quiet},
        {"verbosity", config.verbosity},
    };
    // The protocol timers as they ran (scaled); the pauses inside cases are part of the cases.
    json timers = {{"open_handshake_s", kOpenHandshakeTimeout * config.timeout_scale},
                   {"close_handshake_s", kCloseHandshakeTimeout * config.timeout_scale}};
    if (config.serve) {
        // Testing clients: cases run as the clients open them, so there is no parallelism
        // to record, and no client-side TLS options; the server side's own instead.
        const ServeSide& sv = *config.serve;
        cfg["serve"] = {{"host", sv.host},
                        {"port", sv.port},
                        {"port_asked", sv.port_asked},
                        {"tls", sv.tls},
                        {"tls_cert", sv.tls_cert},
                        {"tls_key", sv.tls_key},
                        {"once", sv.once},
                        {"agent_name_from_url", sv.agent_from_url}};
    } else {
        cfg["parallel"] = config.parallel;
        cfg["insecure"] = config.insecure;
        cfg["ca"] = config.ca_file;
        timers["server_drop_s"] = kServerDropTimeout * config.timeout_scale;
    }
    cfg["timers"] = timers;
    report::ConformanceReport report;
    report.envelope =
        report::make_envelope(report::kConformanceSchema, report::kConformanceTool, config.url_text,
                              std::chrono::system_clock::now(), result.interrupted);
    report.config = cfg;
    report.agent = result.agent;
    report.started = result.started;
    report.duration_ms = ms(result.wall_ms);
    report.selected = result.cases.size();
    for (const CaseResult& c : result.cases) {
        if (!c.ran || is_failure(c.verdict, config.strict)) ++report.failed;
        report.cases.push_back(case_record(c, result.agent));
    }
    report.exit_code = exit_status(exit_code_for(result, config.strict));
    return report;
}

std::string junit_xml(const RunResult& result, bool strict) {
    std::size_t failures = 0, errors = 0;
    for (const CaseResult& c : result.cases) {
        if (!c.ran) {
            ++errors;
        } else if (is_failure(c.verdict, strict)) {
            ++failures;
        }
    }
    std::ostringstream x;
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", result.wall_ms / 1000.0);
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << "<testsuites name=\"wsbench-conformance\" tests=\"" << result.cases.size()
      << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" time=\"" << time
      << "\">\n";
    x << "  <testsuite name=\"" << escape_markup("wsbench-conformance " + result.agent)
      << "\" tests=\"" << result.cases.size() << "\" failures=\"" << failures << "\" errors=\""
      << errors << "\" time=\"" << time << "\" timestamp=\"" << escape_markup(result.started)
      << "\">\n";
    for (const CaseResult& c : result.cases) {
        std::snprintf(time, sizeof time, "%.3f", c.obs.duration_ms / 1000.0);
        x << "    <testcase classname=\"" << escape_markup(section_of(c.spec->id)) << "\" name=\""
          << escape_markup(c.spec->id) << "\" time=\"" << time << "\">";
        if (!c.ran) {
            x << "\n      <error message=\"not run (the run was interrupted)\"/>\n    ";
        } else if (is_failure(c.verdict, strict)) {
            const std::string msg = std::string("behavior ") + to_string(c.verdict.behavior) +
                                    ", behaviorClose " + to_string(c.verdict.behavior_close);
            x << "\n      <failure message=\"" << escape_markup(msg) << "\" type=\""
              << escape_markup(to_string(c.verdict.behavior)) << "\">"
              << escape_markup(
                     "Case " + c.spec->id + ": " + c.spec->description +
                     "\nExpected: " + c.spec->expectation + "\nBehavior: " + c.verdict.result +
                     "\nClose: " + c.verdict.result_close + "\nObserved: " + observed_text(c))
              << "</failure>\n    ";
        } else if (c.verdict.behavior != Behavior::ok ||
                   c.verdict.behavior_close != CloseBehavior::ok) {
            x << "\n      <system-out>"
              << escape_markup(std::string(to_string(c.verdict.behavior)) + ": " + c.verdict.result)
              << "</system-out>\n    ";
        }
        x << "</testcase>\n";
    }
    x << "  </testsuite>\n</testsuites>\n";
    return x.str();
}

std::string index_html(const Config& config, const RunResult& result) {
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<title>wsbench-conformance: "
      << escape_markup(result.agent)
      << "</title>\n<style>\n"
         "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}\n"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
         "vertical-align:top}\n"
         "th{background:#eee;text-align:left}tr.section th{background:#ddd}\n"
         ".ok{background:#9d9}.ns{background:#ee6}.info{background:#9cf}.unimpl{background:#ccc}"
         ".fail{background:#e66;color:#fff}.unclean{background:#fa6}\n"
         "td.why{font-size:12px;color:#444;max-width:60em}\n"
         ".legend span{padding:2px 8px;margin-right:4px}\n"
         "</style></head><body>\n";
    h << "<h1>wsbench-conformance report</h1>\n<p>Agent <b>" << escape_markup(result.agent)
      << "</b> at <code>" << escape_markup(config.url_text) << "</code>, started "
      << escape_markup(result.started);
    char wall[64];
    std::snprintf(wall, sizeof wall, ", %.2f s", result.wall_ms / 1000.0);
    h << wall << (result.interrupted ? " <b>(interrupted)</b>" : "") << ".</p>\n";
    std::map<std::string, int> counts;
    for (const CaseResult& c : result.cases) {
        if (c.ran) ++counts[to_string(c.verdict.behavior)];
    }
    h << "<p class=\"legend\">";
    for (const Behavior behavior : report::kBehaviors) {
        const std::string b = to_string(behavior);
        h << "<span class=\"" << behavior_class(b) << "\">" << b << " " << counts[b] << "</span>";
    }
    h << "</p>\n<table>\n<tr><th>case</th><th>behavior</th><th>close</th><th>ms</th>"
         "<th>description / outcome</th></tr>\n";
    std::string section;
    for (const CaseResult& c : result.cases) {
        const std::string sec = section_of(c.spec->id);
        if (sec != section) {
            section = sec;
            h << "<tr class=\"section\"><th colspan=\"5\">Section " << escape_markup(sec)
              << "</th></tr>\n";
        }
        const std::string b = c.ran ? to_string(c.verdict.behavior) : "MISSING";
        const std::string bc = c.ran ? to_string(c.verdict.behavior_close) : "MISSING";
        std::string close_cell = bc;
        if (c.ran && c.verdict.behavior_close == CloseBehavior::ok) {
            close_cell = c.obs.remote_close_code ? std::to_string(*c.obs.remote_close_code)
                                                 : std::string("None");
        }
        h << "<tr id=\"case-" << escape_markup(c.spec->id) << "\"><td><a href=\""
          << escape_markup(report_file_name(result.agent, c.spec->id)) << "\">"
          << escape_markup(c.spec->id) << "</a></td><td class=\""
          << (c.ran ? behavior_class(b) : "unimpl") << "\">" << escape_markup(b)
          << "</td><td class=\"" << (c.ran ? behavior_class(bc) : "unimpl") << "\">"
          << escape_markup(close_cell) << "</td><td>" << ms(c.obs.duration_ms)
          << "</td><td class=\"why\">" << escape_markup(c.spec->description);
        if (c.ran &&
            (c.verdict.behavior != Behavior::ok || c.verdict.behavior_close != CloseBehavior::ok)) {
            h << "<br><b>Expected:</b> " << escape_markup(c.spec->expectation)
              << "<br><b>Outcome:</b> " << escape_markup(c.verdict.result) << " "
              << escape_markup(c.verdict.result_close);
        }
        h << "</td></tr>\n";
    }
    h << "</table>\n</body></html>\n";
    return h.str();
}

namespace {

// Replaced atomically, not flushed to disk (see write_reports).
Errc write_text(const std::filesystem::path& path, const std::string& text, std::string& detail) {
    return write_file(path.string(), text, &detail, Sync::no);
}

}  // namespace

Errc write_reports(const Config& config, const RunResult& result, std::string& detail) {
    namespace fs = std::filesystem;
    const fs::path dir(config.report_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        detail = "cannot create the directory " + dir.string() + ": " + ec.message();
        return Errc::io_error;
    }
    // Hundreds of small files: each is replaced atomically but not flushed to disk one by one
    // (that costs seconds); report.json, written last with write_report(), is.
    auto dump = [](const json& j) {
        return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    };
    for (const CaseResult& c : result.cases) {
        if (!c.ran) continue;
        const Errc e = write_text(dir / report_file_name(result.agent, c.spec->id),
                                  dump(case_json(c, result.agent)), detail);
        if (e != Errc::ok) return e;
    }
    Errc e = write_text(dir / "index.json", dump(index_json(result)), detail);
    if (e != Errc::ok) return e;
    e = write_report(report_json(config, result), (dir / "report.json").string(), &detail);
    if (e != Errc::ok) return e;
    e = write_text(dir / "junit.xml", junit_xml(result, config.strict), detail);
    if (e != Errc::ok) return e;
    return write_text(dir / "index.html", index_html(config, result), detail);
}

}  // namespace wsb::conformance
