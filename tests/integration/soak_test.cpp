// The soak (issue 9): thousands of connections against wsbench-echo-server (both engines) for
// half a minute, no errors and flat server memory. Label `soak`, not `integration`: it takes
// a minute, so `ctest -L integration` (and CI's ThreadSanitizer pass) leaves it out, while
// scripts/test.sh, which runs every test, includes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "process.hpp"
#include "sanitizer.hpp"
#include "tool_process.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class EchoServerFaults : public ::testing::TestWithParam<const char*> {};

TEST_P(EchoServerFaults, SoakOfThousandsOfConnectionsHasNoErrorsAndFlatMemory) {
    const bool slow = under_sanitizer();
    const std::string conns = slow ? "500" : "5000";
    const std::string seconds = slow ? "10s" : "30s";
    ToolProcess server(
        {"wsbench-echo-server", "--port", "0", "--threads", "2", "--engine", GetParam()});
    server.wait_listening();
    ASSERT_TRUE(server.address);
    const std::string report = "/tmp/wsbench-fault-soak-" + std::to_string(::getpid()) + ".json";
    Process lg({tool_path("wsbench-loadgen"), server.url(), "-c", conns, "-R", conns, "-d", seconds,
                "-t", "1", "--json", report});
    // After warm-up (every connection open and the window running for a few seconds).
    ASSERT_TRUE(lg.wait_for_stderr("measuring", 60s)) << lg.stderr_text();
    // The first sample 3 s into the window (after warm-up), the second at its end. A point in
    // the measurement to sample at, not a wait for readiness: nothing to wait on instead.
    std::this_thread::sleep_for(3s);
    const auto early = proc_status_kib(server.process->pid(), "VmRSS");
    ASSERT_TRUE(lg.wait(120s).has_value()) << lg.stderr_text();
    const auto late = proc_status_kib(server.process->pid(), "VmRSS");
    ASSERT_TRUE(early && late);
    std::ifstream in(report);
    const json r = json::parse(in, nullptr, false);
    std::remove(report.c_str());
    ASSERT_TRUE(r.is_object()) << lg.stderr_text();
    EXPECT_EQ(r["summary"]["errors"], 0) << r["errors"].dump();
    EXPECT_EQ(r["summary"]["connections"]["established"], std::stoi(conns));
    EXPECT_EQ(r["summary"]["messages"]["received"], r["summary"]["messages"]["sent"]);
    // Sanitizer runtimes grow their own bookkeeping; the flatness bound is for plain builds.
    if (!slow) {
        EXPECT_LT(static_cast<double>(*late), 1.05 * static_cast<double>(*early))
            << "server RSS grew from " << *early << " KiB to " << *late << " KiB during the soak";
    }
    RecordProperty("server_rss_kib_early", static_cast<int>(*early));
    RecordProperty("server_rss_kib_late", static_cast<int>(*late));
    EXPECT_TRUE(server.stops_cleanly());
}

INSTANTIATE_TEST_SUITE_P(Engines, EchoServerFaults, ::testing::Values("websocketpp", "fast"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param);
                         });

}  // namespace
}  // namespace wsb::test
