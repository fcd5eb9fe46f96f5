// Tests of wsbench-report's command line and report reading: subcommands, options after the
// files, exit codes, and bad input named with its file and problem.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "report/report_cli.hpp"
#include "wsbench/report.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::json;
using test::TempFile;

struct Ran {
    int code = -1;
    std::string out;
    std::string err;
};

Ran run(const std::vector<std::string>& args) {
    std::vector<const char*> argv{"wsbench-report"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out;
    std::ostringstream err;
    Ran r;
    r.code = exit_status(run_cli(static_cast<int>(argv.size()), argv.data(), out, err));
    r.out = out.str();
    r.err = err.str();
    return r;
}

std::string report_text(std::initializer_list<std::uint64_t> latencies) {
    return json(echo_run(latencies)).dump();
}

// ------------------------------------------------------------------------------ commands

TEST(ReportCli, WithoutACommandIsAUsageError) {
    const Ran r = run({});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("usage: wsbench-report COMMAND"), std::string::npos) << r.err;
}

TEST(ReportCli, HelpListsTheCommandsAndExitCodes) {
    const Ran r = run({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* cmd : {"summary", "compare", "merge", "html", "Exit codes"}) {
        EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
    }
}

TEST(ReportCli, EveryCommandHasItsHelp) {
    for (const char* cmd : {"summary", "compare", "merge", "html"}) {
        const Ran r = run({cmd, "--help"});
        EXPECT_EQ(r.code, 0) << cmd;
        EXPECT_NE(r.out.find(std::string("wsbench-report ") + cmd), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("Exit codes"), std::string::npos) << r.out;
        EXPECT_EQ(r.err, "");
    }
    EXPECT_NE(run({"compare", "--help"}).out.find("--threshold"), std::string::npos);
    EXPECT_NE(run({"merge", "--help"}).out.find("--output"), std::string::npos);
}

TEST(ReportCli, UnknownCommandIsAUsageError) {
    const Ran r = run({"diff", "a.json", "b.json"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown command 'diff'"), std::string::npos) << r.err;
}

TEST(ReportCli, WrongNumberOfFilesIsAUsageError) {
    TempFile a("a.json", report_text({100}));
    EXPECT_EQ(run({"compare", a.path}).code, 2);
    EXPECT_EQ(run({"compare", a.path, a.path, a.path}).code, 2);
    EXPECT_EQ(run({"summary"}).code, 2);
    const Ran m = run({"merge", a.path, "-o", "-"});
    EXPECT_EQ(m.code, 2);
    EXPECT_NE(m.err.find("A.json B.json..."), std::string::npos) << m.err;
}

TEST(ReportCli, UnknownOptionsAndBadValuesNameTheFlag) {
    TempFile a("a.json", report_text({100}));
    const Ran unknown = run({"compare", a.path, a.path, "--frobnicate"});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_NE(unknown.err.find("frobnicate"), std::string::npos) << unknown.err;
    const Ran format = run({"compare", a.path, a.path, "--format", "xml"});
    EXPECT_EQ(format.code, 2);
    EXPECT_NE(format.err.find("--format 'xml'"), std::string::npos) << format.err;
    const Ran threshold = run({"compare", a.path, a.path, "--threshold", "p99=lots"});
    EXPECT_EQ(threshold.code, 2);
    EXPECT_NE(threshold.err.find("--threshold 'p99=lots'"), std::string::npos) << threshold.err;
    const Ran output = run({"merge", a.path, a.path});
    EXPECT_EQ(output.code, 2);
    EXPECT_NE(output.err.find("-o/--output"), std::string::npos) << output.err;
}

TEST(ReportCli, CompareExitsOneOnARegressionAndZeroOtherwise) {
    TempFile fast("fast.json", report_text({100, 200, 300}));
    TempFile slow("slow.json", report_text({1000, 2000, 3000}));
    const Ran same = run({"compare", fast.path, fast.path});
    EXPECT_EQ(same.code, 0) << same.err;
    const Ran better = run({"compare", slow.path, fast.path});
    EXPECT_EQ(better.code, 0) << better.out;
    const Ran worse = run({"compare", fast.path, slow.path});
    EXPECT_EQ(worse.code, 1) << worse.out;
    EXPECT_NE(worse.out.find("regression"), std::string::npos) << worse.out;
    // A threshold above the change makes it no regression (1000%: 10x slower passes).
    EXPECT_EQ(run({"compare", fast.path, slow.path, "--threshold", "1000%"}).code, 0);
    // Options after the files, per-metric override stricter than the default.
    EXPECT_EQ(
        run({"compare", fast.path, slow.path, "--threshold", "1000%", "--threshold", "p99=5%"})
            .code,
        1);
}

TEST(ReportCli, CompareJsonIsAloneOnStdout) {
    TempFile a("a.json", report_text({100}));
    const Ran r = run({"compare", a.path, a.path, "--format", "json"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.err, "");
    const json j = json::parse(r.out);
    EXPECT_EQ(j.at("passed"), true);
}

TEST(ReportCli, SummaryPrintsTheLoadgenTable) {
    TempFile a("a.json", report_text({100, 200}));
    const Ran r = run({"summary", a.path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("wsbench-loadgen"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Latency"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 sent"), std::string::npos) << r.out;
    const Ran j = run({"summary", "--format", "json", a.path});
    EXPECT_EQ(j.code, 0);
    EXPECT_EQ(json::parse(j.out).at("latency_us").at("count"), 2u);
}

TEST(ReportCli, MergeWritesTheReportAndSaysSoOnStderr) {
    TempFile a("a.json", report_text({100}));
    TempFile b("b.json", report_text({300}));
    TempFile out("merged.json");
    const Ran r = run({"merge", a.path, b.path, "-o", out.path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("2 reports merged"), std::string::npos) << r.err;
    const Input merged = read_input(out.path);
    EXPECT_EQ(merged.doc.at("latency_us").at("count"), 2u);
    const Ran to_stdout = run({"merge", "-o", "-", a.path, b.path});
    EXPECT_EQ(json::parse(to_stdout.out).at("merged").at("inputs"), 2u);
}

TEST(ReportCli, UnwritableOutputExitsThree) {
    TempFile a("a.json", report_text({100}));
    const Ran r = run({"merge", a.path, a.path, "-o", "/nonexistent/dir/m.json"});
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("/nonexistent/dir"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------------------ bad input

struct BadInput {
    const char* name;
    std::string content;
    std::vector<std::string> mentions;
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.name; }

class ReportBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(ReportBadInput, ExitsTwoNamingTheFileAndTheProblem) {
    TempFile bad("bad.json", GetParam().content);
    TempFile good("good.json", report_text({100}));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"summary", bad.path},
          std::vector<std::string>{"compare", good.path, bad.path},
          std::vector<std::string>{"merge", good.path, bad.path, "-o", "-"},
          std::vector<std::string>{"html", bad.path, "-o", "-"}}) {
        const Ran r = run(args);
        EXPECT_EQ(r.code, 2) << args[0];
        EXPECT_EQ(r.out, "") << args[0];
        EXPECT_NE(r.err.find(bad.path + ": "), std::string::npos) << r.err;
        for (const std::string& m : GetParam().mentions) {
            EXPECT_NE(r.err.find(m), std::string::npos) << "lacks '" << m << "': " << r.err;
        }
    }
}

json tweaked(const std::function<void(json&)>& change) {
    json j = json(echo_run({100, 200}));
    change(j);
    return j;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Table, ReportBadInput,
    ::testing::Values(
        BadInput{"Empty", "", {"empty file"}},
        BadInput{"Truncated", report_text({100}).substr(0, 200), {"not valid JSON", "truncated"}},
        BadInput{"NotJson", "hello", {"not valid JSON"}},
        BadInput{"NotAnObject", "[1, 2]", {"expected a JSON object"}},
        BadInput{"NoSchema", R"({"tool": {}})", {"no 'schema' field"}},
        BadInput{"OtherSchema", R"({"schema": "k6.summary/1"})", {"'k6.summary/1'", "not one wsbench-report reads"}},
        BadInput{"NewerVersion", tweaked([](json& j) { j["schema"] = "wsbench.loadgen/2"; }).dump(),
                 {"'wsbench.loadgen/2' is newer", "wsbench.loadgen/1"}},
        BadInput{"MissingSection", tweaked([](json& j) { j.erase("summary"); }).dump(), {"$: missing 'summary'"}},
        BadInput{"WrongType", tweaked([](json& j) { j["summary"]["messages"]["sent"] = "many"; }).dump(),
                 {"$.summary.messages.sent", "non-negative integer"}},
        BadInput{"NegativeCount", tweaked([](json& j) { j["summary"]["bytes"]["sent"] = -1; }).dump(),
                 {"$.summary.bytes.sent"}},
        BadInput{"CorruptHistogram", tweaked([](json& j) { j["histograms"]["latency"] = "HISTFAAAAAAA"; }).dump(),
                 {"$.histograms.latency", "HdrHistogram"}},
        BadInput{"HistogramNotAString", tweaked([](json& j) { j["histograms"]["connect"] = 5; }).dump(),
                 {"$.histograms.connect"}},
        BadInput{"BadTimeline", tweaked([](json& j) { j["timeline"] = json::array({json{{"t_s", 1}}}); }).dump(),
                 {"$.timeline[0]", "missing 'sent'"}},
        BadInput{"BadStarted", tweaked([](json& j) { j["started"] = "yesterday"; }).dump(), {"$.started"}},
        BadInput{"BadShard", tweaked([](json& j) { j["config"]["shard"] = {{"index", 2}, {"count", 2}}; }).dump(),
                 {"$.config.shard"}}),
    [](const ::testing::TestParamInfo<BadInput>& p) { return std::string(p.param.name); });
// clang-format on

TEST(ReportInput, MissingFileNamesItAndTheSystemError) {
    const Ran r = run({"summary", "/nonexistent/report.json"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("/nonexistent/report.json: cannot read: No such file"), std::string::npos)
        << r.err;
}

TEST(ReportInput, TellsAutobahnIndexFromWsbenchReports) {
    TempFile index("index.json", R"({"wsbench": {"1.1.1": {"behavior": "OK",
        "behaviorClose": "OK", "duration": 2, "remoteCloseCode": 1000,
        "reportfile": "wsbench_case_1_1_1.json"}}})");
    EXPECT_EQ(read_input(index.path).kind, ReportKind::autobahn);
    TempFile loadgen("l.json", report_text({1}));
    EXPECT_EQ(read_input(loadgen.path).kind, ReportKind::loadgen);
    // A loadgen command given an Autobahn file says what it got.
    const Ran r = run({"merge", index.path, loadgen.path, "-o", "-"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("a autobahn report, where a load-generator report"), std::string::npos)
        << r.err;
}

TEST(ReportInput, ParsesRfc3339WithMillisecondsAndOffsets) {
    EXPECT_EQ(parse_rfc3339_ms("2024-05-01T12:34:56.789Z"), 1714566896789);
    EXPECT_EQ(parse_rfc3339_ms("2024-05-01T12:34:56Z"), 1714566896000);
    EXPECT_EQ(parse_rfc3339_ms("2024-05-01T14:34:56.7+02:00"), 1714566896700);
    EXPECT_EQ(parse_rfc3339_ms("2024-05-01 12:34:56Z"), std::nullopt);
    EXPECT_EQ(parse_rfc3339_ms("2024-05-01T12:34:56"), std::nullopt);
    EXPECT_EQ(parse_rfc3339_ms("2024-13-01T12:34:56Z"), std::nullopt);
}

TEST(ReportInput, ReadsBackAReportFile) {
    const LoadgenReport run = echo_run({100, 200, 300});
    TempFile file("r.json", json(run).dump());
    const LoadgenReport r = read_loadgen(file.path).report;
    EXPECT_EQ(r.latency, run.latency);
    EXPECT_EQ(r.latency_uncorrected, run.latency_uncorrected);
    EXPECT_EQ(r.messages_sent, 3u);
    EXPECT_EQ(r.config.connections, 10u);
    EXPECT_EQ(r.config.url, "ws://127.0.0.1:9001/");
    EXPECT_EQ(r.started_ms, 1714566896000);
    EXPECT_EQ(r.config.shard->count, 1u);
    EXPECT_TRUE(r.schedule_lag.has_value());
    EXPECT_EQ(r.close_codes.at(1000), 10u);
}

}  // namespace
}  // namespace wsb::report
