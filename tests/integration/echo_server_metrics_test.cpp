// wsbench-echo-server's GET /metrics (issue 18) on both engines: the Prometheus exposition
// agrees with /stats after real traffic, promtool (Debian's prometheus package) accepts it,
// and a real Prometheus server started here scrapes the server over loopback and answers
// queries with the same counts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
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

std::optional<Reply> http_get(unsigned short port, const std::string& path) {
    return http_exchange(
        port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// The value of the first sample line `name{labels} value` of the exposition.
std::optional<double> sample(const std::string& text, const std::string& series) {
    const std::size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return std::nullopt;
    return std::stod(text.substr(at + series.size() + 2));
}

class EchoServerMetrics : public ::testing::TestWithParam<const char*> {
  protected:
    void SetUp() override {
        server_ = std::make_unique<ToolProcess>(std::vector<std::string>{
            "wsbench-echo-server", "--port", "0", "--threads", "2", "--engine", GetParam()});
        ASSERT_TRUE(server_->wait_listening());
        // Real traffic: 5 text and 3 binary echoes, then a normal close.
        WsClient c;
        ASSERT_TRUE(c.connect(server_->url()));
        for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.send_text("hello " + std::to_string(i)));
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.send_binary(std::string(10, char(i))));
        for (int i = 0; i < 8; ++i) ASSERT_TRUE(c.receive());
        ASSERT_TRUE(c.send_close(1000));
        ASSERT_TRUE(c.receive_close());
        ASSERT_TRUE(eventually([&] {
            const auto r = http_get(server_->address->port, "/stats");
            return r && nlohmann::json::parse(r->body)["close_codes"].contains("1000");
        }));
    }
    std::unique_ptr<ToolProcess> server_;
    ScratchDir dir_{"metrics"};
};

TEST_P(EchoServerMetrics, TheExpositionAgreesWithStatsAndPromtoolAcceptsIt) {
    const auto r = http_get(server_->address->port, "/metrics");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->head.status, 200);
    const std::string* type = r->head.headers.find("content-type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(*type, "text/plain; version=0.0.4; charset=utf-8");
    const std::string& text = r->body;
    EXPECT_EQ(sample(text, R"(wsbench_server_messages_total{direction="in",type="text"})"), 5.0)
        << text;
    EXPECT_EQ(sample(text, R"(wsbench_server_messages_total{direction="out",type="binary"})"), 3.0);
    EXPECT_EQ(sample(text, R"(wsbench_server_bytes_total{direction="in",type="binary"})"), 30.0);
    EXPECT_EQ(sample(text, R"(wsbench_server_closes_total{code="1000"})"), 1.0);
    EXPECT_EQ(sample(text, "wsbench_server_connections_open"), 0.0);
    EXPECT_NE(text.find(std::string("wsbench_server_info{engine=\"") + GetParam() + "\""),
              std::string::npos)
        << text;
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
}

TEST_P(EchoServerMetrics, ARealPrometheusScrapesTheSameCounts) {
    ASSERT_EQ(std::system("command -v prometheus >/dev/null"), 0)
        << "prometheus is missing: scripts/setup.sh installs Debian's prometheus";
    const std::string config = (dir_ / "prometheus.yml").string();
    std::ofstream(config) << "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
                             "scrape_configs:\n"
                             "  - job_name: echo\n"
                             "    static_configs: [ { targets: ['127.0.0.1:"
                          << server_->address->port << "'] } ]\n";
    const unsigned short port = free_port();
    Process prometheus({"/usr/bin/prometheus", "--config.file=" + config,
                        "--storage.tsdb.path=" + (dir_ / "tsdb").string(),
                        "--web.listen-address=127.0.0.1:" + std::to_string(port)});
    ASSERT_TRUE(prometheus.wait_for_stderr("Server is ready to receive web requests", 30s))
        << prometheus.stderr_text();
    const std::string query =
        "/api/v1/query?query=sum(wsbench_server_messages_total%7Bdirection%3D%22in%22%7D)";
    std::string last;
    EXPECT_TRUE(eventually(
        [&] {
            const auto r = http_get(port, query);
            if (!r) return false;
            last = r->body;
            const auto j = nlohmann::json::parse(r->body, nullptr, false);
            if (j.is_discarded() || j["data"]["result"].empty()) return false;
            return j["data"]["result"][0]["value"][1] == "8";
        },
        20s))
        << last;
    prometheus.signal(SIGTERM);
    prometheus.wait(20s);
}

INSTANTIATE_TEST_SUITE_P(Engines, EchoServerMetrics, ::testing::Values("websocketpp", "fast"));

}  // namespace
}  // namespace wsb::test
