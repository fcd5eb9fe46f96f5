// wsbench-conformance sections 12-13 (permessage-deflate) as a real process against
// wsbench-echo-server: a subset covering every data set, every offer of 13.x and fragmented
// messages passes with OK against --deflate on both engines; without --deflate every case is
// UNIMPLEMENTED (not a failure), and --cases / --exclude-cases select them like the others.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "tool_process.hpp"

namespace wsb::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// wsbench-echo-server on port 0 with one thread and `args`, listening.
struct EchoServer : ToolProcess {
    explicit EchoServer(const std::vector<std::string>& args)
        : ToolProcess({"wsbench-echo-server", "--port", "0", "--threads", "1"}, args) {
        wait_listening();
    }
};

json read_report(const ScratchDir& dir) {
    std::ifstream in(dir / "report.json");
    if (!in) return json::value_t::discarded;
    return json::parse(in, nullptr, false);
}

class ConformanceDeflate : public ::testing::TestWithParam<std::string> {};

// 12.x.1 (16 octets) and 12.x.11 (8 KiB in 256-octet frames) of each data set; 13.x.1 and
// 13.x.6 (8 KiB) of each of the seven offers: 24 cases, each 1000 compressed round trips.
TEST_P(ConformanceDeflate, SubsetPassesWithOkAgainstTheEchoServerWithDeflate) {
    EchoServer server({"--engine", GetParam(), "--deflate"});
    ASSERT_TRUE(server.address);
    ScratchDir dir("deflate-" + GetParam());
    const ToolRun r = run_tool({"wsbench-conformance", server.url(), "--cases",
                                "12.?.1,12.?.11,13.?.1,13.?.6", "--report-dir", dir.path(), "-q"},
                               100s);
    ASSERT_TRUE(r.exit_code) << "did not finish in 100 s";
    EXPECT_EQ(*r.exit_code, 0) << r.out << r.err;
    std::cout << "[ engine " << GetParam() << " ] 24 deflate cases in " << r.seconds << " s\n";
    const json report = read_report(dir);
    ASSERT_FALSE(report.is_discarded());
    ASSERT_EQ(report["cases"].size(), 24u);
    for (const json& c : report["cases"]) {
        EXPECT_EQ(c["behavior"], "OK") << c["id"] << ": " << c["result"];
        EXPECT_EQ(c["behaviorClose"], "OK") << c["id"] << ": " << c["resultClose"];
    }
}

INSTANTIATE_TEST_SUITE_P(Engines, ConformanceDeflate, ::testing::Values("fast", "websocketpp"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(ConformanceDeflateDeclined, EveryCaseIsUnimplementedAndTheRunPasses) {
    EchoServer server({});
    ASSERT_TRUE(server.address);
    ScratchDir dir("deflate-declined");
    const ToolRun r = run_tool({"wsbench-conformance", server.url(), "--cases", "12.*,13.*",
                                "--exclude-cases", "13.7.*", "--report-dir", dir.path(), "-q"},
                               60s);
    ASSERT_TRUE(r.exit_code);
    EXPECT_EQ(*r.exit_code, 0) << r.out << r.err;
    const json report = read_report(dir);
    ASSERT_FALSE(report.is_discarded());
    ASSERT_EQ(report["cases"].size(), 216u - 18u);
    for (const json& c : report["cases"]) {
        EXPECT_EQ(c["behavior"], "UNIMPLEMENTED") << c["id"];
        EXPECT_EQ(c["behaviorClose"], "OK") << c["id"] << ": " << c["resultClose"];
    }
}

}  // namespace
}  // namespace wsb::test
