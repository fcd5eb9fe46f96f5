// compare for conformance results: Autobahn index.json files and wsbench-conformance
// report.json files, case by case.
#include <algorithm>
#include <map>

#include "report/compare.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;
using Cases = std::map<std::string, CaseResult>;

Cases read_cases(const Input& in, const std::string& agent) {
    Cases cases;
    for (const AutobahnAgent& a : read_autobahn(in)) {
        if (a.agent != agent) continue;
        for (const AutobahnCase& c : a.cases) cases[c.id] = c.result;
    }
    return cases;
}

CaseTotals totals(const std::string& agent, const Cases& cases) {
    CaseTotals t;
    t.agent = agent;
    t.cases = cases.size();
    for (const auto& [id, r] : cases) {
        if (r.unimplemented()) {
            ++t.unimplemented;
        } else if (r.passed()) {
            ++t.passed;
        } else {
            ++t.failed;
        }
    }
    return t;
}

std::vector<std::string> agents_of(const Input& in) {
    std::vector<std::string> agents;
    for (const AutobahnAgent& a : read_autobahn(in)) agents.push_back(a.agent);
    return agents;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "'" : ", '") + x + "'";
    return s;
}

}  // namespace

const char* to_string(CaseChange::Kind k) noexcept {
    switch (k) {
        case CaseChange::Kind::newly_failing:
            return "newly failing";
        case CaseChange::Kind::newly_passing:
            return "newly passing";
        case CaseChange::Kind::changed:
            return "changed";
        case CaseChange::Kind::missing:
            return "missing in new";
        case CaseChange::Kind::added:
            return "new";
    }
    return "?";
}

namespace {

using AgentPairs = std::vector<std::pair<std::string, std::string>>;

// Pairs the agents of the two files: one each, or the ones both files name.
AgentPairs pair_agents(const Input& base, const Input& current, Comparison& c) {
    const std::vector<std::string> ba = agents_of(base);
    const std::vector<std::string> na = agents_of(current);
    AgentPairs pairs;
    if (ba.size() == 1 && na.size() == 1) {
        pairs.emplace_back(ba[0], na[0]);
        if (ba[0] != na[0]) {
            c.notes.push_back("agents differ: '" + ba[0] + "' in " + base.path + ", '" + na[0] +
                              "' in " + current.path);
        }
        return pairs;
    }
    for (const std::string& a : ba) {
        if (std::find(na.begin(), na.end(), a) != na.end()) pairs.emplace_back(a, a);
    }
    if (pairs.empty()) {
        throw InputError(base.path + " and " + current.path + ": no agent to compare (agents " +
                         joined(ba) + " and " + joined(na) +
                         "); give files with one agent each, or the same agents");
    }
    return pairs;
}

void add_totals(CaseTotals& into, const CaseTotals& from) {
    into.agent += (into.agent.empty() ? "" : ", ") + from.agent;
    into.cases += from.cases;
    into.passed += from.passed;
    into.failed += from.failed;
    into.unimplemented += from.unimplemented;
}

// The cases of one agent pair whose verdicts changed, went missing or are new.
void add_changes(const Cases& b, const Cases& n, const std::string& prefix, Comparison& c) {
    for (const auto& [id, br] : b) {
        const auto it = n.find(id);
        CaseChange change;
        change.id = prefix + id;
        change.base = br;
        if (it == n.end()) {
            change.kind = CaseChange::Kind::missing;
            c.cases.push_back(change);
            continue;
        }
        const CaseResult& nr = it->second;
        if (nr.behavior == br.behavior && nr.behavior_close == br.behavior_close) continue;
        change.current = nr;
        const bool base_failed = !br.passed() && !br.unimplemented();
        const bool new_failed = !nr.passed() && !nr.unimplemented();
        change.kind = !base_failed && new_failed   ? CaseChange::Kind::newly_failing
                      : base_failed && !new_failed ? CaseChange::Kind::newly_passing
                                                   : CaseChange::Kind::changed;
        c.cases.push_back(change);
    }
    for (const auto& [id, nr] : n) {
        if (b.count(id)) continue;
        CaseChange change;
        change.id = prefix + id;
        change.kind = CaseChange::Kind::added;
        change.current = nr;
        c.cases.push_back(change);
    }
}

}  // namespace

Comparison compare_autobahn(const Input& base, const Input& current) {
    Comparison c;
    c.kind = base.kind == ReportKind::conformance || current.kind == ReportKind::conformance
                 ? ReportKind::conformance
                 : ReportKind::autobahn;
    c.base_path = base.path;
    c.new_path = current.path;
    const AgentPairs pairs = pair_agents(base, current, c);
    for (const auto& [base_agent, new_agent] : pairs) {
        const Cases b = read_cases(base, base_agent);
        const Cases n = read_cases(current, new_agent);
        add_totals(c.base_totals, totals(base_agent, b));
        add_totals(c.new_totals, totals(new_agent, n));
        add_changes(b, n, pairs.size() > 1 ? base_agent + " " : "", c);
    }
    std::stable_sort(c.cases.begin(), c.cases.end(), [](const CaseChange& x, const CaseChange& y) {
        if (x.kind != y.kind) return x.kind < y.kind;
        return case_less(x.id, y.id);
    });
    if (c.base_totals.cases == 0 || c.new_totals.cases == 0) {
        c.notes.push_back("one side has no case results");
    }
    return c;
}

}  // namespace wsb::report
