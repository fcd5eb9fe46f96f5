// The conformance verdicts in Autobahn's vocabulary and the "wsbench.conformance/1" report
// (reports/conformance.schema.json) as a model, shared by wsbench-conformance and wsbench-report.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wsbench/report/envelope.hpp"

namespace wsb::report {

/// The schema identifier of conformance reports.
inline constexpr const char* kConformanceSchema = "wsbench.conformance/1";
/// The tool name in the envelope of a conformance report.
inline constexpr const char* kConformanceTool = "wsbench-conformance";

/// Autobahn's `behavior` words: how the peer answered the case's messages.
enum class Behavior : std::uint8_t { ok, non_strict, informational, unimplemented, failed };
/// Autobahn's `behaviorClose` words: how the closing handshake went.
enum class CloseBehavior : std::uint8_t {
    ok,
    failed,
    wrong_code,
    unclean,
    failed_by_client,
    informational
};

/// Every Behavior, in the order reports and legends list them.
inline constexpr Behavior kBehaviors[] = {Behavior::ok, Behavior::non_strict,
                                          Behavior::informational, Behavior::unimplemented,
                                          Behavior::failed};
/// Every CloseBehavior, in the order reports and legends list them.
inline constexpr CloseBehavior kCloseBehaviors[] = {
    CloseBehavior::ok,      CloseBehavior::failed,           CloseBehavior::wrong_code,
    CloseBehavior::unclean, CloseBehavior::failed_by_client, CloseBehavior::informational};

/// "OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED".
const char* to_string(Behavior b) noexcept;
/// "OK", "FAILED", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT", "INFORMATIONAL".
const char* to_string(CloseBehavior b) noexcept;
/// The word as to_string() spells it; nullopt for any other text.
std::optional<Behavior> behavior_from_string(std::string_view word) noexcept;
std::optional<CloseBehavior> close_behavior_from_string(std::string_view word) noexcept;

/// True when the verdicts fail a run: behavior FAILED, or behaviorClose other than OK and
/// INFORMATIONAL (FAILED, WRONG CODE, UNCLEAN, FAILED BY CLIENT); with `strict`, behavior
/// NON-STRICT too. UNIMPLEMENTED does not fail a run.
bool fails(Behavior behavior, CloseBehavior close, bool strict) noexcept;
/// True when the verdicts pass as Autobahn checkers accept them: behavior OK, NON-STRICT (not
/// with `strict`) or INFORMATIONAL, and behaviorClose OK or INFORMATIONAL. UNIMPLEMENTED
/// neither passes nor fails.
bool passes(Behavior behavior, CloseBehavior close, bool strict) noexcept;
/// passes() on the words as a report spells them; false for words outside the vocabulary.
bool passes(std::string_view behavior, std::string_view close, bool strict) noexcept;

/// Case order: "1.1.2" before "1.1.10" before "2.1" before "2.1.1", numbers before letters
/// ("10.1.1" before "H.1.1"): numeric parts compared as numbers, others as text.
bool case_id_less(const std::string& a, const std::string& b);

/// One case of a conformance report: its id and verdicts, and the rest of its record.
struct ConformanceCase {
    std::string id;
    bool ran = true;                    ///< false when the run was interrupted before the case
    std::string behavior;               ///< a Behavior word
    std::string behavior_close;         ///< a CloseBehavior word
    std::optional<double> duration_ms;  ///< `duration`; whole ms in the file
    std::optional<std::int64_t> remote_close_code;  ///< `remoteCloseCode` (null: none)
    /// Every other key of the case record as the runner wrote it (description, expectation,
    /// expected and received events, close details, handshake, wire log).
    nlohmann::json details = nlohmann::json::object();
};

/// A wsbench-conformance run: the envelope, the run's options, and every case.
struct ConformanceReport {
    Envelope envelope;  ///< schema kConformanceSchema, tool kConformanceTool
    nlohmann::json config = nlohmann::json::object();  ///< every effective option, as written
    std::string agent;
    std::string started;  ///< RFC 3339
    std::int64_t duration_ms = 0;
    std::uint64_t selected = 0;  ///< cases selected (summary.selected)
    std::uint64_t failed = 0;    ///< cases that failed the run or were not run
    int exit_code = 0;           ///< the runner's exit code for this run
    std::vector<ConformanceCase> cases;

    /// Cases that ran.
    std::uint64_t ran() const;
};

/// Per word, the cases that ran with it (every word present, zeros included).
std::map<std::string, std::uint64_t> behavior_counts(const std::vector<ConformanceCase>& cases);
std::map<std::string, std::uint64_t> close_behavior_counts(
    const std::vector<ConformanceCase>& cases);

void to_json(nlohmann::json& j, const ConformanceCase& c);
/// Reads a case: id, behavior and behaviorClose strings are required; duration a number and
/// remoteCloseCode an integer or null when present. Throws FormatError with the JSON path.
void from_json(const nlohmann::json& j, ConformanceCase& c);
/// The report: envelope, config, agent, started, duration_ms, summary {selected, ran, failed,
/// passed, behavior, behaviorClose, exit_code} (the counts derived from the cases) and cases.
void to_json(nlohmann::json& j, const ConformanceReport& r);
/// Reads what wsbench-report uses: `agent` and `cases` are required, the envelope and the rest
/// are read when present. Throws FormatError with the JSON path.
void from_json(const nlohmann::json& j, ConformanceReport& r);

}  // namespace wsb::report
