// The live metrics of wsbench-loadgen (issue 18): histograms reduced to the fixed Prometheus
// buckets, the sum over workers, the exposition built from the counters (names, labels,
// cumulative buckets), the counters of a finished run equal to its report's, and the
// --metrics-* options with errors that name the flag.
#include "loadgen/metrics.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "loadgen/cli.hpp"
#include "loadgen/metrics_server.hpp"
#include "parse_cli.hpp"

namespace wsb::loadgen {
namespace {

// The value of the sample line `series value` of an exposition, or -1.
double sample(const std::string& text, const std::string& series) {
    const std::size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

TEST(LiveBuckets, AHistogramLandsUnderTheFirstBoundItDoesNotPass) {
    Histogram h;
    for (std::uint64_t us : {40, 50, 60, 3'000, 20'000'000, 30'000'000}) h.record(us);
    const LiveBuckets b = live_buckets(h);
    EXPECT_EQ(b.count, 6u);
    EXPECT_EQ(b.le[0], 2u);   // <= 50us
    EXPECT_EQ(b.le[1], 3u);   // <= 100us
    EXPECT_EQ(b.le[5], 3u);   // <= 2.5ms
    EXPECT_EQ(b.le[6], 4u);   // <= 5ms
    EXPECT_EQ(b.le[16], 4u);  // <= 10s
    EXPECT_EQ(b.le[17], 5u);  // <= 25s; 30 s is only in the count (+Inf)
    EXPECT_NEAR(b.sum_us, 40 + 50 + 60 + 3'000 + 20e6 + 30e6, 50e6 * 0.001);
    // Each value as its bucket's median equivalent, as HdrHistogram's mean takes it.
    EXPECT_NEAR(b.sum_us, h.mean() * 6, 1e-9 * b.sum_us);
    for (std::size_t i = 1; i < b.le.size(); ++i) EXPECT_GE(b.le[i], b.le[i - 1]);
}

TEST(LiveBuckets, AnEmptyHistogramIsAllZero) {
    const LiveBuckets b = live_buckets(Histogram{});
    EXPECT_EQ(b.count, 0u);
    EXPECT_EQ(b.le.back(), 0u);
    EXPECT_EQ(b.sum_us, 0);
}

TEST(LiveCounters, WorkersSumCounterByCounterAndStepByStep) {
    LiveCounters a;
    a.messages_sent = 10;
    a.bytes_received = 100;
    a.errors[static_cast<std::size_t>(ErrorKind::timeout)] = 2;
    a.close_codes[1000] = 1;
    a.steps.resize(2);
    a.steps[1].count = 5;
    a.latency.le[3] = 4;
    a.latency.count = 4;
    LiveCounters b = a;
    b.close_codes[1006] = 3;
    LiveCounters total;
    total.add(a);
    total.add(b);
    EXPECT_EQ(total.messages_sent, 20u);
    EXPECT_EQ(total.bytes_received, 200u);
    EXPECT_EQ(total.errors[static_cast<std::size_t>(ErrorKind::timeout)], 4u);
    EXPECT_EQ(total.close_codes[1000], 2u);
    EXPECT_EQ(total.close_codes[1006], 3u);
    ASSERT_EQ(total.steps.size(), 2u);
    EXPECT_EQ(total.steps[1].count, 10u);
    EXPECT_EQ(total.latency.le[3], 8u);
    EXPECT_EQ(total.latency.count, 8u);
}

TEST(LiveCounters, AFinishedRunGivesTheReportsNumbers) {
    RunResult r;
    r.messages_sent = 1234;
    r.messages_received = 1200;
    r.bytes_sent = 99;
    r.connections_established = 7;
    r.connections_failed = 1;
    r.close_codes[1001] = 2;
    r.latency.record(700);
    r.steps["rpc"].count = 3;
    r.steps["rpc"].latency.record(2'000);
    r.sessions.emplace();
    r.sessions->started = 4;
    r.sessions->cut = 1;
    const LiveCounters c = live_counters(r, {"rpc", "missing"});
    EXPECT_EQ(c.messages_sent, 1234u);
    EXPECT_EQ(c.messages_received, 1200u);
    EXPECT_EQ(c.bytes_sent, 99u);
    EXPECT_EQ(c.connections_opened, 7u);
    EXPECT_EQ(c.connections_failed, 1u);
    EXPECT_EQ(c.close_codes.at(1001), 2u);
    EXPECT_EQ(c.latency.count, 1u);
    EXPECT_EQ(c.sessions_started, 4u);
    EXPECT_EQ(c.sessions_cut, 1u);
    ASSERT_EQ(c.steps.size(), 2u);
    EXPECT_EQ(c.steps[0].count, 3u);
    EXPECT_EQ(c.steps[0].latency.count, 1u);
    EXPECT_EQ(c.steps[1].count, 0u);
}

LiveLabels echo_labels() {
    LiveLabels l;
    l.scenario = "echo";
    l.shard = "0";
    l.open_loop = true;
    l.connections_target = 10;
    return l;
}

TEST(LiveMetricsText, CountersGaugesAndHistogramsWithBoundedLabels) {
    LiveCounters c;
    c.messages_sent = 500;
    c.messages_received = 498;
    c.bytes_sent = 32000;
    c.connections_open = 9;
    c.connections_opened = 10;
    c.errors[static_cast<std::size_t>(ErrorKind::timeout)] = 2;
    c.close_codes[1001] = 1;
    Histogram h;
    h.record(80);
    h.record(300);
    h.record(300);
    c.latency = live_buckets(h);
    const std::string text = live_metrics_text(c, echo_labels(), 1.25, true);
    const std::string l = R"(scenario="echo",shard="0")";
    EXPECT_EQ(sample(text, "wsbench_loadgen_messages_total{" + l + R"(,direction="sent"})"), 500);
    EXPECT_EQ(sample(text, "wsbench_loadgen_messages_total{" + l + R"(,direction="received"})"),
              498);
    EXPECT_EQ(sample(text, "wsbench_loadgen_bytes_total{" + l + R"(,direction="sent"})"), 32000);
    EXPECT_EQ(sample(text, "wsbench_loadgen_connections_open{" + l + "}"), 9);
    EXPECT_EQ(sample(text, "wsbench_loadgen_connections_target{" + l + "}"), 10);
    EXPECT_EQ(sample(text, "wsbench_loadgen_errors_total{" + l + R"(,kind="timeout"})"), 2);
    EXPECT_EQ(sample(text, "wsbench_loadgen_errors_total{" + l + R"(,kind="connect"})"), 0);
    EXPECT_EQ(sample(text, "wsbench_loadgen_closes_total{" + l + R"(,code="1001"})"), 1);
    EXPECT_EQ(sample(text, "wsbench_loadgen_cpu_seconds_total{" + l + "}"), 1.25);
    EXPECT_EQ(sample(text, "wsbench_loadgen_running{" + l + "}"), 1);
    EXPECT_NE(text.find("# TYPE wsbench_loadgen_latency_seconds histogram\n"), std::string::npos);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_bucket{" + l + R"(,le="5e-05"})"), 0);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_bucket{" + l + R"(,le="0.0001"})"), 1);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_bucket{" + l + R"(,le="0.00025"})"), 1);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_bucket{" + l + R"(,le="0.0005"})"), 3);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_bucket{" + l + R"(,le="+Inf"})"), 3);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_count{" + l + "}"), 3);
    EXPECT_NEAR(sample(text, "wsbench_loadgen_latency_seconds_sum{" + l + "}"), 680e-6, 1e-6);
    EXPECT_NE(text.find("wsbench_loadgen_schedule_lag_seconds_count"), std::string::npos);
    // Scenario-file families only for scenario files; never a URL or a connection id.
    EXPECT_EQ(text.find("sessions"), std::string::npos);
    EXPECT_EQ(text.find("step"), std::string::npos);
    EXPECT_EQ(text.find("ws://"), std::string::npos);
    EXPECT_EQ(
        sample(live_metrics_text(c, echo_labels(), 0, false), "wsbench_loadgen_running{" + l + "}"),
        0);
}

TEST(LiveMetricsText, AScenarioFileHasSessionsAndAHistogramPerStep) {
    LiveLabels labels = echo_labels();
    labels.scenario = "chat";
    labels.open_loop = false;
    labels.step_names = {"join", "say"};
    LiveCounters c;
    c.sessions_started = 3;
    c.sessions_completed = 2;
    c.steps.resize(2);
    c.steps[1].count = 6;
    c.steps[1].timeouts = 1;
    c.steps[1].latency.le.fill(6);
    c.steps[1].latency.count = 6;
    const std::string text = live_metrics_text(c, labels, 0, true);
    const std::string l = R"(scenario="chat",shard="0")";
    EXPECT_EQ(sample(text, "wsbench_loadgen_sessions_started_total{" + l + "}"), 3);
    EXPECT_EQ(sample(text, "wsbench_loadgen_sessions_completed_total{" + l + "}"), 2);
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_replies_total{" + l + R"(,step="say"})"), 6);
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_timeouts_total{" + l + R"(,step="say"})"), 1);
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_latency_seconds_count{" + l + R"(,step="say"})"),
              6);
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_latency_seconds_bucket{" + l +
                               R"(,step="join",le="+Inf"})"),
              0);
    EXPECT_EQ(text.find("schedule_lag"), std::string::npos);
}

TEST(LiveMetricsText, EveryFamilyWrittenIsListedAndHasHelpAndType) {
    LiveLabels labels = echo_labels();
    labels.step_names = {"a"};
    LiveCounters c;
    c.steps.resize(1);
    c.close_codes[1000] = 1;
    const std::string text = live_metrics_text(c, labels, 0, true);
    const std::vector<std::string> names = live_metric_names();
    const std::set<std::string> listed(names.begin(), names.end());
    std::istringstream in(text);
    std::string line;
    std::set<std::string> typed;
    std::set<std::string> sampled;
    while (std::getline(in, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            const std::string name = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_TRUE(typed.insert(name).second) << "two TYPE lines for " << name;
            EXPECT_TRUE(listed.count(name)) << name;
            continue;
        }
        if (line.rfind("#", 0) == 0) continue;
        const std::string series = line.substr(0, line.find_first_of("{ "));
        sampled.insert(series);
    }
    for (const std::string& s : sampled) {
        bool ok = typed.count(s) > 0;
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string sfx = suffix;
            if (s.size() > sfx.size() && s.compare(s.size() - sfx.size(), sfx.size(), sfx) == 0) {
                ok = ok || typed.count(s.substr(0, s.size() - sfx.size())) > 0;
            }
        }
        EXPECT_TRUE(ok) << s << " has no TYPE line";
    }
    EXPECT_EQ(typed, listed) << "with steps, close codes and open loop every family appears";
}

// scripts/grafana/wsbench.json is JSON and every wsbench_loadgen_* name its queries use is a
// family of the exposition (the integration test checks the server's against a live one).
TEST(GrafanaDashboard, QueriesOnlyLoadgenMetricsThatExist) {
    std::ifstream in(std::string(WSBENCH_SOURCE_DIR) + "/scripts/grafana/wsbench.json");
    const nlohmann::json board = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(board.is_discarded()) << "scripts/grafana/wsbench.json is not JSON";
    const std::string text = board.dump();
    const std::vector<std::string> names = live_metric_names();
    const std::set<std::string> known(names.begin(), names.end());
    const std::regex name(R"(wsbench_loadgen_[a-z_]+)");
    std::set<std::string> used;
    for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) {
        std::string q = it->str();
        for (const std::string sfx : {"_bucket", "_sum", "_count"}) {
            if (known.count(q) == 0 && q.size() > sfx.size() &&
                q.compare(q.size() - sfx.size(), sfx.size(), sfx) == 0) {
                q.resize(q.size() - sfx.size());
            }
        }
        EXPECT_TRUE(known.count(q)) << "the dashboard queries " << it->str();
        used.insert(q);
    }
    EXPECT_EQ(used, known) << "every loadgen family has a panel";
}

TEST(MetricsTargets, HostPortAndPushgatewayUrls) {
    std::string host;
    std::uint16_t port = 1;
    std::string why;
    ASSERT_TRUE(parse_host_port("127.0.0.1:0", host, port, why));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 0);
    ASSERT_TRUE(parse_host_port("[::1]:9464", host, port, why));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 9464);
    EXPECT_FALSE(parse_host_port("9464", host, port, why));
    EXPECT_FALSE(parse_host_port("localhost:99999", host, port, why));
    EXPECT_FALSE(parse_host_port("localhost:x1", host, port, why));

    HttpTarget t;
    ASSERT_TRUE(parse_http_target("http://gw:9091/", t, why)) << why;
    EXPECT_EQ(t.host, "gw");
    EXPECT_EQ(t.port, 9091);
    EXPECT_EQ(push_path(t, 3), "/metrics/job/wsbench-loadgen/shard/3");
    ASSERT_TRUE(parse_http_target("http://gw/prefix", t, why));
    EXPECT_EQ(t.port, 80);
    EXPECT_EQ(push_path(t, 0), "/prefix/metrics/job/wsbench-loadgen/shard/0");
    EXPECT_FALSE(parse_http_target("https://gw:9091", t, why));
    EXPECT_FALSE(parse_http_target("http://", t, why));
    EXPECT_FALSE(parse_http_target("http://gw:0", t, why));
}

using Parsed = test::ParsedCli<CliResult>;

Parsed parse(std::vector<std::string> args) {
    args.insert(args.begin(), "ws://127.0.0.1:9001/");
    return test::parse_cli_as(parse_cli, "wsbench-loadgen", args);
}

TEST(LoadgenCliMetrics, OptionsAndDefaults) {
    const Parsed none = parse({});
    ASSERT_TRUE(none.result.run) << none.err;
    EXPECT_FALSE(none.result.config.metrics());
    const Parsed p =
        parse({"--metrics-listen", "127.0.0.1:0", "--metrics-linger", "2s", "--metrics-push",
               "http://127.0.0.1:9091", "--metrics-push-interval", "1s"});
    ASSERT_TRUE(p.result.run) << p.err;
    const Config& c = p.result.config;
    EXPECT_TRUE(c.metrics());
    EXPECT_EQ(c.metrics_listen, "127.0.0.1:0");
    EXPECT_EQ(c.metrics_linger, std::chrono::seconds(2));
    EXPECT_EQ(c.metrics_push, "http://127.0.0.1:9091");
    EXPECT_EQ(c.metrics_push_interval, std::chrono::seconds(1));
}

TEST(LoadgenCliMetrics, BadValuesAreUsageErrorsNamingTheFlag) {
    const std::pair<std::vector<std::string>, const char*> cases[] = {
        {{"--metrics-listen", "9464"}, "--metrics-listen"},
        {{"--metrics-push", "https://gw:9091"}, "--metrics-push"},
        {{"--metrics-linger", "5s"}, "--metrics-linger needs --metrics-listen"},
        {{"--metrics-push", "http://gw:9091", "--metrics-push-interval", "10ms"},
         "--metrics-push-interval"},
    };
    for (const auto& [args, flag] : cases) {
        const Parsed p = parse(args);
        EXPECT_FALSE(p.result.run) << flag;
        EXPECT_EQ(p.result.exit_code, ExitCode::usage) << flag;
        EXPECT_NE(p.err.find(flag), std::string::npos) << p.err;
    }
}

TEST(LoadgenCliMetrics, HelpListsTheMetricsOptions) {
    const Parsed p = parse({"--help"});
    EXPECT_NE(p.out.find("--metrics-listen HOST:PORT"), std::string::npos) << p.out;
    EXPECT_NE(p.out.find("--metrics-push URL"), std::string::npos);
    EXPECT_NE(p.out.find("--metrics-linger"), std::string::npos);
}

}  // namespace
}  // namespace wsb::loadgen
