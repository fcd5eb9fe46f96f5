// Loadgen reports made in memory for the wsbench-report tests: the report model with chosen
// latencies, as wsbench-loadgen writes it, and read back as wsbench-report reads it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "report/input.hpp"
#include "wsbench/url.hpp"

namespace wsb::report::test {

using json = nlohmann::json;

/// The report of an echo run of 10 connections at 1000/s for 2 s with the given latencies
/// (corrected; the uncorrected ones are half), all received, started at `started_ms` (Unix ms),
/// as wsbench-loadgen writes it.
inline LoadgenReport echo_run(std::initializer_list<std::uint64_t> latencies_us,
                              std::int64_t started_ms = 1714566896000) {
    LoadgenReport r;
    r.envelope = make_envelope(kLoadgenSchema, kLoadgenTool, "ws://127.0.0.1:9001/",
                               std::chrono::system_clock::time_point(), false);
    LoadgenSettings& c = r.config;
    c.url = "ws://127.0.0.1:9001/";
    c.connections = 10;
    c.threads = 2;
    c.duration_s = 2.0;
    c.rate = 1000;
    c.message_size = 64;
    c.connect_timeout_s = 10;
    c.max_connecting = 1000;
    c.drain_timeout_s = 2;
    c.reply_timeout_s = 10;
    c.shard = ShardId{};
    r.connections.target = 10;
    r.connections.established = 10;
    r.duration_s = 2.0;
    for (std::uint64_t v : latencies_us) {
        r.latency.record(v);
        r.latency_uncorrected.record(v / 2);
    }
    r.messages_sent = r.latency.total_count();
    r.messages_received = r.latency.total_count();
    r.bytes_sent = r.messages_sent * 70;
    r.bytes_received = r.bytes_sent;
    r.sent_per_s = static_cast<double>(r.messages_sent) / r.duration_s;
    r.received_per_s = static_cast<double>(r.messages_received) / r.duration_s;
    r.connect.record(100);
    r.handshake.record(200);
    r.schedule_lag.emplace();
    r.schedule_lag->record(5);
    for (const char* kind : kLoadgenErrorKinds) r.errors[kind] = 0;
    r.close_codes[1000] = 10;
    r.threads = {{0, 0.5, 5, "epoll", 0.4}, {1, 0.25, 5, "epoll", std::nullopt}};
    r.started_ms = started_ms;
    return r;
}

/// echo_run() as the run of a scenario file (config.scenario "file"): an expect step "rpc" with
/// the given latencies (uncorrected: half) and `timeouts`, one capture error and 2 unmatched; a
/// listen step "price" with pushes of 300 us; 4 sessions, one cut, with start lags of 10 and
/// 20 us.
inline LoadgenReport scenario_run(std::initializer_list<std::uint64_t> rpc_us,
                                  std::uint64_t timeouts = 0,
                                  std::int64_t started_ms = 1714566896000) {
    LoadgenReport r = echo_run({}, started_ms);
    r.config.scenario = "file";
    r.config.scenario_file = "chat.yaml";
    r.config.rate = 0;
    r.config.message_size = 0;
    StepReport rpc;
    for (std::uint64_t v : rpc_us) {
        rpc.latency.record(v);
        rpc.latency_uncorrected.record(v / 2);
    }
    rpc.count = rpc.latency.total_count();
    rpc.timeouts = timeouts;
    rpc.errors = {{"capture", 1}, {"timestamp", 0}, {"template", 0}};
    rpc.unmatched = 2;
    r.steps["rpc"] = rpc;
    StepReport price;
    price.kind = "listen";
    price.count = 3;
    price.errors = {{"capture", 0}, {"timestamp", 0}, {"template", 0}};
    price.latency.record(300, 3);
    price.latency_uncorrected = price.latency;
    r.steps["price"] = price;
    SessionCounts sessions;
    sessions.started = 4;
    sessions.completed = 3;
    sessions.cut = 1;
    sessions.start_lag.record(10);
    sessions.start_lag.record(20);
    r.sessions = sessions;
    r.messages_sent = rpc.count + timeouts;
    r.messages_received = rpc.count + price.count;
    return r;
}

/// `report` as wsbench-report reads it back from a file named `path`.
inline LoadgenFile loadgen_report(const LoadgenReport& report, const std::string& path) {
    Input in;
    in.path = path;
    in.kind = ReportKind::loadgen;
    in.doc = report;
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
