// The conformance verdicts (words, pass and fail rules, case order) and the conformance report
// model's round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "schema_check.hpp"
#include "wsbench/report/conformance.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

TEST(ConformanceVerdicts, WordsRoundTripAndOthersAreRefused) {
    for (Behavior b : kBehaviors) EXPECT_EQ(behavior_from_string(to_string(b)), b);
    for (CloseBehavior b : kCloseBehaviors) EXPECT_EQ(close_behavior_from_string(to_string(b)), b);
    EXPECT_EQ(behavior_from_string("ok"), std::nullopt);
    EXPECT_EQ(close_behavior_from_string("NON-STRICT"), std::nullopt);
    EXPECT_STREQ(to_string(Behavior::non_strict), "NON-STRICT");
    EXPECT_STREQ(to_string(CloseBehavior::failed_by_client), "FAILED BY CLIENT");
}

TEST(ConformanceVerdicts, StrictFailsNonStrict) {
    EXPECT_FALSE(fails(Behavior::non_strict, CloseBehavior::ok, false));
    EXPECT_TRUE(fails(Behavior::non_strict, CloseBehavior::ok, true));
    EXPECT_TRUE(passes(Behavior::non_strict, CloseBehavior::ok, false));
    EXPECT_FALSE(passes(Behavior::non_strict, CloseBehavior::ok, true));
}

TEST(ConformanceVerdicts, UnimplementedNeitherPassesNorFails) {
    EXPECT_FALSE(fails(Behavior::unimplemented, CloseBehavior::ok, true));
    EXPECT_FALSE(passes(Behavior::unimplemented, CloseBehavior::ok, false));
}

TEST(ConformanceVerdicts, EveryCloseVerdictButOkAndInformationalFails) {
    for (CloseBehavior c : kCloseBehaviors) {
        const bool ok = c == CloseBehavior::ok || c == CloseBehavior::informational;
        EXPECT_EQ(fails(Behavior::ok, c, false), !ok) << to_string(c);
        EXPECT_EQ(passes(Behavior::informational, c, false), ok) << to_string(c);
    }
    EXPECT_TRUE(fails(Behavior::failed, CloseBehavior::ok, false));
    EXPECT_TRUE(passes("OK", "INFORMATIONAL", true));
    EXPECT_FALSE(passes("OK", "SOMETHING ELSE", false));
}

TEST(CaseIdOrder, ComparesNumbersAsNumbersAndPutsLettersLast) {
    EXPECT_TRUE(case_id_less("1.1.9", "1.1.10"));
    EXPECT_TRUE(case_id_less("6.2.4", "6.10.1"));
    EXPECT_TRUE(case_id_less("9.8.6", "10.1.1"));
    EXPECT_TRUE(case_id_less("10.1.1", "H.1.1"));
    EXPECT_TRUE(case_id_less("2.1", "2.1.1"));
    EXPECT_TRUE(case_id_less("H.1.1", "M.1"));
    EXPECT_FALSE(case_id_less("2.10", "2.9"));
    EXPECT_FALSE(case_id_less("5.1", "5.1"));
    EXPECT_FALSE(case_id_less("99999999999999999999999.1", "2.1")) << "no overflow";
    std::vector<std::string> ids{"H.2.1", "12.1.10", "1.1.2", "12.1.9", "1.1.10", "2.1"};
    std::sort(ids.begin(), ids.end(), case_id_less);
    EXPECT_EQ(ids,
              (std::vector<std::string>{"1.1.2", "1.1.10", "2.1", "12.1.9", "12.1.10", "H.2.1"}));
}

// Every key of a case record the schema requires besides the model's own fields, as the runner
// writes them.
json case_details(const std::string& description) {
    return {
        {"section", "1.1 Framing, text messages"},
        {"description", description},
        {"expectation", "Echo"},
        {"agent", "echo"},
        {"started", "2024-05-01T12:34:56.789Z"},
        {"result", "Echoed"},
        {"resultClose", "Clean close"},
        {"expected", {{"OK", json::array()}}},
        {"expectedClose", {{"closedByMe", true}, {"closeCode", {1000}}, {"requireClean", true}}},
        {"received", json::array()},
        {"closedByMe", true},
        {"failedByMe", false},
        {"droppedByMe", false},
        {"wasClean", true},
        {"remoteCloseReason", ""},
        {"localCloseCode", 1000},
        {"httpRequest", "GET / HTTP/1.1\r\n\r\n"},
        {"httpResponse", "HTTP/1.1 101 Switching Protocols\r\n\r\n"},
        {"wirelog", json::array()}};
}

ConformanceReport sample_report() {
    ConformanceReport r;
    r.envelope =
        make_envelope(kConformanceSchema, kConformanceTool, "ws://127.0.0.1:9001/", {}, false);
    r.config = {{"url", "ws://127.0.0.1:9001/"},
                {"cases", {"1.1.*"}},
                {"exclude_cases", json::array()},
                {"agent", ""},
                {"parallel", 1},
                {"timeout_scale", 1.0},
                {"strict", false},
                {"report_dir", "reports/conformance"}};
    r.agent = "echo";
    r.started = "2024-05-01T12:34:56.789Z";
    r.duration_ms = 1234;
    r.selected = 3;
    r.failed = 2;
    r.exit_code = 1;
    ConformanceCase ok{"1.1.1", true, "OK", "OK", 12.0, 1000, case_details("text")};
    ConformanceCase failed{
        "1.1.2", true, "FAILED", "WRONG CODE", 3.0, std::nullopt, case_details("binary")};
    ConformanceCase not_run{
        "1.1.3", false, "FAILED", "FAILED", 0.0, std::nullopt, case_details("not run")};
    r.cases = {ok, failed, not_run};
    return r;
}

TEST(ConformanceReportModel, RoundTripsByteForByte) {
    const json j = sample_report();
    const ConformanceReport back = j.get<ConformanceReport>();
    EXPECT_EQ(json(back).dump(), j.dump());
    EXPECT_EQ(back.cases.at(0).details.at("description"), "text");
}

TEST(ConformanceReportModel, CountsTheVerdictsOfTheCasesThatRan) {
    const json s = json(sample_report()).at("summary");
    EXPECT_EQ(s.at("ran"), 2u);
    EXPECT_EQ(s.at("passed"), 0u);
    EXPECT_EQ(s.at("behavior").at("OK"), 1u);
    EXPECT_EQ(s.at("behavior").at("FAILED"), 1u) << "the case that did not run is not counted";
    EXPECT_EQ(s.at("behavior").at("UNIMPLEMENTED"), 0u) << "every word, zeros included";
    EXPECT_EQ(s.at("behaviorClose").at("WRONG CODE"), 1u);
}

TEST(ConformanceReportModel, NamesTheCaseOfABadVerdict) {
    json j = sample_report();
    j["cases"][1]["behavior"] = 3;
    try {
        (void)j.get<ConformanceReport>();
        FAIL() << "accepted a number as a verdict";
    } catch (const FormatError& e) {
        EXPECT_STREQ(e.what(), "$.cases[1].behavior: expected a string");
    }
}

TEST(ConformanceReportModel, ReadsAReportHoldingOnlyAgentAndCases) {
    const json j = {{"schema", kConformanceSchema},
                    {"agent", "x"},
                    {"cases", {{{"id", "1.1.1"}, {"behavior", "OK"}, {"behaviorClose", "OK"}}}}};
    const ConformanceReport r = j.get<ConformanceReport>();
    EXPECT_EQ(r.agent, "x");
    ASSERT_EQ(r.cases.size(), 1u);
    EXPECT_FALSE(r.cases[0].duration_ms);
}

TEST(ConformanceReportModel, JsonIsValidAgainstTheSchema) {
    if (!test::schema_checker_available()) GTEST_SKIP() << "python3 with jsonschema is missing";
    ConformanceReport empty = sample_report();
    empty.cases.clear();
    empty.selected = 0;
    empty.failed = 0;
    empty.exit_code = 0;
    const test::SchemaCheck r =
        test::check_schema("conformance.schema.json", {sample_report(), empty});
    EXPECT_EQ(r.status, 0) << r.output;
}

}  // namespace
}  // namespace wsb::report
