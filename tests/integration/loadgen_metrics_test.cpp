// wsbench-loadgen's live metrics (issue 18) against wsbench-echo-server: GET /metrics while
// and after a run (404, 405, promtool accepts it, the final counts equal the JSON report's,
// a scenario file's sessions and steps too),
// a real Prometheus server that scrapes the loadgen over loopback and answers queries with the
// report's counts, a real Pushgateway that receives the pushed metrics of a shard, and the
// Grafana dashboard, whose every metric name must exist.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "eventually.hpp"
#include "http_get.hpp"
#include "process.hpp"
#include "scratch_dir.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

// HTTP/1.0, so that Go's servers (Prometheus, the Pushgateway) never answer chunked.
std::optional<Reply> http(unsigned short port, const std::string& path,
                          const std::string& method = "GET") {
    return http_exchange(port, method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
}

// The value of the first sample of `name` whose labels include every one of `labels`
// (`k="v"` each), or nullopt.
std::optional<double> sample(const std::string& text, const std::string& name,
                             const std::vector<std::string>& labels) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
        const std::size_t close = line.rfind('}');
        const std::string set = close == std::string::npos ? "" : line.substr(0, close);
        bool all = true;
        for (const auto& l : labels) all = all && set.find(l) != std::string::npos;
        if (all) return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return std::nullopt;
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in, nullptr, false);
}

class LoadgenMetrics : public ::testing::Test {
  protected:
    void SetUp() override {
        server_ = std::make_unique<ToolProcess>(
            std::vector<std::string>{"wsbench-echo-server", "--port", "0", "--threads", "1"});
        ASSERT_TRUE(server_->wait_listening());
    }

    // Starts the loadgen with --metrics-listen 127.0.0.1:0 (and `more`) and waits for its
    // `metrics on http://...` line; the port it announced.
    unsigned short start_loadgen(const std::vector<std::string>& more) {
        std::vector<std::string> argv{"wsbench-loadgen",
                                      server_->url(),
                                      "-c",
                                      "4",
                                      "-t",
                                      "2",
                                      "-d",
                                      "1s",
                                      "-R",
                                      "400",
                                      "--json",
                                      report_,
                                      "--metrics-listen",
                                      "127.0.0.1:0"};
        argv.insert(argv.end(), more.begin(), more.end());
        loadgen_ = std::make_unique<ToolProcess>(argv);
        const std::string line = "metrics on http://127.0.0.1:";
        if (!loadgen_->process->wait_for_stderr(line, 10s)) {
            ADD_FAILURE() << loadgen_->process->stderr_text();
            return 0;
        }
        const std::string err = loadgen_->process->stderr_text();
        return static_cast<unsigned short>(std::stoi(err.substr(err.find(line) + line.size())));
    }

    // The report once written, and the scrape that shows the run over.
    nlohmann::json wait_for_report(unsigned short port, std::string& final_scrape) {
        nlohmann::json report;
        EXPECT_TRUE(eventually(
            [&] {
                report = read_json(report_);
                const auto r = http(port, "/metrics");
                if (report.is_discarded() || !r) return false;
                final_scrape = r->body;
                return sample(r->body, "wsbench_loadgen_running", {}) == 0.0;
            },
            30s))
            << loadgen_->process->stderr_text();
        return report;
    }

    std::unique_ptr<ToolProcess> server_;
    std::unique_ptr<ToolProcess> loadgen_;
    ScratchDir dir_{"loadgen_metrics"};
    std::string report_ = (dir_ / "report.json").string();
};

TEST_F(LoadgenMetrics, ServesMetricsOnlyAtGetMetricsAndPromtoolAcceptsThem) {
    const unsigned short port = start_loadgen({"--metrics-linger", "60s"});
    ASSERT_NE(port, 0);
    const auto live = http(port, "/metrics");
    ASSERT_TRUE(live);
    EXPECT_EQ(live->head.status, 200);
    const std::string* type = live->head.headers.find("content-type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(*type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(live->body.find("# TYPE wsbench_loadgen_latency_seconds histogram"),
              std::string::npos)
        << live->body;
    const auto missing = http(port, "/stats");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->head.status, 404);
    const auto post = http(port, "/metrics", "POST");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->head.status, 405);

    std::string text;
    const nlohmann::json report = wait_for_report(port, text);
    ASSERT_FALSE(report.is_discarded());
    const std::vector<std::string> labels{R"(scenario="echo")", R"(shard="0")"};
    const auto sent = report["summary"]["messages"]["sent"].get<double>();
    EXPECT_GT(sent, 0);
    EXPECT_EQ(sample(text, "wsbench_loadgen_messages_total", {R"(direction="sent")"}), sent)
        << text;
    EXPECT_EQ(sample(text, "wsbench_loadgen_messages_total", {R"(direction="received")"}),
              report["summary"]["messages"]["received"].get<double>());
    EXPECT_EQ(sample(text, "wsbench_loadgen_connections_opened_total", labels), 4.0);
    EXPECT_EQ(sample(text, "wsbench_loadgen_latency_seconds_count", labels),
              report["summary"]["messages"]["received"].get<double>());
    EXPECT_GT(*sample(text, "wsbench_loadgen_cpu_seconds_total", labels), 0.0);

    const std::string file = (dir_ / "metrics.txt").string();
    std::ofstream(file) << text;
    ASSERT_EQ(std::system("command -v promtool >/dev/null"), 0)
        << "promtool is missing: scripts/setup.sh installs Debian's prometheus";
    const std::string log = (dir_ / "promtool.log").string();
    const int rc =
        std::system(("promtool check metrics < '" + file + "' > '" + log + "' 2>&1").c_str());
    std::ifstream in(log);
    const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "") << "promtool's lint findings";

    // SIGINT ends the linger at once.
    loadgen_->process->signal(SIGINT);
    EXPECT_EQ(loadgen_->process->wait(10s), 0);
}

TEST_F(LoadgenMetrics, ARealPrometheusScrapesTheReportsCounts) {
    if (std::system("command -v prometheus >/dev/null") != 0) {
        GTEST_SKIP() << "prometheus is missing: scripts/setup.sh installs Debian's prometheus";
    }
    const unsigned short port = start_loadgen({"--metrics-linger", "60s"});
    ASSERT_NE(port, 0);
    const std::string config = (dir_ / "prometheus.yml").string();
    std::ofstream(config) << "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
                             "scrape_configs:\n"
                             "  - job_name: loadgen\n"
                             "    static_configs: [ { targets: ['127.0.0.1:"
                          << port << "'] } ]\n";
    const unsigned short prom_port = free_port();
    Process prometheus({"/usr/bin/prometheus", "--config.file=" + config,
                        "--storage.tsdb.path=" + (dir_ / "tsdb").string(),
                        "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
    ASSERT_TRUE(prometheus.wait_for_stderr("Server is ready to receive web requests", 30s))
        << prometheus.stderr_text();
    std::string final_scrape;
    const nlohmann::json report = wait_for_report(port, final_scrape);
    ASSERT_FALSE(report.is_discarded());
    for (const char* direction : {"sent", "received"}) {
        const std::string expected =
            std::to_string(report["summary"]["messages"][direction].get<std::uint64_t>());
        const std::string query = std::string("/api/v1/query?query=") +
                                  "wsbench_loadgen_messages_total%7Bdirection%3D%22" + direction +
                                  "%22%2Cjob%3D%22loadgen%22%7D";
        std::string last;
        EXPECT_TRUE(eventually(
            [&] {
                const auto r = http(prom_port, query);
                if (!r) return false;
                last = r->body;
                const auto j = nlohmann::json::parse(r->body, nullptr, false);
                if (j.is_discarded() || j["data"]["result"].empty()) return false;
                return j["data"]["result"][0]["value"][1] == expected;
            },
            30s))
            << direction << ": the report says " << expected << ", Prometheus " << last;
    }
    prometheus.signal(SIGTERM);
    prometheus.wait(20s);
    loadgen_->process->signal(SIGINT);
    EXPECT_EQ(loadgen_->process->wait(10s), 0);
}

TEST_F(LoadgenMetrics, APushgatewayReceivesTheShardsMetrics) {
    const std::string gateway_bin = "/usr/bin/prometheus-pushgateway";
    if (::access(gateway_bin.c_str(), X_OK) != 0) {
        GTEST_SKIP() << "prometheus-pushgateway is missing: scripts/setup.sh installs it";
    }
    const unsigned short port = free_port();
    Process gateway({gateway_bin, "--web.listen-address=127.0.0.1:" + std::to_string(port)});
    ASSERT_TRUE(eventually([&] { return http(port, "/-/ready").has_value(); }, 20s))
        << gateway.stderr_text();
    const ToolRun run =
        run_tool({"wsbench-loadgen", server_->url(), "-c", "4", "-d", "1s", "-R", "400", "--shard",
                  "1/2", "--json", report_, "--metrics-push",
                  "http://127.0.0.1:" + std::to_string(port), "--metrics-push-interval", "200ms"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err.find("--metrics-push"), std::string::npos) << run.err;
    const nlohmann::json report = read_json(report_);
    ASSERT_FALSE(report.is_discarded());
    const auto r = http(port, "/metrics");
    ASSERT_TRUE(r);
    const std::vector<std::string> group{R"(job="wsbench-loadgen")", R"(shard="1")"};
    auto labels = group;
    labels.push_back(R"(direction="received")");
    EXPECT_EQ(sample(r->body, "wsbench_loadgen_messages_total", labels),
              report["summary"]["messages"]["received"].get<double>())
        << r->body;
    EXPECT_EQ(sample(r->body, "wsbench_loadgen_running", group), 0.0);
    gateway.signal(SIGTERM);
    gateway.wait(10s);
}

TEST_F(LoadgenMetrics, AScenarioFileHasSessionsAndStepsEqualToItsReport) {
    const std::string file = (dir_ / "ping.yaml").string();
    std::ofstream(file) << "phases:\n"
                           "  - { duration: 1s, users: 3 }\n"
                           "session:\n"
                           "  - loop:\n"
                           "      count: 20\n"
                           "      rate: 50/s\n"
                           "      steps:\n"
                           "        - send: { name: ping, json: { op: ping, id: \"{{seq}}\" } }\n"
                           "        - expect: { name: ping, json: { op: ping, id: \"{{seq}}\" } }\n"
                           "  - close: 1000\n";
    std::vector<std::string> argv{
        "wsbench-loadgen",  server_->url(), "--scenario",       file, "--json", report_,
        "--metrics-listen", "127.0.0.1:0",  "--metrics-linger", "60s"};
    loadgen_ = std::make_unique<ToolProcess>(argv);
    const std::string line = "metrics on http://127.0.0.1:";
    ASSERT_TRUE(loadgen_->process->wait_for_stderr(line, 10s)) << loadgen_->process->stderr_text();
    const std::string err = loadgen_->process->stderr_text();
    const auto port =
        static_cast<unsigned short>(std::stoi(err.substr(err.find(line) + line.size())));
    std::string text;
    const nlohmann::json report = wait_for_report(port, text);
    ASSERT_FALSE(report.is_discarded());
    const std::vector<std::string> step{R"(scenario="ping")", R"(step="ping")"};
    const auto count = report["steps"]["ping"]["count"].get<double>();
    EXPECT_GT(count, 0);
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_replies_total", step), count) << text;
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_latency_seconds_count", step), count);
    EXPECT_EQ(sample(text, "wsbench_loadgen_step_timeouts_total", step),
              report["steps"]["ping"]["timeouts"].get<double>());
    EXPECT_EQ(sample(text, "wsbench_loadgen_sessions_started_total", {R"(scenario="ping")"}),
              report["sessions"]["started"].get<double>());
    EXPECT_EQ(sample(text, "wsbench_loadgen_sessions_completed_total", {R"(scenario="ping")"}),
              report["sessions"]["completed"].get<double>());
    EXPECT_EQ(sample(text, "wsbench_loadgen_messages_total", {R"(direction="received")"}),
              report["summary"]["messages"]["received"].get<double>());
    loadgen_->process->signal(SIGINT);
    EXPECT_EQ(loadgen_->process->wait(10s), 0);
}

TEST_F(LoadgenMetrics, AFailedPushIsAWarningNotAFailure) {
    const ToolRun run =
        run_tool({"wsbench-loadgen", server_->url(), "-c", "2", "-d", "500ms", "--metrics-push",
                  "http://127.0.0.1:" + std::to_string(free_port())});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("--metrics-push to http://127.0.0.1:"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("failed: connect:"), std::string::npos) << run.err;
}

TEST_F(LoadgenMetrics, AListenAddressInUseCannotRun) {
    const ToolRun run =
        run_tool({"wsbench-loadgen", server_->url(), "-c", "1", "-d", "200ms", "--metrics-listen",
                  "127.0.0.1:" + std::to_string(server_->address->port)});
    EXPECT_EQ(run.exit_code, 3) << run.err;
    EXPECT_NE(run.err.find("--metrics-listen: cannot listen on"), std::string::npos) << run.err;
}

// Every metric the Grafana dashboard queries exists: the loadgen's in the exposition of a
// scenario-file-less run plus the scenario families (wsbench_loadgen_step_*, _sessions_*),
// the server's in the echo server's /metrics.
TEST_F(LoadgenMetrics, TheGrafanaDashboardQueriesOnlyMetricsThatExist) {
    const nlohmann::json board =
        read_json(std::string(WSBENCH_SOURCE_DIR) + "/scripts/grafana/wsbench.json");
    ASSERT_FALSE(board.is_discarded()) << "scripts/grafana/wsbench.json is not JSON";
    ASSERT_TRUE(board.contains("panels"));
    std::set<std::string> queried;
    const std::regex name(R"(wsbench_[a-z_]+)");
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
        if (j.is_object()) {
            for (const auto& [k, v] : j.items()) {
                if (k == "expr" && v.is_string()) {
                    const std::string e = v.get<std::string>();
                    for (std::sregex_iterator it(e.begin(), e.end(), name), end; it != end; ++it) {
                        queried.insert(it->str());
                    }
                }
                walk(v);
            }
        } else if (j.is_array()) {
            for (const auto& v : j) walk(v);
        }
    };
    walk(board);
    ASSERT_FALSE(queried.empty());
    const auto server = http(server_->address->port, "/metrics");
    ASSERT_TRUE(server);
    const unsigned short port = start_loadgen({"--metrics-linger", "60s"});
    ASSERT_NE(port, 0);
    const auto loadgen = http(port, "/metrics");
    ASSERT_TRUE(loadgen);
    const std::string known = server->body + loadgen->body;
    for (std::string q : queried) {
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string s = suffix;
            if (q.size() > s.size() && q.compare(q.size() - s.size(), s.size(), s) == 0) {
                q.resize(q.size() - s.size());
            }
        }
        const bool scenario_only =
            q.find("wsbench_loadgen_step_") == 0 || q.find("wsbench_loadgen_sessions_") == 0;
        if (scenario_only) continue;  // checked by the unit test against live_metric_names()
        EXPECT_NE(known.find("# TYPE " + q + " "), std::string::npos)
            << "the dashboard queries " << q << ", which neither exposition has";
    }
    loadgen_->process->signal(SIGINT);
    loadgen_->process->wait(10s);
}

}  // namespace
}  // namespace wsb::test
