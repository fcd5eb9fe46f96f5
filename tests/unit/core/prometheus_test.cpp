// The Prometheus text exposition writer: families, samples, label escaping, special values,
// and the name rules.
#include "wsbench/prometheus.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace wsb {
namespace {

TEST(PromWriter, FamiliesAndSamplesInTheTextFormat) {
    PromWriter w;
    w.family("wsbench_x_total", PromWriter::Type::counter, "Things.\nA second line \\ here.");
    w.sample("wsbench_x_total", {{"direction", "in"}, {"type", "text"}}, std::uint64_t{42});
    w.sample("wsbench_x_total", {}, std::uint64_t{0});
    w.family("wsbench_up_seconds", PromWriter::Type::gauge, "Up.");
    w.sample("wsbench_up_seconds", {}, 1.5);
    EXPECT_EQ(w.text(),
              "# HELP wsbench_x_total Things.\\nA second line \\\\ here.\n"
              "# TYPE wsbench_x_total counter\n"
              "wsbench_x_total{direction=\"in\",type=\"text\"} 42\n"
              "wsbench_x_total 0\n"
              "# HELP wsbench_up_seconds Up.\n"
              "# TYPE wsbench_up_seconds gauge\n"
              "wsbench_up_seconds 1.5\n");
}

TEST(PromWriter, LabelValuesAreEscapedAndSpecialValuesSpelled) {
    PromWriter w;
    w.sample("m", {{"l", "a\"b\\c\nd"}}, 0.1);
    w.sample("m", {}, std::numeric_limits<double>::infinity());
    w.sample("m", {}, -std::numeric_limits<double>::infinity());
    w.sample("m", {}, std::nan(""));
    EXPECT_EQ(w.text(),
              "m{l=\"a\\\"b\\\\c\\nd\"} 0.10000000000000001\n"
              "m +Inf\n"
              "m -Inf\n"
              "m NaN\n");
}

TEST(PromWriter, AHistogramHasCumulativeBucketsInfSumAndCount) {
    PromWriter w;
    w.family("wsbench_rtt_seconds", PromWriter::Type::histogram, "Round trips.");
    PromHistogram h;
    h.bounds = {5e-05, 0.00025, 1, 10};
    h.cumulative = {1, 3, 3, 4};
    h.count = 5;
    h.sum = 42.5;
    w.histogram("wsbench_rtt_seconds", {{"step", "rpc"}}, h);
    w.histogram("wsbench_rtt_seconds", {}, PromHistogram{});
    EXPECT_EQ(w.text(),
              "# HELP wsbench_rtt_seconds Round trips.\n"
              "# TYPE wsbench_rtt_seconds histogram\n"
              "wsbench_rtt_seconds_bucket{step=\"rpc\",le=\"5e-05\"} 1\n"
              "wsbench_rtt_seconds_bucket{step=\"rpc\",le=\"0.00025\"} 3\n"
              "wsbench_rtt_seconds_bucket{step=\"rpc\",le=\"1\"} 3\n"
              "wsbench_rtt_seconds_bucket{step=\"rpc\",le=\"10\"} 4\n"
              "wsbench_rtt_seconds_bucket{step=\"rpc\",le=\"+Inf\"} 5\n"
              "wsbench_rtt_seconds_sum{step=\"rpc\"} 42.5\n"
              "wsbench_rtt_seconds_count{step=\"rpc\"} 5\n"
              "wsbench_rtt_seconds_bucket{le=\"+Inf\"} 0\n"
              "wsbench_rtt_seconds_sum 0\n"
              "wsbench_rtt_seconds_count 0\n");
}

TEST(PromNames, MetricAndLabelNameRules) {
    EXPECT_TRUE(valid_metric_name("wsbench_server_messages_total"));
    EXPECT_TRUE(valid_metric_name("job:rate5m"));
    EXPECT_FALSE(valid_metric_name("9lives"));
    EXPECT_FALSE(valid_metric_name("a-b"));
    EXPECT_FALSE(valid_metric_name(""));
    EXPECT_TRUE(valid_label_name("direction"));
    EXPECT_FALSE(valid_label_name("job:x"));
    EXPECT_FALSE(valid_label_name("__name__"));
}

}  // namespace
}  // namespace wsb
