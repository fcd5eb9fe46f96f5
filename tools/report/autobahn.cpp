// Autobahn index.json: reading it case by case, case order, section names.
#include "report/autobahn.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace wsb::report {

bool CaseResult::passed() const { return passes(behavior, behavior_close, false); }

bool CaseResult::unimplemented() const { return behavior == to_string(Behavior::unimplemented); }

void CaseCounts::add(const CaseResult& r) {
    ++cases;
    if (r.unimplemented()) {
        ++unimplemented;
    } else if (r.passed()) {
        ++passed;
    } else {
        ++failed;
    }
}

std::string CaseCounts::text() const {
    std::string s = std::to_string(passed) + "/" + std::to_string(cases) + " passed";
    if (failed) s += ", " + std::to_string(failed) + " failed";
    if (unimplemented) s += ", " + std::to_string(unimplemented) + " unimplemented";
    return s;
}

namespace {

// The counts of every case of `agent`, and of each section in order.
std::pair<CaseCounts, std::map<int, CaseCounts>> counts_of(const AutobahnAgent& agent) {
    CaseCounts all;
    std::map<int, CaseCounts> sections;
    for (const AutobahnCase& c : agent.cases) {
        all.add(c.result);
        sections[section_of(c.id)].add(c.result);
    }
    return {all, sections};
}

nlohmann::json counts_json(const CaseCounts& c) {
    return {{"cases", c.cases},
            {"passed", c.passed},
            {"failed", c.failed},
            {"unimplemented", c.unimplemented}};
}

}  // namespace

std::string autobahn_summary_text(const std::vector<AutobahnAgent>& agents) {
    std::string out;
    for (const AutobahnAgent& a : agents) {
        const auto [all, sections] = counts_of(a);
        out += a.path + ": agent " + a.agent + ", " + all.text() + "\n";
        for (const auto& [section, counts] : sections) {
            char label[64];
            std::snprintf(label, sizeof label, "%d %s", section, section_name(section));
            char line[160];
            std::snprintf(line, sizeof line, "  %-48s %s\n", label, counts.text().c_str());
            out += line;
        }
    }
    return out;
}

nlohmann::json autobahn_summary_json(const std::vector<AutobahnAgent>& agents) {
    nlohmann::json list = nlohmann::json::array();
    for (const AutobahnAgent& a : agents) {
        const auto [all, sections] = counts_of(a);
        nlohmann::json j = counts_json(all);
        j["file"] = a.path;
        j["agent"] = a.agent;
        j["sections"] = nlohmann::json::array();
        for (const auto& [section, counts] : sections) {
            nlohmann::json s = counts_json(counts);
            s["section"] = section;
            s["name"] = section_name(section);
            j["sections"].push_back(s);
        }
        list.push_back(j);
    }
    return {{"agents", list}};
}

namespace {

/// A wsbench-conformance report.json read as the one agent it holds (the report model).
std::vector<AutobahnAgent> read_conformance(const Input& in) {
    ConformanceReport report;
    try {
        report = in.doc.get<ConformanceReport>();
    } catch (const FormatError& e) {
        throw InputError(in.path + ": " + e.what());
    }
    AutobahnAgent a;
    a.path = in.path;
    a.agent = report.agent;
    for (ConformanceCase& c : report.cases) {
        AutobahnCase out;
        out.id = std::move(c.id);
        out.result = CaseResult{std::move(c.behavior), std::move(c.behavior_close)};
        out.duration_ms = c.duration_ms;
        out.remote_close_code = c.remote_close_code;
        a.cases.push_back(std::move(out));
    }
    std::sort(a.cases.begin(), a.cases.end(),
              [](const AutobahnCase& x, const AutobahnCase& y) { return case_less(x.id, y.id); });
    return {std::move(a)};
}

}  // namespace

bool is_case_results(ReportKind kind) noexcept {
    return kind == ReportKind::autobahn || kind == ReportKind::conformance;
}

std::vector<AutobahnAgent> read_autobahn(const Input& in) {
    if (in.kind == ReportKind::conformance) return read_conformance(in);
    if (in.kind != ReportKind::autobahn) {
        throw InputError(in.path + ": a " + std::string(to_string(in.kind)) +
                         " report, where an Autobahn index.json is expected");
    }
    std::vector<AutobahnAgent> agents;
    for (const auto& [agent, cases] : in.doc.items()) {
        AutobahnAgent a;
        a.path = in.path;
        a.agent = agent;
        for (const auto& [id, result] : cases.items()) {
            const std::string at = in.path + ": $['" + agent + "']['" + id + "']";
            AutobahnCase c;
            c.id = id;
            const auto behavior = result.find("behavior");
            const auto close = result.find("behaviorClose");
            if (behavior == result.end() || !behavior->is_string()) {
                throw InputError(at + ".behavior: expected a string");
            }
            if (close == result.end() || !close->is_string()) {
                throw InputError(at + ".behaviorClose: expected a string");
            }
            c.result = CaseResult{behavior->get<std::string>(), close->get<std::string>()};
            if (const auto d = result.find("duration"); d != result.end() && !d->is_null()) {
                if (!d->is_number()) throw InputError(at + ".duration: expected a number");
                c.duration_ms = d->get<double>();
            }
            if (const auto code = result.find("remoteCloseCode");
                code != result.end() && !code->is_null()) {
                if (!code->is_number_integer()) {
                    throw InputError(at + ".remoteCloseCode: expected an integer or null");
                }
                c.remote_close_code = code->get<long long>();
            }
            if (const auto file = result.find("reportfile");
                file != result.end() && file->is_string()) {
                c.reportfile = file->get<std::string>();
            }
            a.cases.push_back(std::move(c));
        }
        std::sort(a.cases.begin(), a.cases.end(), [](const AutobahnCase& x, const AutobahnCase& y) {
            return case_less(x.id, y.id);
        });
        agents.push_back(std::move(a));
    }
    return agents;
}

int section_of(const std::string& id) {
    const std::size_t digits = id.find_first_not_of("0123456789");
    const std::string head = id.substr(0, digits);
    return head.empty() || head.size() > 4 ? 0 : std::atoi(head.c_str());
}

const char* section_name(int section) {
    switch (section) {
        case 0:
            return "wsbench's own (H opening handshake, M masking)";
        case 1:
            return "Framing";
        case 2:
            return "Pings/Pongs";
        case 3:
            return "Reserved Bits";
        case 4:
            return "Opcodes";
        case 5:
            return "Fragmentation";
        case 6:
            return "UTF-8 Handling";
        case 7:
            return "Close Handling";
        case 9:
            return "Limits/Performance";
        case 10:
            return "Misc";
        case 12:
            return "WebSocket Compression (different payloads)";
        case 13:
            return "WebSocket Compression (different parameters)";
        default:
            return "";
    }
}

}  // namespace wsb::report
