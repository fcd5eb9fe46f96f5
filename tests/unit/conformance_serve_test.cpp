// wsbench-conformance serve's pure parts: the fuzzing server's request-target parsing and the
// cases it serves (no H.x; M.x texts rewritten for the swapped roles).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/runner.hpp"
#include "conformance/serve.hpp"

namespace wsb::conformance {
namespace {

TEST(ServeTarget, SplitsPathAndDecodesQuery) {
    const Target t = parse_target("/runCase?case=12&agent=my%20client+1&flag");
    EXPECT_EQ(t.path, "/runCase");
    EXPECT_EQ(t.query.at("case"), "12");
    EXPECT_EQ(t.query.at("agent"), "my client 1");
    EXPECT_EQ(t.query.at("flag"), "");
}

TEST(ServeTarget, PathWithoutQueryAndBrokenEscapesKeptAsIs) {
    EXPECT_EQ(parse_target("/getCaseCount").path, "/getCaseCount");
    EXPECT_TRUE(parse_target("/getCaseCount").query.empty());
    EXPECT_EQ(parse_target("/x?agent=a%2").query.at("agent"), "a%2");
    EXPECT_EQ(parse_target("/x?agent=a%zz").query.at("agent"), "a%zz");
}

TEST(ServeCases, LeavesOutHandshakeProbesAndKeepsOrder) {
    const Selection sel = select_cases(all_cases(), {"*"}, {});
    const std::vector<CaseSpec> served = serve_cases(sel.cases);
    std::size_t h = 0;
    for (const CaseSpec* c : sel.cases) h += section_of(c->id) == "H";
    ASSERT_GT(h, 0u);
    ASSERT_EQ(served.size(), sel.cases.size() - h);
    std::size_t j = 0;
    for (const CaseSpec* c : sel.cases) {
        if (section_of(c->id) == "H") continue;
        EXPECT_EQ(served[j++].id, c->id);
    }
}

TEST(ServeCases, MaskingCasesDescribeTheServersMaskedFrames) {
    const Selection sel = select_cases(all_cases(), {"M.*"}, {});
    const std::vector<CaseSpec> served = serve_cases(sel.cases);
    ASSERT_EQ(served.size(), 4u);
    EXPECT_EQ(served[0].description, "Send a masked text message.");
    EXPECT_EQ(served[2].description,
              "Send an unmasked text message, then the same text masked, then a ping.");
    EXPECT_NE(served[1].expectation.find("a client MUST close a connection if it detects a "
                                         "masked frame (§5.1). No pong."),
              std::string::npos)
        << served[1].expectation;
}

TEST(ServeCases, ClientHandshakeCasesAreServedOnlyWhenSelected) {
    const Selection sel = select_cases(all_cases(), {"1.1.1", "C.1.*"}, {});
    const std::vector<CaseSpec> served = serve_cases(sel.cases, {"1.1.1", "C.1.*"}, {"C.1.2"});
    std::vector<std::string> ids;
    for (const CaseSpec& c : served) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"1.1.1", "C.1.1", "C.1.3", "C.1.4"}));
    for (const CaseSpec& c : client_handshake_cases()) {
        EXPECT_TRUE(c.serve_response) << c.id;
        EXPECT_EQ(section_of(c.id), "C");
    }
    for (const CaseSpec& c : all_cases()) EXPECT_NE(section_of(c.id), "C") << c.id;
}

}  // namespace
}  // namespace wsb::conformance
