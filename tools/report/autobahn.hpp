// Autobahn testsuite results (index.json: agent -> case id -> verdicts), as Autobahn's wstest
// and wsbench-conformance write them: reading, case order and sections.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/input.hpp"
#include "wsbench/report/conformance.hpp"

namespace wsb::report {

/// One conformance case's verdicts in one report, as the file spells them (Autobahn's
/// vocabulary, report::Behavior and report::CloseBehavior; other words count as failed).
struct CaseResult {
    std::string behavior;
    std::string behavior_close;

    /// Passing as Autobahn checkers accept it (report::passes, not strict): behavior OK,
    /// NON-STRICT or INFORMATIONAL and behaviorClose OK or INFORMATIONAL.
    bool passed() const;
    /// UNIMPLEMENTED (12.x/13.x without permessage-deflate): neither pass nor fail.
    bool unimplemented() const;
    /// "OK/OK", "FAILED/OK", ...
    std::string text() const { return behavior + "/" + behavior_close; }
};

/// One case of an index.json with the details the file gives.
struct AutobahnCase {
    std::string id;  ///< "1.1.1", "12.1.10"
    CaseResult result;
    std::optional<double> duration_ms;           ///< `duration`
    std::optional<long long> remote_close_code;  ///< `remoteCloseCode` (null: none)
    std::string reportfile;                      ///< the per-case report beside index.json
};

/// The cases of one agent in one file, in case order.
struct AutobahnAgent {
    std::string path;
    std::string agent;
    std::vector<AutobahnCase> cases;
};

/// Every agent of an index.json `input`, in the file's order. Throws InputError naming the file,
/// agent and case for a verdict that is not a string, or a duration or close code that is not
/// a number (or null).
/// A wsbench-conformance report.json ("wsbench.conformance/1") reads as its one agent.
std::vector<AutobahnAgent> read_autobahn(const Input& input);

/// Reports of case verdicts: Autobahn index.json and wsbench-conformance report.json. They
/// compare with each other (our verdicts against an Autobahn run) and share summary and html.
bool is_case_results(ReportKind kind) noexcept;

/// Pass/fail counts of a set of cases.
struct CaseCounts {
    std::size_t cases = 0;
    std::size_t passed = 0;
    std::size_t failed = 0;
    std::size_t unimplemented = 0;  ///< neither passed nor failed
    void add(const CaseResult& r);
    /// "14/16 passed, 2 failed" (and ", N unimplemented").
    std::string text() const;
};

/// `summary` of index.json files: per file and agent, the counts of every case and of each
/// section. Text: one block per agent with a line per section. JSON: {"agents": [{file, agent,
/// cases, passed, failed, unimplemented, sections: [{section, name, cases, passed, failed,
/// unimplemented}]}]}.
std::string autobahn_summary_text(const std::vector<AutobahnAgent>& agents);
nlohmann::json autobahn_summary_json(const std::vector<AutobahnAgent>& agents);

/// Case order: "1.1.2" before "1.1.10" before "2.1" (report::case_id_less, the order
/// wsbench-conformance runs cases in).
inline bool case_less(const std::string& a, const std::string& b) { return case_id_less(a, b); }

/// The section of a case id: its first number (1 for "1.1.2"); 0 when it has none.
int section_of(const std::string& id);

/// Autobahn's name of a section: 1 "Framing", 2 "Pings/Pongs", ... 13 "WebSocket Compression
/// (different parameters)"; "" for a number it has no name for.
const char* section_name(int section);

}  // namespace wsb::report
