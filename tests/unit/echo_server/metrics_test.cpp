// /metrics from a /stats document: every family, names that Prometheus accepts, and the
// values read from the document (a missing part reads as 0, never a crash).
#include "echo_server/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "wsbench/prometheus.hpp"

namespace wsb::echo {
namespace {

TEST(EchoMetrics, EveryFamilyFromAStatsDocument) {
    const auto doc = nlohmann::json::parse(R"({
      "uptime_s": 12.5, "engine": "fast", "mode": "broadcast",
      "connections": {"open": 3, "accepted": 10, "rejected": 1, "handshake_failed": 2, "closed_by_policy": 1},
      "in": {"text": {"messages": 7, "bytes": 70}, "binary": {"messages": 1, "bytes": 9}},
      "out": {"text": {"messages": 21, "bytes": 210}, "binary": {"messages": 3, "bytes": 27}},
      "send_queue_full": {"closed": 1, "undelivered": {"messages": 5, "bytes": 50}},
      "close_codes": {"1000": 6, "1008": 1}})");
    const std::string text = metrics_text(doc);
    for (const char* line :
         {"wsbench_server_info{engine=\"fast\",mode=\"broadcast\"} 1\n",
          "wsbench_server_uptime_seconds 12.5\n", "wsbench_server_connections_open 3\n",
          "wsbench_server_connections_accepted_total 10\n",
          "wsbench_server_connections_rejected_total 1\n",
          "wsbench_server_connections_handshake_failed_total 2\n",
          "wsbench_server_messages_total{direction=\"in\",type=\"text\"} 7\n",
          "wsbench_server_messages_total{direction=\"out\",type=\"binary\"} 3\n",
          "wsbench_server_bytes_total{direction=\"out\",type=\"text\"} 210\n",
          "wsbench_server_send_queue_closes_total 1\n",
          "wsbench_server_undelivered_messages_total 5\n",
          "wsbench_server_closes_total{code=\"1008\"} 1\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
    }
    // Every sample's name is a valid metric name and has its family's TYPE line.
    std::istringstream in(text);
    std::string l;
    std::string family;
    while (std::getline(in, l)) {
        if (l.rfind("# TYPE ", 0) == 0) {
            family = l.substr(7, l.find(' ', 7) - 7);
            EXPECT_TRUE(valid_metric_name(family)) << family;
            continue;
        }
        if (l.rfind("#", 0) == 0) continue;
        const std::string name = l.substr(0, l.find_first_of("{ "));
        EXPECT_EQ(name, family) << l;
    }
}

TEST(EchoMetrics, AnEmptyDocumentReadsAsZeros) {
    const std::string text = metrics_text(nlohmann::json::object());
    EXPECT_NE(text.find("wsbench_server_connections_open 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wsbench_server_messages_total{direction=\"in\",type=\"text\"} 0\n"),
              std::string::npos);
}

}  // namespace
}  // namespace wsb::echo
