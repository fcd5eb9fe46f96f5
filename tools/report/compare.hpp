// compare: two reports side by side, each metric judged against a threshold (regression,
// improvement or no change), rendered as text, JSON or Markdown.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/autobahn.hpp"
#include "report/input.hpp"

namespace wsb::report {

/// How a change is judged: a relative threshold for every metric, and overrides by name.
struct Thresholds {
    double default_pct = 10.0;                   ///< --threshold 10%
    std::map<std::string, double> override_pct;  ///< --threshold p99=5%: metric name -> percent

    /// The threshold of metric `name`: its own override, else for "uncorrected.X" and for a
    /// step's "steps.NAME.X" the override of "X", else the default.
    double for_metric(const std::string& name) const;
};

/// Parses one --threshold value into `t`: "10%" (the default for every metric) or
/// "NAME=5%" (one metric; NAME as in compare's table, e.g. p99, throughput, errors,
/// uncorrected.p99, steps.rpc.p99). The '%' is optional. Returns "" or a message naming the
/// problem.
std::string parse_threshold(const std::string& text, Thresholds& t);

/// The names --threshold NAME=... accepts for loadgen reports.
const std::vector<std::string>& loadgen_metric_names();

enum class Verdict { no_change, improvement, regression, info };

/// "no change", "improvement", "regression", "" (info: shown, not judged).
const char* to_string(Verdict v) noexcept;

/// One row of a comparison.
struct MetricChange {
    std::string name;  ///< e.g. "p99", "uncorrected.p99", "throughput"
    std::string unit;  ///< "us", "/s", "" (count), "%" (error rate, in percent)
    bool higher_is_better = false;
    double base = 0;
    double current = 0;  ///< the NEW report's value
    double threshold_pct = 0;
    Verdict verdict = Verdict::no_change;

    double change() const { return current - base; }
    /// Relative change in percent; +inf/-inf when base is 0 and the new value is not.
    double change_pct() const;
};

/// A case whose verdicts differ between the two reports.
struct CaseChange {
    enum class Kind {
        newly_failing,  ///< passed (or unimplemented) in BASE, fails in NEW: a regression
        newly_passing,  ///< failed in BASE, passes in NEW
        changed,        ///< same outcome, other verdicts (OK -> NON-STRICT, FAILED -> UNCLEAN)
        missing,        ///< in BASE only: no result in NEW (excluded, or the run stopped)
        added,          ///< in NEW only
    };
    std::string id;  ///< "5.19", "12.1.10"
    Kind kind = Kind::changed;
    std::optional<CaseResult> base;
    std::optional<CaseResult> current;
};

/// "newly failing", "newly passing", "changed", "missing in new", "new".
const char* to_string(CaseChange::Kind k) noexcept;

/// Pass/fail counts of one side of a case comparison.
struct CaseTotals {
    std::string agent;
    std::size_t cases = 0;
    std::size_t passed = 0;
    std::size_t failed = 0;
    std::size_t unimplemented = 0;
};

/// The result of comparing two reports of the same kind.
struct Comparison {
    ReportKind kind = ReportKind::loadgen;
    std::string base_path;
    std::string new_path;
    std::vector<MetricChange> metrics;  ///< loadgen reports
    std::vector<CaseChange> cases;      ///< conformance results: newly failing first
    CaseTotals base_totals;             ///< conformance results
    CaseTotals new_totals;              ///< conformance results
    std::vector<std::string> notes;     ///< e.g. configs that differ between the runs

    std::size_t count(Verdict v) const;
    std::size_t count(CaseChange::Kind k) const;
    /// A metric regressed or a case newly fails.
    bool regressed() const {
        return count(Verdict::regression) > 0 || count(CaseChange::Kind::newly_failing) > 0;
    }
};

/// Compares the verdicts of two Autobahn index.json files ({agent: {case id: {behavior,
/// behaviorClose, duration, remoteCloseCode, reportfile}}}), as Autobahn writes them and as
/// wsbench-conformance writes beside its report. The agents compared are the one agent of
/// each file, or else the agents both files name alike. Lists every case whose verdicts
/// differ, newly failing first, then newly passing, changed, missing and new, each in case
/// order (1.1.2 before 1.1.10). Throws InputError (naming the files) when the agents cannot
/// be paired or an entry is malformed.
Comparison compare_autobahn(const Input& base, const Input& current);

/// Compares two loadgen reports: throughput (received messages per second), errors, error
/// rate, then every percentile of the corrected latency (min, p50, p75, p90, p95, p99, p99.9,
/// p99.99, max, mean) and, where either report recorded any, of the uncorrected latency,
/// all recomputed from the embedded histograms; then, for scenario files, per step of both
/// reports `steps.NAME.p50`, `.p99`, `.p99.9` (its corrected latency) and `.timeouts` (expects),
/// a step in one report alone named in a note. Latencies, errors, timeouts and the error rate
/// are worse higher, throughput worse lower. A change beyond the metric's threshold is a regression
/// or an improvement, anything within it no change; from 0 to anything is beyond every threshold.
/// Config differences that make the runs hard to compare become notes.
Comparison compare_loadgen(const LoadgenFile& base, const LoadgenFile& current,
                           const Thresholds& thresholds);

/// Compares two inputs of the same kind: compare_loadgen() for loadgen reports,
/// compare_autobahn() for Autobahn index.json files. Throws InputError when the kinds differ
/// or cannot be compared (wsbench.conformance/1 reports: compare their index.json instead).
Comparison compare_inputs(const Input& base, const Input& current, const Thresholds& thresholds);

/// Output formats of compare.
enum class Format { text, json, markdown };

/// A fixed-width table: metric, base, new, change, change %, verdict (or, for conformance
/// results, the changed cases by kind and the pass/fail totals); then notes and a line with
/// the totals. Ends with a newline.
std::string render_text(const Comparison& c);
/// {"kind", "base", "new", "metrics": [{name, unit, base, new, change, change_pct,
/// threshold_pct, better, verdict}], "regressions", "improvements", "notes", "passed"};
/// change_pct is null when infinite. Conformance results have "cases": [{id, change, base
/// {behavior, behaviorClose} | null, new ...}] and "totals" {base, new} instead of metrics.
nlohmann::json render_json(const Comparison& c);
/// A GitHub-flavoured Markdown table for pull-request comments, headed by the outcome.
std::string render_markdown(const Comparison& c);

}  // namespace wsb::report
