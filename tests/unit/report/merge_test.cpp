// Tests of wsbench-report merge: exact histograms, summed counters, timelines aligned by
// wall-clock second, shards, and the runs it refuses to merge.
#include "report/merge.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "fixtures.hpp"
#include "schema_check.hpp"
#include "wsbench/report.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::json;
using test::loadgen_report;

Histogram decoded(const json& report, const char* name) {
    Histogram h;
    EXPECT_EQ(Histogram::decode_base64(report.at("histograms").at(name).get<std::string>(), h),
              Errc::ok);
    return h;
}

json merge_ok(const std::vector<LoadgenFile>& in) {
    std::vector<std::string> warnings;
    return merge_loadgen(in, warnings);
}

std::string merge_error(const std::vector<LoadgenFile>& in) {
    std::vector<std::string> warnings;
    try {
        merge_loadgen(in, warnings);
    } catch (const InputError& e) {
        return e.what();
    }
    ADD_FAILURE() << "merge accepted the inputs";
    return "";
}

LoadgenReport shard(std::uint64_t index, std::uint64_t count,
                    std::initializer_list<std::uint64_t> latencies) {
    LoadgenReport r = echo_run(latencies);
    r.config.shard = ShardId{index, count};
    // --shard I/N's share: the connections and rate split as evenly as they go, the first
    // shards taking one more connection each.
    const std::uint64_t share =
        r.config.connections / count + (index < r.config.connections % count);
    const std::uint64_t first = index * (r.config.connections / count) +
                                std::min<std::uint64_t>(index, r.config.connections % count);
    if (count > 1) {
        r.shard = ShardPart{
            index,
            count,
            first,
            share,
            r.config.rate * static_cast<double>(share) / static_cast<double>(r.config.connections),
            0};
    }
    r.connections.target = share;
    r.connections.established = share;
    return r;
}

TEST(Merge, HistogramsAreExactlyOneHistogramOfEveryValue) {
    const auto a = loadgen_report(echo_run({100, 150, 200, 90000}), "a.json");
    const auto b = loadgen_report(echo_run({7, 300, 301, 302, 5000}), "b.json");
    const json m = merge_ok({a, b});

    Histogram all;
    for (std::uint64_t v : {100, 150, 200, 90000, 7, 300, 301, 302, 5000}) all.record(v);
    const Histogram merged = decoded(m, "latency");
    EXPECT_EQ(merged, all);
    EXPECT_EQ(merged.min(), all.min()) << "the smallest of the shards' minimums";
    EXPECT_EQ(merged.max(), all.max()) << "the largest of the shards' maximums";
    EXPECT_EQ(m.at("latency_us"), latency_summary(all)) << "every percentile of all the values";
    EXPECT_EQ(m.at("latency_us").at("min"), 7u);
    EXPECT_EQ(m.at("latency_us").at("count"), 9u);
    EXPECT_EQ(decoded(m, "connect").total_count(), 2u);
    EXPECT_EQ(decoded(m, "schedule_lag").total_count(), 2u);
}

TEST(Merge, CountersAreSummed) {
    LoadgenReport a = echo_run({100, 200});
    LoadgenReport b = echo_run({300});
    a.errors["timeout"] = 2;
    b.errors["timeout"] = 3;
    b.errors["read"] = 1;
    b.close_codes[1011] = 1;
    const json m = merge_ok({loadgen_report(a, "a.json"), loadgen_report(b, "b.json")});
    const json& s = m.at("summary");
    EXPECT_EQ(s.at("messages").at("sent"), 3u);
    EXPECT_EQ(s.at("messages").at("received"), 3u);
    EXPECT_EQ(s.at("bytes").at("sent"), 3u * 70);
    EXPECT_EQ(s.at("connections").at("target"), 20u);
    EXPECT_EQ(s.at("errors"), 6u);
    EXPECT_EQ(m.at("errors").at("timeout"), 5u);
    EXPECT_EQ(m.at("errors").at("read"), 1u);
    EXPECT_EQ(m.at("errors").at("connect"), 0u);
    EXPECT_EQ(m.at("close_codes"), json::parse(R"({"1000": 20, "1011": 1})"));
    EXPECT_DOUBLE_EQ(s.at("error_rate").get<double>(), 6.0 / (3 + 20));
    // Throughput: the sum of each run's, over its own window.
    EXPECT_DOUBLE_EQ(s.at("throughput").at("received_per_s").get<double>(), 2 / 2.0 + 1 / 2.0);
    EXPECT_EQ(m.at("generator").at("threads").size(), 4u);
    EXPECT_EQ(m.at("generator").at("threads").at(3).at("index"), 3u);
    EXPECT_DOUBLE_EQ(m.at("generator").at("cpu_s").get<double>(), 1.5);
    // Separate runs at once: the target saw both loads.
    EXPECT_EQ(m.at("config").at("connections"), 20u);
    EXPECT_DOUBLE_EQ(m.at("config").at("rate").get<double>(), 2000.0);
    EXPECT_EQ(m.at("config").at("threads"), 4u);
}

TEST(Merge, DeflateCountsAreSummedWithTheFirstParameters) {
    LoadgenReport a = echo_run({100, 200});
    LoadgenReport b = echo_run({300});
    a.config.deflate = b.config.deflate =
        DeflateOffered{"permessage-deflate; client_max_window_bits", false, false, 0, 0};
    a.deflate = DeflateCounts{10, DeflateAgreed{false, false, 15, 15}, 1000, 100, 900, 90};
    b.deflate = DeflateCounts{0, std::nullopt, 500, 500, 400, 400};
    const json m = merge_ok({loadgen_report(b, "b.json"), loadgen_report(a, "a.json")});
    const json& d = m.at("deflate");
    EXPECT_EQ(d.at("connections"), 10u);
    EXPECT_EQ(d.at("parameters").at("client_max_window_bits"), 15u) << "a's: b negotiated none";
    EXPECT_EQ(d.at("sent").at("bytes"), 1500u);
    EXPECT_EQ(d.at("sent").at("wire_bytes"), 600u);
    EXPECT_DOUBLE_EQ(d.at("sent").at("ratio").get<double>(), 0.4);
    EXPECT_EQ(d.at("received").at("bytes"), 1300u);
    EXPECT_EQ(d.at("received").at("wire_bytes"), 490u);
    // With and without --deflate: not the same measurement.
    const std::string error =
        merge_error({loadgen_report(a, "a.json"), loadgen_report(echo_run({1}), "c.json")});
    EXPECT_NE(error.find("config.deflate"), std::string::npos) << error;
}

TEST(Merge, MarksTheReportAsAMergeOfItsSources) {
    const json m =
        merge_ok({loadgen_report(echo_run({1}), "a.json"), loadgen_report(echo_run({2}), "b.json"),
                  loadgen_report(echo_run({3}), "c.json")});
    EXPECT_EQ(m.at("schema"), "wsbench.loadgen/1");
    EXPECT_EQ(m.at("tool").at("name"), "wsbench-report");
    EXPECT_EQ(m.at("merged").at("inputs"), 3u);
    ASSERT_EQ(m.at("merged").at("sources").size(), 3u);
    EXPECT_EQ(m.at("merged").at("sources").at(2).at("file"), "c.json");
    EXPECT_FALSE(m.at("merged").contains("shards"));
}

TEST(Merge, TimelinesAlignOnTheWallClockSecond) {
    LoadgenReport a = echo_run({100}, 1'000'000'000'000);
    LoadgenReport b = echo_run({100}, 1'000'000'001'000);  // one second later
    Histogram a1, a2, b1, b2;
    a1.record(100);
    a2.record(200);
    b1.record(300);
    b1.record(301);
    b2.record(5000);
    a.timeline = {{1.02, 10, 10, 5, 0, 100, 100, a1.encode_base64()},
                  {2.01, 20, 20, 5, 1, 200, 200, a2.encode_base64()}};
    b.timeline = {{0.98, 30, 30, 5, 0, 300, 301, b1.encode_base64()},
                  {2.03, 40, 40, 4, 2, 5000, 5000, b2.encode_base64()}};
    const json m = merge_ok({loadgen_report(a, "a.json"), loadgen_report(b, "b.json")});
    const json& t = m.at("timeline");
    ASSERT_EQ(t.size(), 3u) << t.dump();
    EXPECT_EQ(t[0].at("t_s"), 1.0);
    EXPECT_EQ(t[0].at("sent"), 10u);
    EXPECT_EQ(t[1].at("t_s"), 2.0);
    EXPECT_EQ(t[1].at("sent"), 50u) << "a's second 2 and b's second 1";
    EXPECT_EQ(t[1].at("connections"), 10u);
    EXPECT_EQ(t[2].at("t_s"), 3.0);
    EXPECT_EQ(t[2].at("errors"), 2u);
    // p99 of second 2 from the sum of both histograms: 200, 300, 301 -> 301.
    Histogram second2 = a2;
    ASSERT_EQ(second2.add(b1), Errc::ok);
    EXPECT_EQ(t[1].at("p99_us"), second2.value_at_percentile(99));
    EXPECT_EQ(t[1].at("p50_us"), second2.value_at_percentile(50));
    EXPECT_EQ(m.at("started"), format_rfc3339_utc_ms(*a.started_ms));
    EXPECT_DOUBLE_EQ(m.at("summary").at("duration_s").get<double>(), 3.0)
        << "from the first start to the last end";
}

TEST(Merge, WithoutPerSecondHistogramsTakesTheLargestPercentilesAndWarns) {
    LoadgenReport a = echo_run({100});
    LoadgenReport b = echo_run({100});
    a.timeline = {{1.0, 10, 10, 5, 0, 100, 900, ""}};
    b.timeline = {{1.0, 10, 10, 5, 0, 300, 400, ""}};
    std::vector<std::string> warnings;
    const json m =
        merge_loadgen({loadgen_report(a, "a.json"), loadgen_report(b, "b.json")}, warnings);
    EXPECT_EQ(m.at("timeline").at(0).at("p50_us"), 300u);
    EXPECT_EQ(m.at("timeline").at(0).at("p99_us"), 900u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("not exact"), std::string::npos) << warnings[0];
}

TEST(Merge, ShardsKeepTheTotalsAndListWhatWasMerged) {
    std::vector<std::string> warnings;
    const json m = merge_loadgen({loadgen_report(shard(0, 3, {10}), "s0.json"),
                                  loadgen_report(shard(2, 3, {30}), "s2.json")},
                                 warnings);
    EXPECT_EQ(m.at("config").at("connections"), 10u) << "the total every shard states";
    EXPECT_DOUBLE_EQ(m.at("config").at("rate").get<double>(), 1000.0);
    EXPECT_FALSE(m.at("config").contains("shard"));
    EXPECT_EQ(m.at("summary").at("connections").at("target"), 4u + 3u);
    EXPECT_EQ(m.at("merged").at("shards"),
              json::parse(R"({"count": 3, "merged": [0, 2], "missing": [1]})"));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("[1] of 3 are missing"), std::string::npos) << warnings[0];
}

TEST(Merge, AllShardsMakeTheWholeRunWithoutWarnings) {
    std::vector<std::string> warnings;
    const json m = merge_loadgen({loadgen_report(shard(1, 2, {20}), "s1.json"),
                                  loadgen_report(shard(0, 2, {10}), "s0.json")},
                                 warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    EXPECT_EQ(m.at("summary").at("connections").at("target"), 10u);
    EXPECT_EQ(m.at("merged").at("shards").at("missing"), json::array());
}

// ------------------------------------------------------------------------------ refusals

TEST(MergeRefuses, FewerThanTwoReports) {
    EXPECT_NE(merge_error({loadgen_report(echo_run({1}), "a.json")}).find("at least two"),
              std::string::npos);
}

TEST(MergeRefuses, RunsThatMeasuredDifferentThings) {
    struct Case {
        const char* key;
        std::function<void(LoadgenSettings&)> change;
    };
    const Case cases[] = {
        {"url", [](LoadgenSettings& c) { c.url = "ws://other:9001/"; }},
        {"scenario", [](LoadgenSettings& c) { c.scenario = "connect"; }},
        {"message_size", [](LoadgenSettings& c) { c.message_size = 1024; }},
        {"message_type", [](LoadgenSettings& c) { c.message_type = "text"; }},
        {"duration_s", [](LoadgenSettings& c) { c.duration_s = 5; }},
        {"per_connection_rate", [](LoadgenSettings& c) { c.per_connection_rate = 5; }},
    };
    for (const Case& k : cases) {
        LoadgenReport b = echo_run({1});
        k.change(b.config);
        const std::string e =
            merge_error({loadgen_report(echo_run({1}), "a.json"), loadgen_report(b, "b.json")});
        EXPECT_NE(e.find("a.json and b.json"), std::string::npos) << e;
        EXPECT_NE(e.find(std::string("config.") + k.key), std::string::npos) << e;
    }
}

TEST(MergeRefuses, TheSameShardTwice) {
    const std::string e = merge_error(
        {loadgen_report(shard(1, 2, {1}), "x.json"), loadgen_report(shard(1, 2, {1}), "y.json")});
    EXPECT_NE(e.find("y.json: shard 1/2 appears twice"), std::string::npos) << e;
}

TEST(MergeRefuses, ShardsOfDifferentRuns) {
    EXPECT_NE(merge_error({loadgen_report(shard(0, 2, {1}), "a.json"),
                           loadgen_report(shard(1, 3, {1}), "b.json")})
                  .find("2 and 3 shards"),
              std::string::npos);
    LoadgenReport more = shard(1, 2, {1});
    more.config.connections = 20;
    EXPECT_NE(
        merge_error({loadgen_report(shard(0, 2, {1}), "a.json"), loadgen_report(more, "b.json")})
            .find("config.connections (the total) is 10 and 20"),
        std::string::npos);
}

TEST(MergeRefuses, ShardsMixedWithAWholeRun) {
    EXPECT_NE(merge_error({loadgen_report(echo_run({1}), "a.json"),
                           loadgen_report(shard(0, 2, {1}), "b.json")})
                  .find("one is a shard"),
              std::string::npos);
}

TEST(MergeRefuses, HistogramsOfDifferentSettings) {
    LoadgenReport coarse = echo_run({});
    coarse.latency = Histogram(1, 3'600'000'000, 2);
    coarse.latency.record(100);
    const std::string e =
        merge_error({loadgen_report(echo_run({1}), "a.json"), loadgen_report(coarse, "b.json")});
    EXPECT_NE(e.find("a.json and b.json: latency histograms have different settings"),
              std::string::npos)
        << e;
}

// ------------------------------------------------------------------------------ schema

TEST(MergeSchema, MergedReportIsValidAgainstTheLoadgenSchema) {
    if (!wsb::test::schema_checker_available())
        GTEST_SKIP() << "python3 with jsonschema is missing";
    const json m = merge_ok({loadgen_report(shard(0, 2, {10, 20}), "s0.json"),
                             loadgen_report(shard(1, 2, {30}), "s1.json")});
    const wsb::test::SchemaCheck r = wsb::test::check_schema("loadgen.schema.json", {m});
    EXPECT_EQ(r.status, 0) << r.output;
}

}  // namespace
}  // namespace wsb::report
