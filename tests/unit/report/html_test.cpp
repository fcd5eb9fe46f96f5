// Tests of wsbench-report html: one self-contained page with inline SVG charts, every input
// overlaid, text escaped.
#include "report/html.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::loadgen_report;

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

LoadgenReport with_timeline(std::initializer_list<std::uint64_t> latencies) {
    LoadgenReport r = echo_run(latencies);
    r.timeline = {{1.0, 500, 500, 10, 0, 100, 300, ""}, {2.0, 500, 499, 10, 1, 120, 900, ""}};
    return r;
}

TEST(Html, IsOneSelfContainedPage) {
    const std::string page = render_html({loadgen_report(with_timeline({100, 200}), "a.json")});
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(page.find("</html>"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("src="), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
    EXPECT_EQ(page.find("@import"), std::string::npos);
    EXPECT_EQ(page.find("url("), std::string::npos);
    EXPECT_EQ(page.find("http"), std::string::npos) << "nothing loads from elsewhere";
}

TEST(Html, DrawsTheLatencyDistributionAndTheTimelines) {
    const std::string page = render_html({loadgen_report(with_timeline({100, 200}), "a.json")});
    EXPECT_EQ(occurrences(page, "<svg"), 5u) << "percentiles, throughput, p50/p99, connections, "
                                                "errors";
    EXPECT_NE(page.find("Latency percentile distribution (log scale)"), std::string::npos);
    EXPECT_NE(page.find("99.9%"), std::string::npos) << "percentile axis";
    EXPECT_NE(page.find("a.json corrected"), std::string::npos);
    EXPECT_NE(page.find("a.json uncorrected"), std::string::npos);
    EXPECT_NE(page.find("stroke-dasharray"), std::string::npos) << "uncorrected is dashed";
    EXPECT_NE(page.find("Throughput"), std::string::npos);
    EXPECT_NE(page.find("Open connections"), std::string::npos);
    EXPECT_NE(page.find("Errors per second"), std::string::npos);
    EXPECT_NE(page.find("<th>message_size</th>"), std::string::npos) << "the config";
}

TEST(Html, OverlaysEveryInputInItsOwnColour) {
    const std::string page = render_html({loadgen_report(with_timeline({100}), "base.json"),
                                          loadgen_report(with_timeline({300}), "new.json"),
                                          loadgen_report(with_timeline({900}), "third.json")});
    for (const char* name : {"base.json", "new.json", "third.json"}) {
        EXPECT_NE(page.find(std::string(name) + " corrected"), std::string::npos) << name;
    }
    EXPECT_NE(page.find("#0072B2"), std::string::npos);
    EXPECT_NE(page.find("#D55E00"), std::string::npos);
    EXPECT_NE(page.find("#009E73"), std::string::npos);
}

TEST(Html, EscapesTextFromTheReports) {
    LoadgenReport r = with_timeline({100});
    r.config.url = "ws://h/<script>alert(1)</script>";
    r.envelope.target_url = r.config.url;
    r.warnings = {"a & b"};
    const std::string page = render_html({loadgen_report(r, "<x>.json")});
    EXPECT_EQ(page.find("<script>"), std::string::npos);
    EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
    EXPECT_NE(page.find("a &amp; b"), std::string::npos);
    EXPECT_NE(page.find("&lt;x&gt;.json"), std::string::npos);
}

TEST(Html, RunWithoutLatencyOrTimelineStillRenders) {
    LoadgenReport r = echo_run({});
    r.config.scenario = "connect";
    const std::string page = render_html({loadgen_report(r, "connect.json")});
    EXPECT_EQ(occurrences(page, "<svg"), 5u);
    EXPECT_EQ(page.find("nan"), std::string::npos);
    EXPECT_EQ(page.find("inf"), std::string::npos);
}

}  // namespace
}  // namespace wsb::report
