// html for conformance results: Autobahn index.json files as case tables by section, each case
// coloured by its two verdicts, several files side by side.
#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "report/autobahn.hpp"
#include "report/html.hpp"
#include "wsbench/report/write.hpp"

namespace wsb::report {
namespace {

// The CSS class of a verdict word of either column: its colour.
const char* verdict_class(const std::string& v) {
    if (const auto b = behavior_from_string(v)) {
        switch (*b) {
            case Behavior::ok:
                return "ok";
            case Behavior::non_strict:
                return "nonstrict";
            case Behavior::informational:
                return "info";
            case Behavior::unimplemented:
                return "unimpl";
            case Behavior::failed:
                return "failed";
        }
    }
    switch (close_behavior_from_string(v).value_or(CloseBehavior::failed)) {
        case CloseBehavior::unclean:
        case CloseBehavior::wrong_code:
        case CloseBehavior::failed_by_client:
            return "warn";
        default:
            return "failed";
    }
}

// The legend: every verdict word once, the behavior words then the close words not among them.
std::string legend() {
    std::vector<std::string> words;
    for (const Behavior b : kBehaviors) {
        if (b != Behavior::failed) words.emplace_back(to_string(b));
    }
    for (const CloseBehavior b : {CloseBehavior::unclean, CloseBehavior::wrong_code,
                                  CloseBehavior::failed_by_client, CloseBehavior::failed}) {
        words.emplace_back(to_string(b));
    }
    std::string out = "<p class=\"legend\">";
    for (const std::string& v : words) {
        out += "<span class=\"v " + std::string(verdict_class(v)) + "\">" + v + "</span> ";
    }
    return out + "</p>\n";
}

std::string directory_of(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::string column_name(const AutobahnAgent& a) {
    const std::size_t slash = a.path.find_last_of('/');
    return (slash == std::string::npos ? a.path : a.path.substr(slash + 1)) + " · " + a.agent;
}

std::string cell(const AutobahnAgent& agent, const AutobahnCase* c) {
    if (!c) return "<td class=\"missing\" title=\"no result\">-</td>";
    std::string title =
        "behavior " + c->result.behavior + ", behaviorClose " + c->result.behavior_close;
    std::string close = c->result.behavior_close;
    if (c->remote_close_code) {
        title += ", remote close code " + std::to_string(*c->remote_close_code);
        if (c->result.behavior_close == to_string(CloseBehavior::ok))
            close = std::to_string(*c->remote_close_code);
    }
    std::string duration;
    if (c->duration_ms) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f ms", *c->duration_ms);
        duration = buf;
        title += std::string(", ") + buf;
    }
    std::string behavior = escape_markup(c->result.behavior);
    if (!c->reportfile.empty()) {
        title += ", report " + c->reportfile;
        behavior = "<a href=\"" + escape_markup(directory_of(agent.path) + c->reportfile) + "\">" +
                   behavior + "</a>";
    }
    return "<td title=\"" + escape_markup(title) + "\"><span class=\"v " +
           verdict_class(c->result.behavior) + "\">" + behavior + "</span><span class=\"v " +
           verdict_class(c->result.behavior_close) + "\">" + escape_markup(close) +
           "</span><span class=\"d\">" + duration + "</span></td>";
}

constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px;
       color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 24px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.note { color: #666; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee; white-space: nowrap; }
th { font-weight: 600; }
td.id { font-family: ui-monospace, Menlo, Consolas, monospace; }
tr.diff td.id { background: #fff3e0; font-weight: 600; }
.v { display: inline-block; min-width: 92px; padding: 1px 6px; margin-right: 2px;
     border-radius: 3px; font-size: 12px; }
.v a { color: inherit; text-decoration: none; }
.d { color: #777; font-size: 11px; margin-left: 4px; }
.ok { background: #a5d6a7; }
.nonstrict { background: #fff59d; }
.info { background: #90caf9; }
.unimpl { background: #e0e0e0; }
.warn { background: #ffcc80; }
.failed { background: #ef9a9a; }
td.missing { color: #999; }
.legend .v { min-width: 0; }
)";

// The columns of the page (one per agent of every input), and every case id of every column
// by section, in case order.
struct CaseGrid {
    std::vector<AutobahnAgent> columns;
    std::map<int, std::vector<std::string>> sections;
    std::vector<std::map<std::string, const AutobahnCase*>> by_id;  // per column

    explicit CaseGrid(const std::vector<Input>& inputs) {
        for (const Input& in : inputs) {
            for (AutobahnAgent& a : read_autobahn(in)) columns.push_back(std::move(a));
        }
        std::set<std::string> seen;
        by_id.resize(columns.size());
        for (std::size_t i = 0; i < columns.size(); ++i) {
            for (const AutobahnCase& c : columns[i].cases) {
                by_id[i][c.id] = &c;
                if (seen.insert(c.id).second) sections[section_of(c.id)].push_back(c.id);
            }
        }
        for (auto& [section, ids] : sections) std::sort(ids.begin(), ids.end(), case_less);
    }

    // The case `id` of column `i`, or nullptr when that column does not have it.
    const AutobahnCase* find(std::size_t i, const std::string& id) const {
        const auto it = by_id[i].find(id);
        return it == by_id[i].end() ? nullptr : it->second;
    }

    std::string header_row(const std::string& first) const {
        std::string row = "<table><tr><th>" + first + "</th>";
        for (const AutobahnAgent& a : columns)
            row += "<th>" + escape_markup(column_name(a)) + "</th>";
        return row + "</tr>\n";
    }
};

std::string counts_cell(const CaseCounts& n) {
    return "<td>" + (n.cases == 0 ? std::string("-") : n.text()) + "</td>";
}

// Pass/fail totals per column: all cases, then each section.
std::string totals_table(const CaseGrid& g) {
    std::string out = g.header_row("") + "<tr><th>All cases</th>";
    for (const AutobahnAgent& a : g.columns) {
        CaseCounts n;
        for (const AutobahnCase& c : a.cases) n.add(c.result);
        out += counts_cell(n);
    }
    out += "</tr>\n";
    for (const auto& [section, ids] : g.sections) {
        out += "<tr><th>" + std::to_string(section) + " " + escape_markup(section_name(section)) +
               "</th>";
        for (std::size_t i = 0; i < g.columns.size(); ++i) {
            CaseCounts n;
            for (const std::string& id : ids) {
                if (const AutobahnCase* c = g.find(i, id)) n.add(c->result);
            }
            out += counts_cell(n);
        }
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

// One section's cases, a row each; rows whose outcome differs between columns highlighted.
std::string section_table(const CaseGrid& g, int section, const std::vector<std::string>& ids) {
    std::string out = "<h2>" + std::to_string(section) + " " +
                      escape_markup(section_name(section)) + "</h2>\n" + g.header_row("case");
    for (const std::string& id : ids) {
        std::set<int> outcomes;  // 0 pass, 1 fail, 2 unimplemented, 3 missing
        std::string cells;
        for (std::size_t i = 0; i < g.columns.size(); ++i) {
            const AutobahnCase* c = g.find(i, id);
            outcomes.insert(!c ? 3 : c->result.unimplemented() ? 2 : c->result.passed() ? 0 : 1);
            cells += cell(g.columns[i], c);
        }
        out += std::string("<tr") + (outcomes.size() > 1 ? " class=\"diff\"" : "") +
               "><td class=\"id\">" + escape_markup(id) + "</td>" + cells + "</tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace

std::string render_autobahn_html(const std::vector<Input>& inputs) {
    const CaseGrid grid(inputs);
    std::string title = "wsbench conformance: ";
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        title += (i ? ", " : "") + inputs[i].path;
    }
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>" +
        escape_markup(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    page += "<h1>" + escape_markup(title) + "</h1>\n";
    page += "<p class=\"note\">Made by wsbench-report " + std::string(version()) +
            ". Each case shows its two verdicts, <code>behavior</code> (the messages) and "
            "<code>behaviorClose</code> (the closing handshake; the remote close code when "
            "OK), and its duration; hover for details, click for the case's own report. A "
            "case passes with OK, NON-STRICT or INFORMATIONAL and a close OK or "
            "INFORMATIONAL. Cases whose outcome differs between columns are highlighted.</p>\n";
    page += legend();
    page += totals_table(grid);
    for (const auto& [section, ids] : grid.sections) page += section_table(grid, section, ids);
    page += "</body>\n</html>\n";
    return page;
}

}  // namespace wsb::report
