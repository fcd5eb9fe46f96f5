// wsbench-conformance's report writers and command line, without sockets: Autobahn's file
// names and index.json shape, the report envelope, JUnit XML and HTML escaping, CLI parsing.
#include "conformance/writers.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "conformance/cli.hpp"
#include "wsbench/report.hpp"
#include "wsbench/report/conformance.hpp"

namespace wsb::conformance {
namespace {

const CaseSpec& find_case(const std::string& id) {
    for (const CaseSpec& c : all_cases()) {
        if (c.id == id) return c;
    }
    throw std::runtime_error("no case " + id);
}

// A run of two cases: 1.1.1 passed, 2.5 failed with a wrong code.
RunResult sample_run() {
    RunResult r;
    r.agent = "AutobahnServer/0.4.10";
    r.started = "2026-11-26T12:00:00.000Z";
    r.wall_ms = 12.5;
    CaseResult ok;
    ok.spec = &find_case("1.1.1");
    ok.ran = true;
    ok.obs.handshake_done = true;
    ok.obs.received = {Event::text("")};
    ok.obs.remote_close_code = 1000;
    ok.obs.closed_by_me = true;
    ok.obs.was_clean = true;
    ok.obs.duration_ms = 3.4;
    ok.obs.wire_log = {{0.5, "TX", "6 octets: 8180..."}};
    ok.verdict = judge(*ok.spec, ok.obs);
    CaseResult bad;
    bad.spec = &find_case("2.5");
    bad.ran = true;
    bad.obs.handshake_done = true;
    bad.obs.remote_close_code = 1000;
    bad.obs.was_clean = true;
    bad.obs.received = {Event::pong(std::string(126, '\xFE'))};
    bad.obs.duration_ms = 7;
    bad.verdict = judge(*bad.spec, bad.obs);
    r.cases = {ok, bad};
    return r;
}

TEST(ReportFileName, FollowsAutobahnsAgentMangling) {
    EXPECT_EQ(report_file_name("AutobahnServer/0.4.10", "9.7.2"),
              "autobahnserver_0_4_10_case_9_7_2.json");
    EXPECT_EQ(report_file_name("WebSocket++/0.8.2", "H.1.1"), "websocket___0_8_2_case_H_1_1.json");
}

TEST(IndexJson, HasAutobahnsShape) {
    const nlohmann::json j = index_json(sample_run());
    ASSERT_TRUE(j.contains("AutobahnServer/0.4.10"));
    const auto& c = j["AutobahnServer/0.4.10"]["1.1.1"];
    EXPECT_EQ(c["behavior"], "OK");
    EXPECT_EQ(c["behaviorClose"], "OK");
    EXPECT_EQ(c["duration"], 3);
    EXPECT_EQ(c["remoteCloseCode"], 1000);
    EXPECT_EQ(c["reportfile"], "autobahnserver_0_4_10_case_1_1_1.json");
    EXPECT_EQ(j["AutobahnServer/0.4.10"]["2.5"]["behavior"], "FAILED");
}

TEST(ReportJson, HasTheEnvelopeSummaryAndEveryCase) {
    Config config;
    config.url_text = "ws://127.0.0.1:9001/";
    const nlohmann::json r = report_json(config, sample_run());
    EXPECT_EQ(r["schema"], "wsbench.conformance/1");
    EXPECT_EQ(r["tool"]["name"], "wsbench-conformance");
    EXPECT_EQ(r["target"]["url"], "ws://127.0.0.1:9001/");
    EXPECT_EQ(r["interrupted"], false);
    EXPECT_EQ(r["summary"]["ran"], 2);
    EXPECT_EQ(r["summary"]["failed"], 1);
    EXPECT_EQ(r["summary"]["behavior"]["OK"], 1);
    EXPECT_EQ(r["summary"]["behavior"]["FAILED"], 1);
    EXPECT_EQ(r["summary"]["behaviorClose"]["WRONG CODE"], 1);
    EXPECT_EQ(r["summary"]["exit_code"], 1);
    ASSERT_EQ(r["cases"].size(), 2u);
    const auto& c = r["cases"][1];
    EXPECT_EQ(c["id"], "2.5");
    EXPECT_EQ(c["section"], "2");
    EXPECT_EQ(c["expectedClose"]["closeCode"], nlohmann::json::array({1002}));
    EXPECT_EQ(c["received"][0]["type"], "pong");
    EXPECT_EQ(c["received"][0]["length"], 126);
    EXPECT_EQ(c["received"][0]["payload"].get<std::string>().substr(0, 4), "0xfe");
    EXPECT_EQ(r["cases"][0]["wirelog"][0][1], "TX");
}

TEST(ReportJson, ReadsBackThroughTheReportModelByteForByte) {
    Config config;
    config.url_text = "ws://127.0.0.1:9001/";
    const nlohmann::json r = report_json(config, sample_run());
    const auto model = r.get<report::ConformanceReport>();
    EXPECT_EQ(nlohmann::json(model).dump(), r.dump());
    EXPECT_EQ(model.cases.at(1).behavior_close, "WRONG CODE");
    EXPECT_EQ(nlohmann::json(case_record(sample_run().cases[0], "a")).dump(),
              case_json(sample_run().cases[0], "a").dump());
}

TEST(Junit, OneTestcasePerCaseWithAFailureForFailedOnes) {
    const std::string x = junit_xml(sample_run(), false);
    EXPECT_NE(x.find("<testsuites name=\"wsbench-conformance\" tests=\"2\" failures=\"1\""),
              std::string::npos);
    EXPECT_NE(x.find("<testcase classname=\"1\" name=\"1.1.1\""), std::string::npos);
    EXPECT_NE(x.find("<testcase classname=\"2\" name=\"2.5\""), std::string::npos);
    EXPECT_NE(x.find("<failure message=\"behavior FAILED, behaviorClose WRONG CODE\""),
              std::string::npos);
    EXPECT_NE(x.find("Expected: Connection is failed immediately"), std::string::npos);
    EXPECT_EQ(x.find("\xFE"), std::string::npos);  // binary never reaches the XML
}

TEST(Junit, NotRunCasesAreErrors) {
    RunResult r = sample_run();
    r.cases[1].ran = false;
    r.interrupted = true;
    const std::string x = junit_xml(r, false);
    EXPECT_NE(x.find("errors=\"1\""), std::string::npos);
    EXPECT_NE(x.find("<error message=\"not run"), std::string::npos);
}

TEST(EscapeMarkup, EscapesSpecialCharactersAndDropsControlBytes) {
    EXPECT_EQ(escape_markup("a<b>&\"c'\x01"), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(escape_markup("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_EQ(escape_markup("bad\xFF"), "bad?");
}

TEST(IndexHtml, HasARowPerCaseColouredByVerdict) {
    Config config;
    config.url_text = "ws://127.0.0.1:9001/";
    const std::string h = index_html(config, sample_run());
    EXPECT_NE(h.find("<tr id=\"case-1.1.1\">"), std::string::npos);
    EXPECT_NE(h.find("class=\"fail\">FAILED"), std::string::npos);
    EXPECT_NE(h.find("class=\"ok\">OK"), std::string::npos);
    EXPECT_NE(h.find("autobahnserver_0_4_10_case_2_5.json"), std::string::npos);
}

// --- CLI ---------------------------------------------------------------------------------

CliResult parse(std::vector<std::string> args, std::string* err_text = nullptr) {
    args.insert(args.begin(), "wsbench-conformance");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    CliResult r = parse_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    if (err_text) *err_text = err.str();
    return r;
}

TEST(Cli, OptionsMayFollowTheUrl) {
    const CliResult r = parse({"ws://127.0.0.1:9001/x", "--cases", "6.*, 7.1.*", "--exclude-cases",
                               "6.4.*", "--parallel", "3", "--strict", "--agent", "me",
                               "--timeout-scale", "2.5", "--report-dir", "out", "-q"});
    ASSERT_TRUE(r.run);
    const Config& c = r.config;
    EXPECT_EQ(c.url.port, 9001);
    EXPECT_EQ(c.url.path, "/x");
    EXPECT_EQ(c.cases, (std::vector<std::string>{"6.*", "7.1.*"}));
    EXPECT_EQ(c.exclude_cases, (std::vector<std::string>{"6.4.*"}));
    EXPECT_EQ(c.parallel, 3u);
    EXPECT_TRUE(c.strict);
    EXPECT_EQ(c.agent, "me");
    EXPECT_DOUBLE_EQ(c.timeout_scale, 2.5);
    EXPECT_EQ(c.report_dir, "out");
    EXPECT_TRUE(c.quiet);
}

TEST(Cli, DefaultsRunEverythingInParallel) {
    const CliResult r = parse({"ws://localhost:9001"});
    ASSERT_TRUE(r.run);
    EXPECT_EQ(r.config.cases, std::vector<std::string>{"*"});
    EXPECT_TRUE(r.config.exclude_cases.empty());
    EXPECT_GT(r.config.parallel, 1u);
    EXPECT_DOUBLE_EQ(r.config.timeout_scale, 1.0);
    EXPECT_FALSE(r.config.strict);
    EXPECT_EQ(r.config.report_dir, "reports/conformance");
}

TEST(Cli, UsageErrorsExitWith2AndNameTheProblem) {
    std::string err;
    for (const std::vector<std::string>& bad : {std::vector<std::string>{},
                                                {"http://x/"},
                                                {"ws://x/", "--parallel", "0"},
                                                {"ws://x/", "--timeout-scale", "-1"},
                                                {"ws://x/", "--bogus"},
                                                {"ws://x/", "ws://y/"},
                                                {"ws://x/", "--cases", ","}}) {
        const CliResult r = parse(bad, &err);
        EXPECT_FALSE(r.run);
        EXPECT_EQ(r.exit_code, wsb::ExitCode::usage);
        EXPECT_NE(err.find("wsbench-conformance: "), std::string::npos);
    }
}

TEST(Cli, HelpListsExitCodes) {
    std::vector<const char*> argv{"wsbench-conformance", "--help"};
    std::ostringstream out, err;
    const CliResult r = parse_cli(2, argv.data(), out, err);
    EXPECT_FALSE(r.run);
    EXPECT_EQ(r.exit_code, wsb::ExitCode::ok);
    EXPECT_NE(out.str().find("Exit codes: 0"), std::string::npos);
    EXPECT_NE(out.str().find("--exclude-cases"), std::string::npos);
}

}  // namespace
}  // namespace wsb::conformance
