// Report writers: Autobahn-shaped index.json, report.json (schema wsbench.conformance/1 in the
// DESIGN §5 envelope), one JSON file per case, junit.xml and a self-contained index.html.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "conformance/config.hpp"
#include "conformance/runner.hpp"
#include "wsbench/error.hpp"
#include "wsbench/report/conformance.hpp"

namespace wsb::conformance {

/// Autobahn's per-case file name: the agent lower-cased with every character outside
/// [a-z0-9] turned into '_', then "_case_", the id with '.' as '_', and ".json".
std::string report_file_name(const std::string& agent, const std::string& id);

/// {agent: {id: {behavior, behaviorClose, duration, remoteCloseCode, reportfile}}}.
nlohmann::json index_json(const RunResult& result);

/// One case as the conformance report model holds it: id, verdicts, duration, remote close code,
/// and in `details` everything else case_json() lists.
report::ConformanceCase case_record(const CaseResult& c, const std::string& agent);

/// Everything about one case: id, description, expectation, verdicts, expected and
/// received events, expected and observed close, timings, handshake, wire log.
nlohmann::json case_json(const CaseResult& c, const std::string& agent);

/// The whole run: envelope, summary by verdict, every case (as case_json).
nlohmann::json report_json(const Config& config, const RunResult& result);

/// JUnit XML: one testsuite, one testcase per case (classname = section), a <failure> with
/// the expectation and what happened for every case that fails the run.
std::string junit_xml(const RunResult& result, bool strict);

/// A self-contained HTML page: a legend and one row per case, coloured by verdict.
std::string index_html(const Config& config, const RunResult& result);

/// Writes every report file into config.report_dir (created when missing). Returns
/// Errc::ok or Errc::io_error with `detail` naming the file.
Errc write_reports(const Config& config, const RunResult& result, std::string& detail);

}  // namespace wsb::conformance
