// A tool's parse_cli(argc, argv, out, err) called as the shell would, with what it printed:
// the one harness of every tool's command-line unit tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace wsb::test {

template <class Result>
struct ParsedCli {
    Result result;
    std::string out;
    std::string err;
};

/// Runs `parse_cli` on `program` followed by `args`, capturing stdout and stderr.
template <class ParseCli>
auto parse_cli_as(ParseCli parse_cli, const char* program, const std::vector<std::string>& args) {
    std::vector<const char*> argv{program};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out;
    std::ostringstream err;
    using Result = decltype(parse_cli(0, argv.data(), out, err));
    ParsedCli<Result> p;
    p.result = parse_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    p.out = out.str();
    p.err = err.str();
    return p;
}

}  // namespace wsb::test
