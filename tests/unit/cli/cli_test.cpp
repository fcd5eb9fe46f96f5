// The shared command-line convention (wsbench/cli.hpp): values read with units and named in
// every error, cxxopts' messages cleaned up, one usage-error line, --version.
#include "wsbench/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

using wsb::ExitCode;
using wsb::cli::UsageError;
using wsb::cli::Values;

cxxopts::Options test_options() {
    cxxopts::Options options("wsbench-test", "a test tool");
    // clang-format off
    options.add_options()
        ("c,connections", "count", cxxopts::value<std::string>()->default_value("10"))
        ("size", "size", cxxopts::value<std::string>()->default_value("64KiB"))
        ("duration", "duration", cxxopts::value<std::string>()->default_value("10s"))
        ("rate", "rate", cxxopts::value<std::string>()->default_value("0"))
        ("port", "port", cxxopts::value<std::string>()->default_value("9001"))
        ("scale", "number", cxxopts::value<std::string>()->default_value("1"))
        ("H,header", "repeatable", cxxopts::value<std::string>())
        ("flag", "a switch");
    // clang-format on
    return options;
}

struct Outcome {
    ExitCode code = ExitCode::ok;
    std::string err;
};

// Parses `args` and runs `read` on the result, as a tool's parse_cli does.
template <class Read>
Outcome run(std::vector<const char*> args, Read read) {
    args.insert(args.begin(), "wsbench-test");
    cxxopts::Options options = test_options();
    std::ostringstream err;
    const ExitCode code = wsb::cli::parse(options, static_cast<int>(args.size()), args.data(), err,
                                          [&](const cxxopts::ParseResult& r) { read(r); });
    return {code, err.str()};
}

TEST(Cli, ReadsEveryKindOfValueWithUnits) {
    const Outcome o =
        run({"-c", "10k", "--size", "1MiB", "--duration", "1m30s", "--rate", "5k/s", "--port", "0",
             "--scale", "2.5", "-H", "A: 1", "-H", "B: 2"},
            [](const cxxopts::ParseResult& r) {
                const Values v(r);
                EXPECT_EQ(v.count("connections"), 10000u);
                EXPECT_EQ(v.size("size"), 1048576u);
                EXPECT_EQ(v.duration("duration"), std::chrono::seconds(90));
                EXPECT_DOUBLE_EQ(v.rate("rate"), 5000.0);
                EXPECT_EQ(v.whole("port"), 0u);
                EXPECT_DOUBLE_EQ(v.number("scale"), 2.5);
                EXPECT_EQ(v.all("header"), (std::vector<std::string>{"A: 1", "B: 2"}));
                EXPECT_FALSE(v.given("flag"));
            });
    EXPECT_EQ(o.code, ExitCode::ok);
    EXPECT_EQ(o.err, "");
}

struct BadValue {
    const char* flag;
    const char* value;
    const char* expected;  // what the message must say
};

class CliBadValue : public ::testing::TestWithParam<BadValue> {};

TEST_P(CliBadValue, IsOneUsageLineNamingTheFlagAndTheValue) {
    const BadValue& b = GetParam();
    const std::string name = std::string(b.flag).substr(2);
    const Outcome o = run({b.flag, b.value}, [&](const cxxopts::ParseResult& r) {
        const Values v(r);
        if (name == "connections") v.count(name);
        if (name == "size") v.size(name);
        if (name == "duration") v.duration(name);
        if (name == "rate") v.rate(name);
        if (name == "port") v.whole(name);
        if (name == "scale") v.number(name);
    });
    EXPECT_EQ(o.code, ExitCode::usage);
    EXPECT_EQ(o.err, "wsbench-test: " + std::string(b.flag) + " '" + b.value + "': " + b.expected +
                         " (see --help)\n");
}

INSTANTIATE_TEST_SUITE_P(
    Values, CliBadValue,
    ::testing::Values(BadValue{"--connections", "ten", "expected a count such as 1000 or 10k"},
                      BadValue{"--size", "5mb", "expected a size such as 65536, 64KiB or 16MiB"},
                      BadValue{"--duration", "soon",
                               "expected a duration such as 500ms, 10s or 1m30s"},
                      BadValue{"--rate", "fast", "expected a rate such as 5000, 5k, 5k/s or 300/m"},
                      BadValue{"--port", "80x", "expected a whole number"},
                      BadValue{"--port", "-1", "expected a whole number"},
                      BadValue{"--scale", "1e400", "expected a number such as 1, 0.5 or 2.5"},
                      BadValue{"--scale", "-2", "expected a number such as 1, 0.5 or 2.5"}));

TEST(Cli, CxxoptsErrorsNameTheShortOptionByItsLongNameToo) {
    const Outcome o = run({"-c"}, [](const cxxopts::ParseResult&) {});
    EXPECT_EQ(o.code, ExitCode::usage);
    EXPECT_EQ(o.err, "wsbench-test: option -c/--connections is missing an argument (see --help)\n");
}

TEST(Cli, CxxoptsErrorsUseAsciiQuotes) {
    const Outcome o = run({"--bogus"}, [](const cxxopts::ParseResult&) {});
    EXPECT_EQ(o.code, ExitCode::usage);
    EXPECT_EQ(o.err, "wsbench-test: option --bogus does not exist (see --help)\n");
    EXPECT_EQ(o.err.find("\u2018"), std::string::npos);
}

TEST(Cli, AUsageErrorThatQuotesControlCharactersStaysOneLine) {
    const Outcome o = run({}, [](const cxxopts::ParseResult&) {
        throw UsageError{wsb::cli::quoted("-H", "X: 1\r\nY: 2\x01")};
    });
    EXPECT_EQ(o.code, ExitCode::usage);
    EXPECT_EQ(o.err, "wsbench-test: -H 'X: 1\\r\\nY: 2\\x01' (see --help)\n");
}

TEST(Cli, PrintsTheVersion) {
    std::ostringstream out;
    wsb::cli::print_version(out, "wsbench-test");
    EXPECT_EQ(out.str(), "wsbench-test " WSBENCH_VERSION "\n");
}

TEST(Cli, ExitStatusesAreTheDocumentedOnes) {
    EXPECT_EQ(wsb::exit_status(ExitCode::ok), 0);
    EXPECT_EQ(wsb::exit_status(ExitCode::check_failed), 1);
    EXPECT_EQ(wsb::exit_status(ExitCode::usage), 2);
    EXPECT_EQ(wsb::exit_status(ExitCode::cannot_run), 3);
}

}  // namespace
