// wsbench-loadgen --check-scenario FILE: the plan on stdout without a URL, a bad file as a
// usage error naming FILE:LINE:COL and the key; --scenario FILE: the URL from the file or the
// argument, phases from -c/-d for a file without any, the options that do not apply refused.
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

TEST(ScenarioFile, RunsWithTheFilesUrlOrTheArgumentOverridingIt) {
    test::ScratchDir dir("scenario-file");
    const std::string path = (dir / "s.yaml").string();
    std::ofstream(path) << "url: ws://127.0.0.1:9001/chat\nsubprotocols: [chat.v1]\n"
                           "phases: [ { duration: 2s, arrival_rate: 5 } ]\n"
                           "session: [ { send: x } ]\n";
    const Parsed p = parse({"--scenario", path});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.config.scenario, Scenario::file);
    EXPECT_EQ(p.result.config.url.port, 9001);
    EXPECT_EQ(p.result.config.script_path, path);
    ASSERT_NE(p.result.config.script, nullptr);
    EXPECT_EQ(p.result.config.script->phases.size(), 1u);
    EXPECT_EQ(p.result.config.drain_timeout, kScriptDrainTimeout);

    const Parsed over = parse({"ws://127.0.0.1:7000/x", "--scenario", path, "--subprotocol", "v2",
                               "--drain-timeout", "1s"});
    ASSERT_TRUE(over.result.run) << over.err;
    EXPECT_EQ(over.result.config.url.port, 7000);
    EXPECT_EQ(over.result.config.subprotocols, (std::vector<std::string>{"chat.v1", "v2"}));
    EXPECT_EQ(over.result.config.drain_timeout, std::chrono::seconds(1));
}

TEST(ScenarioFile, AFileWithoutPhasesKeepsDashCSessionsForDashD) {
    test::ScratchDir dir("scenario-file");
    const std::string path = (dir / "s.yaml").string();
    std::ofstream(path) << "session: [ { send: x } ]\n";
    const Parsed p = parse({"ws://127.0.0.1:1/", "--scenario", path, "-c", "7", "-d", "3s"});
    ASSERT_TRUE(p.result.run) << p.err;
    ASSERT_EQ(p.result.config.script->phases.size(), 1u);
    EXPECT_FALSE(p.result.config.script->phases[0].open);
    EXPECT_EQ(p.result.config.script->phases[0].users, 7u);
    EXPECT_EQ(p.result.config.script->phases[0].duration, std::chrono::seconds(3));
}

TEST(ScenarioFile, OptionsThatDoNotApplyAreRefusedByName) {
    test::ScratchDir dir("scenario-file");
    const std::string path = (dir / "s.yaml").string();
    std::ofstream(path) << "phases: [ { duration: 2s, users: 2 } ]\nsession: [ { send: x } ]\n";
    const Parsed rate = parse({"ws://127.0.0.1:1/", "--scenario", path, "-R", "100"});
    EXPECT_EQ(rate.result.exit_code, ExitCode::usage);
    EXPECT_THAT(rate.err, HasSubstr("--rate does not apply to a scenario file"));
    const Parsed c = parse({"ws://127.0.0.1:1/", "--scenario", path, "-c", "10"});
    EXPECT_EQ(c.result.exit_code, ExitCode::usage);
    EXPECT_THAT(c.err, HasSubstr("-c/--connections does not apply to " + path + ": its phases"));
    const Parsed no_url = parse({"--scenario", path});
    EXPECT_EQ(no_url.result.exit_code, ExitCode::usage);
    EXPECT_THAT(no_url.err, HasSubstr("missing the target URL: give it as the argument or as "
                                      "url: in " +
                                      path));
}

TEST(ScenarioFile, AnUnknownNameOrABadFileIsAUsageError) {
    test::ScratchDir dir("scenario-file");
    const Parsed unknown = parse({"ws://127.0.0.1:1/", "--scenario", "chat"});
    EXPECT_EQ(unknown.result.exit_code, ExitCode::usage);
    EXPECT_THAT(unknown.err, HasSubstr("expected echo, broadcast, connect or a scenario file"));
    const std::string path = (dir / "bad.yaml").string();
    std::ofstream(path) << "session: [ { sned: x } ]\n";
    const Parsed bad = parse({"ws://127.0.0.1:1/", "--scenario", path});
    EXPECT_EQ(bad.result.exit_code, ExitCode::usage);
    EXPECT_THAT(bad.err, HasSubstr(path + ":1:"));
}

}  // namespace
}  // namespace wsb::loadgen
