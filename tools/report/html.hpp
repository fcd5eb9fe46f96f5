// html: self-contained HTML pages (inline SVG and CSS, no external resources). The page of loadgen
// reports is libwsbench's (wsbench/report/html.hpp, which the loadgen's dashboard also serves);
// the page of Autobahn index.json files is made here (html_cases.cpp).
#pragma once

#include <string>
#include <vector>

#include "report/input.hpp"
#include "wsbench/report/html.hpp"

namespace wsb::report {

/// The page for Autobahn index.json files (as Autobahn's wstest or wsbench-conformance write
/// them): pass/fail totals per file and agent, overall and by section, then one table per
/// section with a row per case and a column per file and agent; each cell is coloured by the
/// case's two verdicts (behavior, behaviorClose) and shows the remote close code and the
/// duration, with the case's details on hover and a link to its per-case report. Rows whose
/// outcome differs between columns are highlighted. Self-contained like render_html().
/// Throws InputError for an input that is not an index.json or is malformed.
std::string render_autobahn_html(const std::vector<Input>& inputs);

}  // namespace wsb::report
