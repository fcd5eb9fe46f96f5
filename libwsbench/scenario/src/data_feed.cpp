// Reading data feeds: CSV (RFC 4180) with a header row, and JSON Lines.
#include "wsbench/scenario/data_feed.hpp"

#include <nlohmann/json.hpp>

namespace wsb::scenario {
namespace {

// Splits CSV text into records of fields. Tracks the line and column of each record's start
// for messages.
class CsvReader {
  public:
    explicit CsvReader(std::string_view text) : s_(text) {}

    bool done() const { return pos_ >= s_.size(); }
    std::uint32_t line() const { return line_; }

    // Reads one record; false with `err` on a malformed quote.
    bool next(std::vector<std::string>& fields, DataFeedError& err) {
        fields.clear();
        std::string field;
        for (;;) {
            if (pos_ < s_.size() && s_[pos_] == '"') {
                if (!quoted(field, err)) return false;
            } else {
                while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '\n' &&
                       s_[pos_] != '\r') {
                    if (s_[pos_] == '"') return fail(err, "a quote inside an unquoted field");
                    field.push_back(s_[pos_++]);
                    ++column_;
                }
            }
            fields.push_back(std::move(field));
            field.clear();
            if (pos_ >= s_.size()) return true;
            if (s_[pos_] == ',') {
                ++pos_;
                ++column_;
                continue;
            }
            if (s_[pos_] == '\r') ++pos_;
            if (pos_ < s_.size() && s_[pos_] == '\n') ++pos_;
            ++line_;
            column_ = 1;
            return true;
        }
    }

  private:
    bool fail(DataFeedError& err, std::string message) const {
        err.line = line_;
        err.column = column_;
        err.message = std::move(message);
        return false;
    }
    bool quoted(std::string& field, DataFeedError& err) {
        const std::uint32_t start_line = line_;
        const std::uint32_t start_column = column_;
        ++pos_;
        ++column_;
        for (;;) {
            if (pos_ >= s_.size()) {
                line_ = start_line;
                column_ = start_column;
                return fail(err, "a quoted field without its closing quote");
            }
            const char c = s_[pos_++];
            ++column_;
            if (c == '"') {
                if (pos_ < s_.size() && s_[pos_] == '"') {
                    field.push_back('"');
                    ++pos_;
                    ++column_;
                    continue;
                }
                if (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '\n' && s_[pos_] != '\r') {
                    return fail(err, "text after a quoted field's closing quote");
                }
                return true;
            }
            if (c == '\n') {
                ++line_;
                column_ = 1;
            }
            field.push_back(c);
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::uint32_t line_ = 1;
    std::uint32_t column_ = 1;
};

bool fail_at(DataFeedError& err, std::uint32_t line, std::string message) {
    err.line = line;
    err.column = 1;
    err.message = std::move(message);
    return false;
}

}  // namespace

bool parse_csv(std::string_view text, DataFeed& out, DataFeedError& err) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
    CsvReader reader(text);
    DataFeed feed;
    if (reader.done()) return fail_at(err, 1, "empty file: expected a header row");
    if (!reader.next(feed.columns, err)) return false;
    for (std::size_t i = 0; i < feed.columns.size(); ++i) {
        if (feed.columns[i].empty()) {
            return fail_at(err, 1, "column " + std::to_string(i + 1) + " has no name");
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (feed.columns[j] == feed.columns[i]) {
                return fail_at(err, 1, "column '" + feed.columns[i] + "' appears twice");
            }
        }
    }
    std::vector<std::string> fields;
    while (!reader.done()) {
        const std::uint32_t line = reader.line();
        if (!reader.next(fields, err)) return false;
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        if (fields.size() != feed.columns.size()) {
            return fail_at(err, line,
                           "this row has " + std::to_string(fields.size()) +
                               " fields, the header " + std::to_string(feed.columns.size()));
        }
        feed.rows.push_back(fields);
    }
    if (feed.rows.empty()) return fail_at(err, reader.line(), "no rows after the header");
    out = std::move(feed);
    return true;
}

bool parse_jsonl(std::string_view text, DataFeed& out, DataFeedError& err) {
    DataFeed feed;
    std::uint32_t line = 0;
    while (!text.empty()) {
        ++line;
        const std::size_t nl = text.find('\n');
        std::string_view row = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
        if (row.find_first_not_of(" \t") == std::string_view::npos) continue;
        const nlohmann::json j = nlohmann::json::parse(row, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            return fail_at(err, line, "expected one JSON object on the line");
        }
        if (feed.columns.empty()) {
            for (const auto& item : j.items()) feed.columns.push_back(item.key());
            if (feed.columns.empty()) return fail_at(err, line, "the first object has no keys");
        }
        std::vector<std::string> values;
        for (const std::string& c : feed.columns) {
            const auto it = j.find(c);
            if (it == j.end()) return fail_at(err, line, "the key '" + c + "' is missing");
            values.push_back(it->is_string() ? it->get<std::string>() : it->dump());
        }
        feed.rows.push_back(std::move(values));
    }
    if (feed.rows.empty()) return fail_at(err, 1, "no rows");
    out = std::move(feed);
    return true;
}

}  // namespace wsb::scenario
