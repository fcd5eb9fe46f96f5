// The dashboard's events and page (loadgen/dashboard.hpp): SSE framing, what each event holds,
// the page's stable ids and that it references nothing outside itself; and its listener's bound
// on a client that stops reading, the one test here on loopback sockets (milliseconds): no run
// is long enough to fill the bound at one event a second.
#include "loadgen/dashboard.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "loadgen/capacity.hpp"

namespace wsb::loadgen {
namespace {

using json = nlohmann::json;

TEST(DashboardEvents, AnEventIsANameAndOneDataLineEndedByABlankLine) {
    const std::string e = sse_event("second", json{{"text", "two\nlines"}, {"n", 1}});
    EXPECT_EQ(e, "event: second\ndata: {\"n\":1,\"text\":\"two\\nlines\"}\n\n");
    // Bad UTF-8 in a string (a URL as given) cannot break the stream.
    EXPECT_NO_THROW(sse_event("hello", json{{"url", std::string("ws://\xff/")}}));
}

TEST(DashboardEvents, ASecondHoldsItsRatesLatenciesStepsAndTheTotals) {
    Histogram second;
    for (int i = 1; i <= 100; ++i) second.record(static_cast<std::uint64_t>(i) * 10);
    std::vector<Histogram> steps(2);
    steps[1].record(5000);
    const LiveSecond s = live_second(300, 299, 1, 4, second, steps);
    LiveCounters totals;
    totals.messages_sent = 900;
    totals.messages_received = 897;
    totals.connections_opened = 4;
    totals.errors[0] = 2;
    totals.errors[3] = 1;
    const json j = second_event(2.0004, s, totals);
    EXPECT_EQ(j["t"], 2.0);
    EXPECT_EQ(j["sent"], 300);
    EXPECT_EQ(j["received"], 299);
    EXPECT_EQ(j["errors"], 1);
    EXPECT_EQ(j["connections"], 4);
    EXPECT_EQ(j["p50_us"], second.value_at_percentile(50));
    EXPECT_EQ(j["p99_us"], second.value_at_percentile(99));
    EXPECT_EQ(j["steps"], json::parse("[[0,0],[" + std::to_string(steps[1].max()) + "," +
                                      std::to_string(steps[1].max()) + "]]"));
    EXPECT_EQ(j["total"], json::parse(R"({"sent":900,"received":897,"errors":3,"opened":4,
                                          "failed":0})"));
}

TEST(DashboardEvents, TheEndCarriesTheReportsNumbersAndTheCapacityFound) {
    report::LoadgenReport r;
    r.messages_sent = 1500;
    r.messages_received = 1498;
    r.connections.established = 4;
    r.connections.failed = 1;
    r.received_per_s = 299.6;
    r.duration_s = 5;
    r.latency.record(200);
    json j = end_event(r, "/report.html");
    EXPECT_EQ(j["sent"], 1500);
    EXPECT_EQ(j["received"], 1498);
    EXPECT_EQ(j["connections"], 4);
    EXPECT_EQ(j["failed"], 1);
    EXPECT_EQ(j["errors"], r.total_errors());
    EXPECT_EQ(j["report"], "/report.html");
    EXPECT_EQ(j["p50_us"], r.latency.value_at_percentile(50));
    EXPECT_TRUE(j["capacity"].is_null());
    r.capacity.emplace();
    r.capacity->found = true;
    r.capacity->highest_passing = 2500;
    EXPECT_EQ(end_event(r, "/report.html")["capacity"], 2500.0);
}

TEST(DashboardEvents, AStepOfASearchHasItsValueThroughputLatencyAndVerdict) {
    CapacityStepRun step;
    step.value = 400;
    step.result.messages_received = 800;
    step.result.duration_s = 2;
    step.result.latency.record(1000);
    step.judgement.outcome = StepOutcome::fail;
    const json j = capacity_step_event(live_capacity_step(3, step));
    EXPECT_EQ(j["n"], 3);
    EXPECT_EQ(j["value"], 400.0);
    EXPECT_EQ(j["throughput"], 400.0);
    EXPECT_EQ(j["p99_us"], step.result.latency.value_at_percentile(99));
    EXPECT_EQ(j["verdict"], "fail");
}

TEST(DashboardEvents, HelloNamesTheTargetAndTheSearch) {
    Config c;
    c.url_text = "ws://127.0.0.1:9001/";
    c.connections = 8;
    c.capacity.mode = CapacityOptions::Mode::rate;
    const json j = hello_event(c);
    EXPECT_EQ(j["url"], c.url_text);
    EXPECT_EQ(j["scenario"], "echo");
    EXPECT_EQ(j["search"], "rate");
    EXPECT_EQ(j["connections"], 8);
    EXPECT_EQ(j["steps"], json::array());
}

TEST(DashboardPage, IsSelfContainedWithTheReportsStyleAndStableIds) {
    const std::string page = dashboard_page("wsbench-loadgen <ws://x/>");
    EXPECT_NE(page.find("<title>wsbench-loadgen &lt;ws://x/&gt;</title>"), std::string::npos);
    EXPECT_NE(page.find("svg .grid { stroke: #e6e6e6"), std::string::npos) << "the report's CSS";
    for (const char* id : {"chart-throughput", "chart-latency", "chart-connections", "chart-errors",
                           "chart-steps", "chart-knee", "final-sent", "final-received",
                           "report-link", "now-p99", "capacity-steps"}) {
        EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
    }
    for (const char* outside : {"http://", "https://", " src=", "@import", "url("}) {
        EXPECT_EQ(page.find(outside), std::string::npos) << outside;
    }
}

// A client of /events on loopback (with a small receive buffer: one that fills soon); -1 when
// it cannot connect.
int events_client(std::uint16_t port, bool small_buffer) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;
    if (small_buffer) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string req = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) <= 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads `fd` until `count` events named "second" arrived (true), EOF or a 10 s deadline.
bool read_seconds(int fd, std::size_t count, std::size_t& seen, bool& eof) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string tail;
    while (seen < count && !eof && std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[65536];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            eof = true;
            break;
        }
        tail.append(buf, static_cast<std::size_t>(n));
        std::size_t at = 0;
        while ((at = tail.find("event: second\n", at)) != std::string::npos) {
            ++seen;
            at += 14;
        }
        tail.erase(0, tail.size() > 14 ? tail.size() - 14 : 0);  // a name split across reads
    }
    return seen >= count;
}

TEST(DashboardServer, DropsAClientThatStopsReadingWhileTheOthersGetEveryEvent) {
    Config c;
    c.dashboard = "127.0.0.1:0";
    c.url_text = "ws://127.0.0.1:9/";
    std::ostringstream err;
    Dashboard dashboard(c, err);
    ASSERT_NE(err.str().find("dashboard on http://127.0.0.1:"), std::string::npos) << err.str();
    const int stalled = events_client(dashboard.port(), true);
    const int reader = events_client(dashboard.port(), false);
    ASSERT_GE(stalled, 0);
    ASSERT_GE(reader, 0);
    // Batches the reader takes as they come; the stalled client reads nothing. 1.2 MB in all:
    // more than the socket buffers hold (the sender's fixed at 64 KiB, which Linux doubles; the
    // client's 4 KiB) and the 64 KiB bound beyond them.
    LiveSecond s;
    s.steps.assign(64, {123456, 654321});  // about 1.2 KB an event
    LiveCounters totals;
    std::size_t seen = 0;
    bool eof = false;
    // A batch stays under the bound: the reader may have all of one waiting while a write of
    // the last is under way.
    constexpr std::size_t kBatches = 25;
    constexpr std::size_t kBatch = 40;
    for (std::size_t b = 1; b <= kBatches; ++b) {
        for (std::size_t i = 0; i < kBatch; ++i) dashboard.second(s, totals);
        ASSERT_TRUE(read_seconds(reader, b * kBatch, seen, eof)) << seen << " eof " << eof;
    }
    // The stalled client was cut off: what it got ends, short of everything.
    std::size_t stalled_seen = 0;
    bool stalled_eof = false;
    read_seconds(stalled, kBatches * kBatch, stalled_seen, stalled_eof);
    EXPECT_TRUE(stalled_eof);
    EXPECT_LT(stalled_seen, kBatches * kBatch);
    ::close(stalled);
    ::close(reader);
}

}  // namespace
}  // namespace wsb::loadgen
