// wsbench-report on the reports of real wsbench-loadgen runs against wsbench-echo-server on
// loopback: compare, summary and html of two runs, and the merge of three shards run at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "schema_check.hpp"
#include "tool_process.hpp"
#include "wsbench/histogram.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
    return "/tmp/wsbench-report-test-" + std::to_string(::getpid()) + "-" + name;
}

json read_json(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in, nullptr, false);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Histogram histogram(const json& report, const char* name) {
    Histogram h;
    EXPECT_EQ(Histogram::decode_base64(report.at("histograms").at(name).get<std::string>(), h),
              Errc::ok);
    return h;
}

// The report against reports/loadgen.schema.json; fails, naming why, without the checker.
void expect_schema_valid(const std::string& path) {
    const SchemaCheck r = check_schema_files("loadgen.schema.json", {path});
    EXPECT_EQ(r.status, 0) << path << ": " << r.output;
}

class ReportTool : public ::testing::Test {
  protected:
    void SetUp() override {
        server_ = std::make_unique<ToolProcess>(
            std::vector<std::string>{"wsbench-echo-server", "--port", "0", "--threads", "1"});
        server_->wait_listening();
        ASSERT_TRUE(server_->address);
    }
    void TearDown() override {
        for (const std::string& f : files_) std::remove(f.c_str());
    }
    std::string file(const std::string& name) {
        files_.push_back(temp_path(name));
        return files_.back();
    }
    std::vector<std::string> loadgen(const std::string& report) {
        return {"wsbench-loadgen", server_->url(), "-q", "-t", "1", "-d", "1s", "--json", report};
    }

    std::unique_ptr<ToolProcess> server_;
    std::vector<std::string> files_;
};

TEST_F(ReportTool, ComparesSummarisesAndRendersTwoRealRuns) {
    const std::string base = file("base.json");
    const std::string next = file("new.json");
    for (const std::string& path : {base, next}) {
        auto argv = loadgen(path);
        argv.insert(argv.end(), {"-c", "4", "-R", "400"});
        const ToolRun r = run_tool(argv);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }

    // A generous threshold: two runs of the same load on a shared machine differ, not 100x.
    const ToolRun same =
        run_tool({"wsbench-report", "compare", base, next, "--threshold", "10000%"});
    EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
    EXPECT_NE(same.out.find("p99.99"), std::string::npos) << same.out;
    EXPECT_NE(same.out.find("uncorrected.p99"), std::string::npos) << same.out;

    const ToolRun as_json = run_tool(
        {"wsbench-report", "compare", base, next, "--format", "json", "--threshold", "10000%"});
    EXPECT_EQ(as_json.exit_code, 0);
    const json j = json::parse(as_json.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "stdout holds the JSON alone: " << as_json.out;
    EXPECT_EQ(j.at("passed"), true);

    // With a zero threshold, two real runs differ somewhere: one direction or the other has
    // a regression (exit 1), in a markdown table.
    const ToolRun forth = run_tool(
        {"wsbench-report", "compare", base, next, "--threshold", "0%", "--format", "markdown"});
    const ToolRun back = run_tool(
        {"wsbench-report", "compare", next, base, "--threshold", "0%", "--format", "markdown"});
    ASSERT_TRUE(forth.exit_code && back.exit_code);
    EXPECT_EQ(std::max(*forth.exit_code, *back.exit_code), 1) << forth.out << back.out;
    EXPECT_NE(forth.out.find("| metric | base | new |"), std::string::npos) << forth.out;

    const ToolRun summary = run_tool({"wsbench-report", "summary", base});
    EXPECT_EQ(summary.exit_code, 0) << summary.err;
    EXPECT_NE(summary.out.find("Latency"), std::string::npos) << summary.out;

    const std::string page = file("page.html");
    const ToolRun html = run_tool({"wsbench-report", "html", base, next, "-o", page});
    EXPECT_EQ(html.exit_code, 0) << html.err;
    const std::string text = read_text(page);
    EXPECT_NE(text.find("<svg"), std::string::npos);
    EXPECT_EQ(text.find("<script"), std::string::npos);
}

TEST_F(ReportTool, MergesThreeShardsRunAtOnceIntoTheWholeRun) {
    std::vector<std::string> shards;
    std::vector<std::unique_ptr<ToolProcess>> running;
    for (int i = 0; i < 3; ++i) {
        shards.push_back(file("shard" + std::to_string(i) + ".json"));
        running.push_back(std::make_unique<ToolProcess>(
            loadgen(shards.back()),
            std::vector<std::string>{"-c", "7", "-R", "700", "--shard", std::to_string(i) + "/3"}));
    }
    for (auto& p : running) {
        const ToolRun r = p->finish(35s);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::vector<json> reports;
    for (const std::string& s : shards) {
        reports.push_back(read_json(s));
        ASSERT_FALSE(reports.back().is_discarded()) << s;
        EXPECT_EQ(reports.back().at("config").at("connections"), 7) << "-c is the total";
    }
    EXPECT_EQ(reports[0].at("summary").at("connections").at("target"), 3) << "7 = 3 + 2 + 2";
    EXPECT_EQ(reports[1].at("shard").at("first_connection"), 3);
    EXPECT_EQ(reports[2].at("summary").at("connections").at("target"), 2);

    const std::string merged_path = file("merged.json");
    const ToolRun merge =
        run_tool({"wsbench-report", "merge", shards[2], shards[0], shards[1], "-o", merged_path});
    ASSERT_EQ(merge.exit_code, 0) << merge.err;
    const json merged = read_json(merged_path);
    ASSERT_FALSE(merged.is_discarded());
    expect_schema_valid(merged_path);

    // Totals are the sums of the shards'.
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t established = 0;
    for (const json& r : reports) {
        sent += r.at("summary").at("messages").at("sent").get<std::uint64_t>();
        received += r.at("summary").at("messages").at("received").get<std::uint64_t>();
        established += r.at("summary").at("connections").at("established").get<std::uint64_t>();
    }
    EXPECT_EQ(merged.at("summary").at("messages").at("sent"), sent);
    EXPECT_EQ(merged.at("summary").at("messages").at("received"), received);
    EXPECT_EQ(merged.at("summary").at("connections").at("established"), established);
    EXPECT_EQ(merged.at("summary").at("connections").at("target"), 7);
    EXPECT_NEAR(static_cast<double>(sent), 700.0, 70.0) << "the shards' rates add up to -R";
    EXPECT_EQ(merged.at("merged").at("shards").at("missing"), json::array());

    // Percentiles are those of one histogram holding every value.
    Histogram all = histogram(reports[0], "latency");
    ASSERT_EQ(all.add(histogram(reports[1], "latency")), Errc::ok);
    ASSERT_EQ(all.add(histogram(reports[2], "latency")), Errc::ok);
    const Histogram m = histogram(merged, "latency");
    EXPECT_EQ(m, all);
    EXPECT_EQ(merged.at("latency_us").at("p99").get<std::uint64_t>(), all.value_at_percentile(99));
    EXPECT_EQ(merged.at("latency_us").at("p99_9").get<std::uint64_t>(),
              all.value_at_percentile(99.9));
    EXPECT_EQ(merged.at("latency_us").at("max").get<std::uint64_t>(), all.max());
    EXPECT_EQ(merged.at("latency_us").at("min").get<std::uint64_t>(), all.min());
    EXPECT_EQ(merged.at("latency_us").at("count").get<std::uint64_t>(), all.total_count());

    // The merged report reads like any other.
    const ToolRun summary = run_tool({"wsbench-report", "summary", merged_path});
    EXPECT_EQ(summary.exit_code, 0) << summary.err;
    EXPECT_NE(summary.out.find("Merged: 3 reports"), std::string::npos) << summary.out;

    // A shard twice is refused, naming the file.
    const ToolRun twice = run_tool({"wsbench-report", "merge", shards[0], shards[0], "-o", "-"});
    EXPECT_EQ(twice.exit_code, 2);
    EXPECT_NE(twice.err.find(shards[0]), std::string::npos) << twice.err;
    EXPECT_EQ(twice.out, "");
}

TEST(ReportToolInput, TruncatedReportExits2NamingTheFile) {
    const std::string path = temp_path("truncated.json");
    std::ofstream(path) << R"({"schema": "wsbench.loadgen/1", "tool": {)";
    const ToolRun r = run_tool({"wsbench-report", "summary", path});
    std::remove(path.c_str());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(path + ": not valid JSON"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace wsb::test
