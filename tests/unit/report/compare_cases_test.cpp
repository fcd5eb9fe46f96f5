// Tests of wsbench-report compare on Autobahn index.json files (hand-written fixtures in
// tests/fixtures/autobahn): which cases changed, newly failing first, in case order.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "report/autobahn.hpp"
#include "report/compare.hpp"
#include "report/report_cli.hpp"

namespace wsb::report {
namespace {

using test::json;
using test::TempFile;

const std::string kBase = WSBENCH_FIXTURES_DIR "/autobahn/base-index.json";
const std::string kNew = WSBENCH_FIXTURES_DIR "/autobahn/new-index.json";

std::vector<std::pair<std::string, CaseChange::Kind>> changes(const Comparison& c) {
    std::vector<std::pair<std::string, CaseChange::Kind>> v;
    for (const CaseChange& k : c.cases) v.emplace_back(k.id, k.kind);
    return v;
}

TEST(CaseResult, PassesAsAutobahnCheckersAcceptIt) {
    EXPECT_TRUE((CaseResult{"OK", "OK"}).passed());
    EXPECT_TRUE((CaseResult{"NON-STRICT", "OK"}).passed());
    EXPECT_TRUE((CaseResult{"INFORMATIONAL", "INFORMATIONAL"}).passed());
    EXPECT_FALSE((CaseResult{"OK", "UNCLEAN"}).passed());
    EXPECT_FALSE((CaseResult{"OK", "WRONG CODE"}).passed());
    EXPECT_FALSE((CaseResult{"OK", "FAILED BY CLIENT"}).passed());
    EXPECT_FALSE((CaseResult{"FAILED", "OK"}).passed());
    EXPECT_FALSE((CaseResult{"UNIMPLEMENTED", "UNIMPLEMENTED"}).passed());
    EXPECT_TRUE((CaseResult{"UNIMPLEMENTED", "UNIMPLEMENTED"}).unimplemented());
}

TEST(CompareAutobahn, ListsChangedCasesNewlyFailingFirstInCaseOrder) {
    const Comparison c = compare_inputs(read_input(kBase), read_input(kNew), Thresholds{});
    EXPECT_EQ(c.kind, ReportKind::autobahn);
    using K = CaseChange::Kind;
    const std::vector<std::pair<std::string, CaseChange::Kind>> expected = {
        {"1.1.2", K::newly_failing}, {"1.1.10", K::newly_failing}, {"5.19", K::newly_passing},
        {"3.2", K::changed},         {"6.4.3", K::changed},        {"12.1.1", K::changed},
        {"9.1.1", K::missing},       {"10.1.1", K::added}};
    EXPECT_EQ(changes(c), expected);
    EXPECT_TRUE(c.regressed());
    EXPECT_EQ(c.cases[0].base->text(), "OK/OK");
    EXPECT_EQ(c.cases[0].current->text(), "OK/UNCLEAN");
    EXPECT_FALSE(c.cases[6].current.has_value()) << "missing in new";
    EXPECT_FALSE(c.cases[7].base.has_value()) << "new case";
}

/// A wsbench-conformance report.json with the verdicts given ({id, behavior, behaviorClose}).
std::string conformance_report(const std::string& agent,
                               const std::vector<std::vector<std::string>>& cases) {
    json doc = {{"schema", "wsbench.conformance/1"}, {"agent", agent}, {"cases", json::array()}};
    for (const auto& c : cases) {
        doc["cases"].push_back({{"id", c[0]},
                                {"behavior", c[1]},
                                {"behaviorClose", c[2]},
                                {"duration", 3},
                                {"remoteCloseCode", 1000}});
    }
    return doc.dump();
}

TEST(CompareConformance, ReadsReportJsonAndComparesItWithAnAutobahnIndex) {
    // Our verdicts for three of the cases in the Autobahn fixture: 1.1.2 passes with us while
    // it fails in new-index.json, 1.1.1 passes in both, H.1.1 exists only with us.
    TempFile ours(
        "ours.json",
        conformance_report("wsbench-echo-server/0.1.0 (fast engine)",
                           {{"1.1.1", "OK", "OK"}, {"1.1.2", "OK", "OK"}, {"H.1.1", "OK", "OK"}}));
    const Input in = read_input(ours.path);
    EXPECT_EQ(in.kind, ReportKind::conformance);
    const std::vector<AutobahnAgent> agents = read_autobahn(in);
    ASSERT_EQ(agents.size(), 1u);
    EXPECT_EQ(agents[0].agent, "wsbench-echo-server/0.1.0 (fast engine)");
    ASSERT_EQ(agents[0].cases.size(), 3u);
    EXPECT_EQ(agents[0].cases[1].id, "1.1.2");
    EXPECT_EQ(agents[0].cases[1].remote_close_code, 1000);

    const Comparison c = compare_inputs(in, read_input(kNew), Thresholds{});
    EXPECT_EQ(c.kind, ReportKind::conformance);
    ASSERT_FALSE(c.cases.empty());
    EXPECT_EQ(c.cases[0].id, "1.1.2");
    EXPECT_EQ(c.cases[0].kind, CaseChange::Kind::newly_failing);
    EXPECT_TRUE(c.regressed());
}

TEST(CompareConformance, RefusesAReportJsonWithoutCases) {
    TempFile broken("broken.json", R"({"schema": "wsbench.conformance/1", "agent": "x"})");
    EXPECT_THROW(read_autobahn(read_input(broken.path)), InputError);
    json doc = json::parse(conformance_report("x", {{"1.1.1", "OK", "OK"}}));
    doc["cases"][0]["behavior"] = 7;
    TempFile wrong("wrong.json", doc.dump());
    try {
        read_autobahn(read_input(wrong.path));
        ADD_FAILURE() << "a numeric verdict was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("$.cases[0].behavior"), std::string::npos) << e.what();
    }
}

TEST(CompareAutobahn, CountsEachSideAndNotesDifferentAgents) {
    const Comparison c = compare_inputs(read_input(kBase), read_input(kNew), Thresholds{});
    EXPECT_EQ(c.base_totals.agent, "AutobahnServer");
    EXPECT_EQ(c.base_totals.cases, 9u);
    EXPECT_EQ(c.base_totals.passed, 6u);  // 1.1.1 1.1.2 1.1.10 3.2 7.1.6 9.1.1
    EXPECT_EQ(c.base_totals.failed, 2u);  // 5.19 6.4.3
    EXPECT_EQ(c.base_totals.unimplemented, 1u);
    EXPECT_EQ(c.new_totals.agent, "wsbench");
    EXPECT_EQ(c.new_totals.cases, 9u);
    EXPECT_EQ(c.new_totals.failed, 3u);  // 1.1.2 1.1.10 6.4.3
    ASSERT_EQ(c.notes.size(), 1u);
    EXPECT_NE(c.notes[0].find("agents differ"), std::string::npos);
}

TEST(CompareAutobahn, SameFileHasNoChangeAndPasses) {
    const Comparison c = compare_inputs(read_input(kBase), read_input(kBase), Thresholds{});
    EXPECT_TRUE(c.cases.empty());
    EXPECT_FALSE(c.regressed());
    EXPECT_NE(render_text(c).find("no case changed its verdicts"), std::string::npos);
}

TEST(CompareAutobahn, PairsAgentsByNameWhenFilesHoldSeveral) {
    TempFile a("two-agents-a.json",
               R"({"srv1": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}},
        "srv2": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}}})");
    TempFile b("two-agents-b.json",
               R"({"srv2": {"1.1.1": {"behavior": "FAILED", "behaviorClose": "OK"}},
        "srv3": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}}})");
    const Comparison c = compare_inputs(read_input(a.path), read_input(b.path), Thresholds{});
    ASSERT_EQ(c.cases.size(), 1u);
    EXPECT_EQ(c.cases[0].id, "1.1.1");
    EXPECT_EQ(c.cases[0].kind, CaseChange::Kind::newly_failing);

    TempFile d("two-agents-d.json", R"({"x": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}},
        "y": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}}})");
    try {
        compare_inputs(read_input(a.path), read_input(d.path), Thresholds{});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no agent to compare"), std::string::npos) << e.what();
    }
}

TEST(CompareAutobahn, MalformedVerdictNamesTheFileAndCase) {
    TempFile bad("bad-index.json", R"({"srv": {"2.1": {"behavior": 1, "behaviorClose": "OK"}}})");
    try {
        compare_inputs(read_input(kBase), read_input(bad.path), Thresholds{});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(bad.path + ": $['srv']['2.1'].behavior"),
                  std::string::npos)
            << e.what();
    }
}

TEST(CompareAutobahn, RendersTextJsonAndMarkdown) {
    const Comparison c = compare_inputs(read_input(kBase), read_input(kNew), Thresholds{});
    const std::string text = render_text(c);
    EXPECT_NE(text.find("newly failing (2):"), std::string::npos) << text;
    EXPECT_LT(text.find("1.1.2 "), text.find("1.1.10 ")) << text;
    EXPECT_NE(text.find("OK/OK                        -> OK/UNCLEAN"), std::string::npos) << text;
    EXPECT_NE(text.find("Base: 9 cases, 6 passed, 2 failed, 1 unimplemented"), std::string::npos)
        << text;

    const json j = render_json(c);
    EXPECT_EQ(j.at("kind"), "autobahn");
    EXPECT_EQ(j.at("passed"), false);
    EXPECT_EQ(j.at("regressions"), 2u);
    EXPECT_EQ(j.at("cases").at(0), json::parse(R"({"id": "1.1.2", "change": "newly failing",
                  "base": {"behavior": "OK", "behaviorClose": "OK"},
                  "new": {"behavior": "OK", "behaviorClose": "UNCLEAN"}})"));
    EXPECT_TRUE(j.at("cases").at(6).at("new").is_null());
    EXPECT_EQ(j.at("totals").at("new").at("failed"), 3u);

    const std::string md = render_markdown(c);
    EXPECT_EQ(md.rfind("### wsbench conformance: 2 newly failing case(s)", 0), 0u) << md;
    EXPECT_NE(md.find("| 1.1.2 | OK/OK | OK/UNCLEAN | **newly failing** |"), std::string::npos)
        << md;
}

TEST(CompareAutobahn, CommandExitsOneOnANewlyFailingCase) {
    auto run = [](std::vector<std::string> args) {
        std::vector<const char*> argv{"wsbench-report", "compare"};
        for (const auto& a : args) argv.push_back(a.c_str());
        std::ostringstream out;
        std::ostringstream err;
        return exit_status(run_cli(static_cast<int>(argv.size()), argv.data(), out, err));
    };
    EXPECT_EQ(run({kBase, kNew}), 1);
    EXPECT_EQ(run({kBase, kBase, "--format", "markdown"}), 0);
    EXPECT_EQ(run({kNew, kBase}), 1) << "the other way round, 5.19 newly fails";
}

}  // namespace
}  // namespace wsb::report
