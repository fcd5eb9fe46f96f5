// wsbench-loadgen --check-scenario FILE: the plan on stdout without a URL, a bad file as a
// usage error naming FILE:LINE:COL and the key; --scenario FILE says it cannot run it yet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loadgen/cli.hpp"
#include "parse_cli.hpp"
#include "scratch_dir.hpp"
namespace wsb::loadgen {
namespace {

using ::testing::HasSubstr;

using Parsed = test::ParsedCli<CliResult>;

Parsed parse(const std::vector<std::string>& args) {
    return test::parse_cli_as(parse_cli, "wsbench-loadgen", args);
}

TEST(CheckScenario, PrintsThePlanWithoutAUrlAndDoesNotRun) {
    test::ScratchDir dir("check-scenario");
    const std::string path = (dir / "chat.yaml").string();
    std::ofstream(path) << "phases: [ { duration: 5s, users: 3 } ]\n"
                           "session:\n"
                           "  - send: { name: rpc, json: { id: '{{seq}}' } }\n"
                           "  - expect: { json: { id: '{{seq}}' }, timeout: 1s }\n";
    const Parsed p = parse({"--check-scenario", path});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, ExitCode::ok);
    EXPECT_THAT(p.out, HasSubstr(path + ": valid scenario\n"));
    EXPECT_THAT(p.out, HasSubstr("  1. 5s, closed model: 3 sessions running\n"));
    EXPECT_THAT(p.out, HasSubstr("  line 4: expect rpc: json {\"id\":\"{{seq}}\"}, within 1s\n"));
    EXPECT_THAT(p.out, HasSubstr("report steps: rpc\n"));
    EXPECT_EQ(p.err, "");
}

TEST(CheckScenario, ABadFileIsAUsageErrorNamingFileLineColumnAndKey) {
    test::ScratchDir dir("check-scenario");
    const std::string path = (dir / "bad.yaml").string();
    std::ofstream(path) << "session:\n  - send: x\n  - expect: { timeout: soon }\n";
    const Parsed p = parse({"--check-scenario", path});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, ExitCode::usage);
    EXPECT_EQ(p.err, "wsbench-loadgen: " + path +
                         ":3:24: session[1].expect.timeout: 'soon' is not a duration such as "
                         "500ms, 10s or 1m30s (see --help)\n");
    EXPECT_EQ(p.out, "");

    const Parsed missing = parse({"--check-scenario", (dir / "none.yaml").string()});
    EXPECT_EQ(missing.result.exit_code, ExitCode::usage);
    EXPECT_THAT(missing.err, HasSubstr("none.yaml: cannot read the scenario file"));
}

TEST(CheckScenario, RunningAScenarioFileIsRefusedWithAPointerToTheCheck) {
    test::ScratchDir dir("check-scenario");
    const std::string path = (dir / "s.yaml").string();
    std::ofstream(path) << "session: [ { send: x } ]\n";
    const Parsed p = parse({"ws://127.0.0.1:1/", "--scenario", path});
    EXPECT_EQ(p.result.exit_code, ExitCode::usage);
    EXPECT_THAT(p.err, HasSubstr("running scenario files is not built yet; --check-scenario"));
    const Parsed unknown = parse({"ws://127.0.0.1:1/", "--scenario", "chat"});
    EXPECT_THAT(unknown.err, HasSubstr("expected echo, broadcast or connect"));
}

}  // namespace
}  // namespace wsb::loadgen
