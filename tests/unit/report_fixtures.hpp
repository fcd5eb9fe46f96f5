// Loadgen reports made in memory for the wsbench-report tests: a RunResult with chosen
// latencies, turned into the JSON report wsbench-loadgen would write, then read back.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "input.hpp"
#include "loadgen/run_report.hpp"
#include "wsbench/url.hpp"

namespace wsb::report::test {

using json = nlohmann::json;

/// An echo run of 10 connections at 1000/s for 2 s with the given latencies (corrected; the
/// uncorrected ones are half), all received, started at `started_ms` (Unix ms).
inline loadgen::RunResult echo_run(std::initializer_list<std::uint64_t> latencies_us,
                                   std::int64_t started_ms = 1714566896000) {
    loadgen::RunResult r;
    loadgen::Config& c = r.config;
    c.url_text = "ws://127.0.0.1:9001/";
    EXPECT_EQ(parse_url(c.url_text, c.url), Errc::ok);
    c.connections = 10;
    c.threads = 2;
    c.duration = std::chrono::seconds(2);
    c.rate = 1000;
    r.connections_target = 10;
    r.connections_established = 10;
    r.duration_s = 2.0;
    for (std::uint64_t v : latencies_us) {
        r.latency.record(v);
        r.latency_uncorrected.record(v / 2);
    }
    r.messages_sent = r.latency.total_count();
    r.messages_received = r.latency.total_count();
    r.bytes_sent = r.messages_sent * 70;
    r.bytes_received = r.bytes_sent;
    r.connect.record(100);
    r.handshake.record(200);
    r.schedule_lag.record(5);
    r.close_codes[1000] = 10;
    r.threads = {{0, 0.5, 5}, {1, 0.25, 5}};
    r.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(started_ms));
    return r;
}

/// The report of `run` as read back by wsbench-report, named `path`.
inline LoadgenFile loadgen_report(const loadgen::RunResult& run, const std::string& path) {
    Input in;
    in.path = path;
    in.kind = ReportKind::loadgen;
    in.doc = loadgen::build_report(run);
    return to_loadgen(in);
}

/// A file under the test temp dir, removed when it goes out of scope.
struct TempFile {
    explicit TempFile(const std::string& name, const std::string& content = "")
        : path(::testing::TempDir() + "wsbench_report_test_" + std::to_string(::getpid()) + "_" +
               name) {
        std::ofstream(path, std::ios::binary) << content;
    }
    ~TempFile() { std::remove(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    std::string path;
};

}  // namespace wsb::report::test
