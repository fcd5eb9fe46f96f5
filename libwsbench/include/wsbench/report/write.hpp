// Writing reports to files (atomically) and making text safe inside XML and HTML.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "wsbench/error.hpp"

namespace wsb {

/// Whether write_file() flushes the file to disk before renaming it into place.
enum class Sync : bool { no, yes };

/// Writes `text` to `path`, or to stdout when `path` is "-". A regular file is replaced
/// atomically: the text goes to a temporary file beside it (flushed to disk first with
/// Sync::yes), which is renamed over `path`, so readers never see half a file; through a
/// symlink, its target is replaced; an existing device or FIFO is written in place.
/// Returns Errc::ok, or Errc::io_error with `detail` (when given) naming the file and the
/// system error; no temporary file is left behind.
Errc write_file(const std::string& path, const std::string& text, std::string* detail,
                Sync sync = Sync::yes);

/// Writes `report` as pretty JSON (two-space indent, a final newline) to `path`, or to stdout
/// when `path` is "-". A regular file is replaced atomically: the JSON goes to a temporary file
/// beside it, is flushed to disk, then renamed over `path`, so readers never see half a report
/// (through a symlink, its target is replaced). Existing non-regular files (/dev/stdout, a
/// FIFO) are written in place. Strings that are not valid UTF-8 are written with U+FFFD in
/// place of the bad bytes rather than failing.
/// Returns Errc::ok, or Errc::io_error when the file cannot be created, written or renamed (no
/// temporary file is left behind); `detail`, when given, then receives a message naming the
/// file and the system error ("cannot create /x/r.json.tmp.42: No such file or directory").
Errc write_report(const nlohmann::json& report, const std::string& path,
                  std::string* detail = nullptr);

/// `s` made safe as XML 1.0 or HTML text and attribute values: & < > " ' escaped, control
/// characters other than tab and newline dropped (XML 1.0 allows none), and, when `s` is not
/// valid UTF-8, every byte above 0x7F replaced by '?' so the document stays well-formed.
/// Used by every report writer (JUnit XML, HTML pages).
std::string escape_markup(const std::string& s);

}  // namespace wsb
