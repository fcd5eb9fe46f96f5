// Reading report files for wsbench-report: which kind of report a file is, checked field by
// field, with messages that name the file and the JSON path at fault.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "wsbench/report/html.hpp"  // LoadgenFile: a loadgen report file as read
#include "wsbench/report/loadgen.hpp"

namespace wsb::report {

/// Bad input: an unreadable file, malformed JSON, a report of another schema or a newer
/// version, a field of the wrong type, an undecodable histogram, reports that cannot be
/// combined. The message names the file and the problem; the tool exits 2 (DESIGN §4).
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The kinds of file wsbench-report reads.
enum class ReportKind {
    loadgen,      ///< "wsbench.loadgen/1" (reports/loadgen.schema.json)
    conformance,  ///< "wsbench.conformance/1", the conformance runner's report
    autobahn,     ///< Autobahn testsuite's index.json: agent -> case id -> result
};

/// "loadgen", "conformance", "autobahn".
const char* to_string(ReportKind kind) noexcept;

/// A parsed report file of any kind.
struct Input {
    std::string path;  ///< as given on the command line
    ReportKind kind = ReportKind::loadgen;
    nlohmann::json doc;
};

/// Reads and parses `path` ("-" for stdin) and tells its kind from the `schema` field, or from
/// the shape of an Autobahn index.json. Throws InputError for an unreadable file, malformed or
/// truncated JSON, a missing or unknown schema, or a newer version of a known one.
Input read_input(const std::string& path);

/// read_input() on text already read; `path` names it in messages. (The fuzz target's entry.)
Input parse_input(const std::string& path, std::string_view text);

/// Checks `input` as a loadgen report and decodes it (from_json of the model). Throws
/// InputError naming the file and the JSON path ("base.json: $.summary.messages.sent: expected
/// a non-negative integer") for a missing or mistyped field and for a histogram that does not
/// decode.
LoadgenFile to_loadgen(const Input& input);

/// read_input() then to_loadgen(); InputError when the file is not a loadgen report.
LoadgenFile read_loadgen(const std::string& path);

}  // namespace wsb::report
