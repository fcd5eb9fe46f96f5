// ExitRules: when a client run is complete by what it received: -n (a count of messages) and
// --until (a regular expression); --timeout bounds the wait for them. Pure: no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace wsb::client {

class ExitRules {
  public:
    /// `count` 0 means no count; an empty `until` no pattern. Throws std::regex_error for a bad
    /// pattern (the command line turns it into a usage error naming --until).
    ExitRules(std::uint64_t count, const std::string& until);

    /// True when -n or --until was given: the run waits for them before it ends by itself.
    bool any() const noexcept { return count_ > 0 || pattern_.has_value(); }
    /// A data message arrived (text or binary: --until searches the payload's bytes). Returns
    /// true once the run is complete: the count is reached or the pattern found.
    bool on_message(std::string_view payload);
    /// True once on_message() returned true.
    bool met() const noexcept { return met_; }
    std::uint64_t received() const noexcept { return received_; }
    /// What is still awaited, for the note at a timeout: "-n 3 (1 received)", "--until 'x'".
    std::string awaited() const;

  private:
    std::uint64_t count_;
    std::string until_text_;
    std::optional<std::regex> pattern_;
    std::uint64_t received_ = 0;
    bool met_ = false;
};

}  // namespace wsb::client
