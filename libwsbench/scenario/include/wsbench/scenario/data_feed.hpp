// The optional data feed of a scenario (`data: users.csv`): rows read once at load, row i
// going to session i (round robin), columns read by {{data.NAME}}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsb::scenario {

/// A loaded feed: the column names and the rows, every value as text.
struct DataFeed {
    std::string path;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;

    /// The row of session `session_id` (round robin). The feed has at least one row.
    const std::vector<std::string>& row_for(std::uint64_t session_id) const {
        return rows[session_id % rows.size()];
    }
};

/// Why a feed could not be read: the 1-based line and column in the feed file.
struct DataFeedError {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message;
};

/// Parses CSV (RFC 4180: a header row, then one row per record; fields may be quoted with
/// "", doubled quotes inside; CRLF or LF). Every row must have the header's field count; at
/// least one row. False with `err` otherwise.
bool parse_csv(std::string_view text, DataFeed& out, DataFeedError& err);

/// Parses JSON Lines: one JSON object per non-empty line; the columns are the first object's
/// keys, and every object must have them. Strings are taken unescaped, other values as their
/// JSON text. False with `err` otherwise.
bool parse_jsonl(std::string_view text, DataFeed& out, DataFeedError& err);

}  // namespace wsb::scenario
