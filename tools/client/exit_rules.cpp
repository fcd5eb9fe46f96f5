// ExitRules (exit_rules.hpp): -n and --until.
#include "client/exit_rules.hpp"

namespace wsb::client {

ExitRules::ExitRules(std::uint64_t count, const std::string& until)
    : count_(count), until_text_(until) {
    if (!until.empty()) pattern_.emplace(until, std::regex::ECMAScript);
}

bool ExitRules::on_message(std::string_view payload) {
    ++received_;
    if (met_) return true;
    if (count_ > 0 && received_ >= count_) met_ = true;
    if (pattern_ && std::regex_search(payload.begin(), payload.end(), *pattern_)) met_ = true;
    return met_;
}

std::string ExitRules::awaited() const {
    std::string s;
    if (count_ > 0) {
        s = "-n " + std::to_string(count_) + " (" + std::to_string(received_) + " received)";
    }
    if (pattern_) {
        if (!s.empty()) s += " or ";
        s += "--until '" + until_text_ + "'";
    }
    return s;
}

}  // namespace wsb::client
