// Tests for the common report envelope, latency summaries and atomic report writing.
#include "wsbench/report.hpp"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace wsb {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// A fresh directory under the test temp dir, removed (with its files) at the end.
class TempDir {
  public:
    TempDir() {
        std::string pattern = ::testing::TempDir() + "wsbench-report-XXXXXX";
        path_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
    }
    ~TempDir() {
        for (const std::string& name : entries()) ::unlink((path_ + "/" + name).c_str());
        ::rmdir(path_.c_str());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        if (DIR* dir = ::opendir(path_.c_str())) {
            while (const dirent* e = ::readdir(dir)) {
                const std::string name = e->d_name;
                if (name != "." && name != "..") names.push_back(name);
            }
            ::closedir(dir);
        }
        return names;
    }

  private:
    std::string path_;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const json kSample = {{"schema", "wsbench.test/1"}, {"values", {1, 2, 3}}, {"ok", true}};

// ------------------------------------------------------------------------------ envelope

TEST(Version, IsTheProjectVersion) {
    EXPECT_TRUE(std::regex_match(std::string(version()), std::regex(R"(\d+\.\d+\.\d+)")))
        << version();
}

TEST(FormatRfc3339Utc, WritesUtcWithMilliseconds) {
    const std::chrono::system_clock::time_point t{1714566896789ms};
    EXPECT_EQ(format_rfc3339_utc(t), "2024-05-01T12:34:56.789Z");
    EXPECT_EQ(format_rfc3339_utc(std::chrono::system_clock::time_point{}),
              "1970-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339Utc, TruncatesToMilliseconds) {
    const std::chrono::system_clock::time_point t{1714566896789999us};
    EXPECT_EQ(format_rfc3339_utc(t), "2024-05-01T12:34:56.789Z");
}

TEST(FormatRfc3339Utc, KeepsMillisecondsPositiveBeforeTheEpoch) {
    const std::chrono::system_clock::time_point t{-1ms};
    EXPECT_EQ(format_rfc3339_utc(t), "1969-12-31T23:59:59.999Z");
}

TEST(HostInfo, NamesThisMachine) {
    const report::Host host = report::host_info();
    EXPECT_FALSE(host.hostname.empty());
    struct utsname uts {};
    ASSERT_EQ(::uname(&uts), 0);
    EXPECT_EQ(host.os, std::string(uts.sysname) + " " + uts.release);
    EXPECT_GE(host.cpus, 1u);
}

TEST(MakeEnvelope, HoldsEveryCommonFieldAndTheTimeItIsGiven) {
    const auto created = std::chrono::system_clock::time_point(1714566896789ms);
    json e = report::make_envelope("wsbench.loadgen/1", "wsbench-loadgen", "ws://localhost:9001/",
                                   created, false);

    EXPECT_EQ(e.at("schema"), "wsbench.loadgen/1");
    EXPECT_EQ(e.at("tool"), (json{{"name", "wsbench-loadgen"}, {"version", version()}}));
    EXPECT_EQ(e.at("target"), (json{{"url", "ws://localhost:9001/"}}));
    EXPECT_EQ(e.at("interrupted"), false);
    const report::Host host = report::host_info();
    EXPECT_EQ(e.at("host"),
              (json{{"hostname", host.hostname}, {"os", host.os}, {"cpus", host.cpus}}));
    EXPECT_EQ(e.at("created"), "2024-05-01T12:34:56.789Z");
    EXPECT_EQ(e.size(), 6u) << "config is the tool's model's";
}

TEST(MakeEnvelope, MarksAnInterruptedRun) {
    const json e = report::make_envelope("s/1", "t", "ws://h/", {}, true);
    EXPECT_EQ(e.at("interrupted"), true);
}

// ------------------------------------------------------------------------ latency summary

TEST(LatencySummary, IsAllZerosForAnEmptyHistogram) {
    const json s = latency_summary(Histogram());
    const std::vector<std::string> keys = {"count", "min", "mean", "stddev", "p50",    "p75",
                                           "p90",   "p95", "p99",  "p99_9",  "p99_99", "max"};
    ASSERT_EQ(s.size(), keys.size());
    for (const std::string& key : keys) {
        ASSERT_TRUE(s.contains(key)) << key;
        EXPECT_TRUE(s.at(key).is_number()) << key;
        EXPECT_EQ(s.at(key).get<double>(), 0.0) << key;
    }
}

TEST(LatencySummary, MatchesTheHistogramsPercentiles) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v);
    h.record(250'000);  // one outlier, above the 3-digit exact range

    const json s = latency_summary(h);
    EXPECT_EQ(s.at("count"), 1001u);
    EXPECT_EQ(s.at("min"), 1u);
    EXPECT_EQ(s.at("p50"), 501u);
    EXPECT_EQ(s.at("p75"), h.value_at_percentile(75));
    EXPECT_EQ(s.at("p90"), 901u);
    EXPECT_EQ(s.at("p95"), h.value_at_percentile(95));
    EXPECT_EQ(s.at("p99"), 991u);
    EXPECT_EQ(s.at("p99_9"), h.value_at_percentile(99.9));
    EXPECT_EQ(s.at("p99_99"), h.value_at_percentile(99.99));
    EXPECT_EQ(s.at("max"), h.max());
    EXPECT_EQ(s.at("max"), h.highest_equivalent_value(250'000));
    EXPECT_DOUBLE_EQ(s.at("mean").get<double>(), h.mean());
    EXPECT_DOUBLE_EQ(s.at("stddev").get<double>(), h.stddev());
}

TEST(LatencySummary, WritesIntegersForCountsAndPercentiles) {
    Histogram h;
    h.record(42);
    const json s = latency_summary(h);
    for (const char* key : {"count", "min", "p50", "p99_99", "max"}) {
        EXPECT_TRUE(s.at(key).is_number_unsigned()) << key;
    }
    EXPECT_TRUE(s.at("mean").is_number_float());
    EXPECT_TRUE(s.at("stddev").is_number_float());
}

// --------------------------------------------------------------------------- write_report

TEST(WriteReport, WritesPrettyJsonEndingWithANewline) {
    TempDir dir;
    const std::string path = dir.file("r.json");
    ASSERT_EQ(write_report(kSample, path), Errc::ok);
    const std::string text = read_file(path);
    EXPECT_EQ(text, kSample.dump(2) + "\n");
    EXPECT_EQ(json::parse(text), kSample);
}

TEST(WriteReport, ReplacesAnExistingFileAndLeavesNoTemporaryFile) {
    TempDir dir;
    const std::string path = dir.file("r.json");
    std::ofstream(path) << "an older, much longer report that must disappear entirely\n";
    ASSERT_EQ(write_report(kSample, path), Errc::ok);
    EXPECT_EQ(json::parse(read_file(path)), kSample);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"r.json"});
}

TEST(WriteReport, ReplacesTheTargetOfASymlinkAndKeepsTheLink) {
    TempDir dir;
    std::ofstream(dir.file("real.json")) << "{}";
    ASSERT_EQ(::symlink("real.json", dir.file("link.json").c_str()), 0);
    ASSERT_EQ(write_report(kSample, dir.file("link.json")), Errc::ok);
    struct stat st {};
    ASSERT_EQ(::lstat(dir.file("link.json").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(json::parse(read_file(dir.file("real.json"))), kSample);
}

TEST(WriteReport, FailsWithIoErrorNamingTheFileInAMissingDirectory) {
    TempDir dir;
    const std::string path = dir.file("missing/r.json");
    std::string detail;
    EXPECT_EQ(write_report(kSample, path, &detail), Errc::io_error);
    EXPECT_NE(detail.find(dir.file("missing/r.json")), std::string::npos) << detail;
    EXPECT_NE(detail.find("No such file or directory"), std::string::npos) << detail;
    EXPECT_TRUE(dir.entries().empty());
}

TEST(WriteReport, FailsWithIoErrorForADirectory) {
    TempDir dir;
    std::string detail;
    EXPECT_EQ(write_report(kSample, dir.path(), &detail), Errc::io_error);
    EXPECT_NE(detail.find("is a directory"), std::string::npos) << detail;
    EXPECT_TRUE(dir.entries().empty());
}

TEST(WriteReport, FailsWithIoErrorForAnEmptyPath) {
    EXPECT_EQ(write_report(kSample, ""), Errc::io_error);
}

TEST(WriteReport, WritesDevicesInPlaceInsteadOfReplacingThem) {
    ASSERT_EQ(write_report(kSample, "/dev/null"), Errc::ok);
    struct stat st {};
    ASSERT_EQ(::stat("/dev/null", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(WriteReport, WritesToStdoutForADash) {
    ::testing::internal::CaptureStdout();
    const Errc e = write_report(kSample, "-");
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(e, Errc::ok);
    EXPECT_EQ(out, kSample.dump(2) + "\n");
}

TEST(WriteReport, ReplacesInvalidUtf8InsteadOfFailing) {
    TempDir dir;
    const json report = {{"fatal", std::string("server said \xff\xfe")}};
    ASSERT_EQ(write_report(report, dir.file("r.json")), Errc::ok);
    EXPECT_EQ(json::parse(read_file(dir.file("r.json"))).at("fatal"),
              "server said \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(IoError, HasAnIdentifierAndAMessage) {
    EXPECT_EQ(to_string(Errc::io_error), "io_error");
    EXPECT_EQ(make_error_code(Errc::io_error).message(), "file I/O failed");
}

}  // namespace
}  // namespace wsb
