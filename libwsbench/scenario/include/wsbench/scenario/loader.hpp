// Loading a scenario file (YAML, or JSON) into the compiled Scenario: every key checked,
// unknown keys refused, templates, JSON paths and regexes compiled, the data feed read.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "wsbench/scenario/model.hpp"

namespace wsb::scenario {

/// A scenario file that cannot be used: what() is "FILE:LINE:COL: KEY: message",
/// KEY the dotted path of the offending key (session[2].expect.timeout). A usage error
/// (exit code 2) for the tools.
class ScenarioError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct LoadOptions {
    bool allow_files = true;  ///< false: `data:` and `binary: {file:}` are refused (fuzzing)
};

/// Reads and compiles `path`: JSON when it ends in .json, YAML otherwise. Relative paths in
/// it (data:, file:) are relative to its folder. Throws ScenarioError.
Scenario load_scenario(const std::string& path, const LoadOptions& options = {});

/// Compiles scenario text; `file` names it in messages and anchors relative paths.
/// Throws ScenarioError.
Scenario load_scenario_text(std::string_view text, const std::string& file, bool json,
                            const LoadOptions& options = {});

}  // namespace wsb::scenario
