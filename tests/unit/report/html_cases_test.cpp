// Tests of wsbench-report html and summary for Autobahn index.json files: case tables by
// section coloured by verdict, files side by side, counts by section.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "report/autobahn.hpp"
#include "report/html.hpp"
#include "report/report_cli.hpp"

namespace wsb::report {
namespace {

using test::json;
using test::TempFile;

const std::string kBase = WSBENCH_FIXTURES_DIR "/autobahn/base-index.json";
const std::string kNew = WSBENCH_FIXTURES_DIR "/autobahn/new-index.json";

struct Ran {
    int code = -1;
    std::string out;
    std::string err;
};

Ran run(std::vector<std::string> args) {
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

// The table row of case `id` (from "<tr" to "</tr>").
std::string row(const std::string& page, const std::string& id) {
    const std::size_t cell = page.find("<td class=\"id\">" + id + "</td>");
    if (cell == std::string::npos) return "";
    const std::size_t start = page.rfind("<tr", cell);
    return page.substr(start, page.find("</tr>", cell) - start);
}

TEST(AutobahnCases, SectionsAndOrder) {
    EXPECT_EQ(section_of("1.1.10"), 1);
    EXPECT_EQ(section_of("12.1.1"), 12);
    EXPECT_EQ(section_of("x"), 0);
    EXPECT_STREQ(section_name(6), "UTF-8 Handling");
    EXPECT_STREQ(section_name(8), "");
    EXPECT_TRUE(case_less("1.1.2", "1.1.10"));
    EXPECT_TRUE(case_less("9.1.1", "10.1.1"));
    EXPECT_TRUE(case_less("1.1", "1.1.1"));
    EXPECT_FALSE(case_less("1.1.1", "1.1.1"));
}

TEST(AutobahnCases, ReadsEveryDetailInCaseOrder) {
    const std::vector<AutobahnAgent> agents = read_autobahn(read_input(kBase));
    ASSERT_EQ(agents.size(), 1u);
    EXPECT_EQ(agents[0].agent, "AutobahnServer");
    ASSERT_EQ(agents[0].cases.size(), 9u);
    EXPECT_EQ(agents[0].cases[1].id, "1.1.2");
    EXPECT_EQ(agents[0].cases[2].id, "1.1.10");
    EXPECT_EQ(agents[0].cases[8].id, "12.1.1");
    EXPECT_EQ(agents[0].cases[0].remote_close_code, 1000);
    EXPECT_EQ(agents[0].cases[0].duration_ms, 2.0);
    EXPECT_EQ(agents[0].cases[0].reportfile, "autobahnserver_case_1_1_1.json");
}

TEST(AutobahnHtml, ColoursEachVerdictAndHighlightsChangedOutcomes) {
    const std::string page = render_autobahn_html({read_input(kBase), read_input(kNew)});
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("http"), std::string::npos);
    for (const char* section : {"<h2>1 Framing</h2>", "<h2>5 Fragmentation</h2>",
                                "<h2>12 WebSocket Compression (different payloads)</h2>"}) {
        EXPECT_NE(page.find(section), std::string::npos) << section;
    }
    EXPECT_NE(page.find("base-index.json · AutobahnServer"), std::string::npos);
    EXPECT_NE(page.find("new-index.json · wsbench"), std::string::npos);

    const std::string same = row(page, "1.1.1");
    EXPECT_EQ(same.find("diff"), std::string::npos) << same;
    EXPECT_NE(same.find("class=\"v ok\""), std::string::npos) << same;
    EXPECT_NE(same.find(">1000<"), std::string::npos) << "the remote close code: " << same;

    const std::string failing = row(page, "1.1.10");
    EXPECT_NE(failing.find("class=\"diff\""), std::string::npos) << failing;
    EXPECT_NE(failing.find("class=\"v failed\""), std::string::npos) << failing;
    EXPECT_NE(row(page, "1.1.2").find("class=\"v warn\">UNCLEAN"), std::string::npos);
    EXPECT_NE(row(page, "3.2").find("class=\"v nonstrict\""), std::string::npos);
    EXPECT_EQ(row(page, "3.2").find("diff"), std::string::npos) << "both pass";
    EXPECT_NE(row(page, "12.1.1").find("class=\"v unimpl\""), std::string::npos);
    const std::string missing = row(page, "9.1.1");
    EXPECT_NE(missing.find("class=\"missing\""), std::string::npos) << missing;
    EXPECT_NE(missing.find("class=\"diff\""), std::string::npos) << missing;
    // Details on hover, and the per-case report beside the index.json.
    EXPECT_NE(same.find("title=\"behavior OK, behaviorClose OK, remote close code 1000, 2 ms, "
                        "report autobahnserver_case_1_1_1.json\""),
              std::string::npos)
        << same;
    EXPECT_NE(
        same.find("href=\"" WSBENCH_FIXTURES_DIR "/autobahn/autobahnserver_case_1_1_1.json\""),
        std::string::npos)
        << same;
}

TEST(AutobahnHtml, EscapesAgentsAndCaseIds) {
    TempFile f("evil-index.json",
               R"({"<b>agent</b>": {"1.<i>": {"behavior": "OK", "behaviorClose": "OK"}}})");
    const std::string page = render_autobahn_html({read_input(f.path)});
    EXPECT_EQ(page.find("<b>agent"), std::string::npos);
    EXPECT_NE(page.find("&lt;b&gt;agent&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(page.find("1.&lt;i&gt;"), std::string::npos);
}

TEST(AutobahnCommands, HtmlAndSummaryTakeIndexFiles) {
    const TempFile page("index.html");
    const Ran html = run({"html", kBase, kNew, "-o", page.path});
    EXPECT_EQ(html.code, 0) << html.err;

    const Ran summary = run({"summary", kBase});
    EXPECT_EQ(summary.code, 0) << summary.err;
    EXPECT_NE(summary.out.find("agent AutobahnServer, 6/9 passed, 2 failed, 1 unimplemented"),
              std::string::npos)
        << summary.out;
    EXPECT_NE(summary.out.find("5 Fragmentation"), std::string::npos) << summary.out;
    const Ran as_json = run({"summary", kNew, "--format", "json"});
    const json j = json::parse(as_json.out);
    EXPECT_EQ(j.at("agents").at(0).at("failed"), 3u);
    EXPECT_EQ(j.at("agents").at(0).at("sections").at(0).at("name"), "Framing");
}

TEST(AutobahnCommands, HtmlRefusesMixedKinds) {
    const TempFile loadgen("l.json", json(test::echo_run({1})).dump());
    const Ran r = run({"html", kBase, loadgen.path, "-o", "-"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(loadgen.path + ": a loadgen report among autobahn reports"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace wsb::report
