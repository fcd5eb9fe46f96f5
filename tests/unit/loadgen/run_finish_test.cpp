// finish_run: the workers' outcomes and the run's times make the RunResult (merge, window
// length, ramp, broadcast losses, fatal reasons, generator warnings) with no clock or socket.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/run.hpp"
#include "wsbench/scenario/model.hpp"

namespace wsb::loadgen {
namespace {

constexpr Ns kSecond = 1'000'000'000;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

Config ten_seconds() {
    Config c;
    c.url_text = "ws://127.0.0.1:9001/";
    c.connections = 4;
    c.duration = std::chrono::seconds(10);
    c.warmup = std::chrono::seconds(1);
    return c;
}

// A worker that opened `open` connections and got every reply to `sent` messages.
WorkerOutcome worker(std::uint64_t open, std::uint64_t sent) {
    WorkerOutcome w;
    w.result.connections_established = open;
    w.result.messages_sent = sent;
    w.result.messages_received = sent;
    w.result.bytes_sent = sent * 64;
    w.result.bytes_received = sent * 64;
    for (std::uint64_t i = 0; i < sent; ++i) w.result.latency.record(100 + i);
    return w;
}

// The window opened at 2 s; warmup 1 s, so measuring from 3 s to 13 s; every worker done at 14 s.
RunTimes normal_times() {
    RunTimes t;
    t.first_connect = kSecond / 2;
    t.last_settle = 2 * kSecond - kSecond / 4;
    t.window_start = 2 * kSecond;
    t.ended = 14 * kSecond;
    t.wall_at_end = std::chrono::system_clock::time_point(std::chrono::seconds(1'000'000));
    return t;
}

std::vector<WorkerOutcome> two(WorkerOutcome a, WorkerOutcome b) {
    std::vector<WorkerOutcome> v;
    v.push_back(std::move(a));
    v.push_back(std::move(b));
    return v;
}

TEST(LoadgenRunFinish, MergesEveryWorkersCountersHistogramsAndCloseCodes) {
    WorkerOutcome a = worker(2, 10);
    WorkerOutcome b = worker(1, 5);
    a.result.errors[static_cast<std::size_t>(ErrorKind::timeout)] = 2;
    b.result.errors[static_cast<std::size_t>(ErrorKind::timeout)] = 1;
    a.result.close_codes[1000] = 2;
    b.result.close_codes[1000] = 1;
    b.result.close_codes[1001] = 1;
    a.result.threads.push_back(ThreadHealth{0, 0.5, 2, "epoll", std::nullopt});
    b.result.threads.push_back(ThreadHealth{1, 0.25, 1, "epoll", std::nullopt});
    b.result.connections_failed = 1;

    const RunResult r = finish_run(ten_seconds(), RunResult{}, two(a, b), normal_times());
    EXPECT_EQ(r.connections_established, 3u);
    EXPECT_EQ(r.connections_failed, 1u);
    EXPECT_EQ(r.messages_sent, 15u);
    EXPECT_EQ(r.messages_received, 15u);
    EXPECT_EQ(r.bytes_sent, 15u * 64);
    EXPECT_EQ(r.latency.total_count(), 15u);
    EXPECT_EQ(r.errors[static_cast<std::size_t>(ErrorKind::timeout)], 3u);
    EXPECT_EQ(r.close_codes.at(1000), 3u);
    EXPECT_EQ(r.close_codes.at(1001), 1u);
    ASSERT_EQ(r.threads.size(), 2u);
    EXPECT_EQ(r.threads[0].index, 0u);
    EXPECT_EQ(r.threads[1].index, 1u);
    EXPECT_EQ(r.fatal, "");
    EXPECT_TRUE(r.warnings.empty());
}

TEST(LoadgenRunFinish, KeepsWhatTheCoordinatorRecordedBefore) {
    RunResult start;
    start.connections_target = 4;
    start.warnings.push_back("port space");
    start.timeline.resize(3);
    const RunResult r =
        finish_run(ten_seconds(), start, two(worker(2, 1), worker(2, 1)), normal_times());
    EXPECT_EQ(r.connections_target, 4u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0], "port space");
    EXPECT_EQ(r.timeline.size(), 3u);
}

TEST(LoadgenRunFinish, WindowIsTheDurationAfterWarmupWithItsWallClockStart) {
    const RunResult r =
        finish_run(ten_seconds(), RunResult{}, two(worker(2, 1), worker(2, 1)), normal_times());
    EXPECT_DOUBLE_EQ(r.duration_s, 10.0);
    EXPECT_DOUBLE_EQ(r.ramp_s, 1.25);
    ASSERT_TRUE(r.started.has_value());
    // Measuring began at 3 s, 11 s before the end.
    EXPECT_EQ(*r.started,
              std::chrono::system_clock::time_point(std::chrono::seconds(1'000'000 - 11)));
}

TEST(LoadgenRunFinish, WindowThatNeverOpenedHasNoLengthNorStart) {
    RunTimes t = normal_times();
    t.window_start = -1;
    RunResult start;
    start.interrupted = true;
    WorkerOutcome w;
    w.result.interrupted = true;
    std::vector<WorkerOutcome> one;
    one.push_back(w);
    const RunResult r = finish_run(ten_seconds(), start, std::move(one), t);
    EXPECT_DOUBLE_EQ(r.duration_s, 0.0);
    EXPECT_FALSE(r.started.has_value());
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.fatal, "");  // interrupted before anything opened: not a failure to connect
}

TEST(LoadgenRunFinish, AnInterruptEndsTheWindowWhereItCame) {
    RunTimes t = normal_times();
    t.stopped_at = 7 * kSecond + kSecond / 2;
    WorkerOutcome a = worker(2, 3);
    a.result.interrupted = true;
    const RunResult r = finish_run(ten_seconds(), RunResult{}, two(a, worker(2, 3)), t);
    EXPECT_DOUBLE_EQ(r.duration_s, 4.5);
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.fatal, "");
}

TEST(LoadgenRunFinish, MessagesPerConnectionWindowLastsUntilTheSlowestWorkerFinished) {
    Config c = ten_seconds();
    c.messages_per_connection = 100;
    WorkerOutcome a = worker(2, 200);
    WorkerOutcome b = worker(2, 200);
    a.result.duration_s = 1.5;
    b.result.duration_s = 2.5;
    const RunResult r = finish_run(c, RunResult{}, two(a, b), normal_times());
    EXPECT_DOUBLE_EQ(r.duration_s, 2.5);
}

TEST(LoadgenRunFinish, LosingEveryConnectionIsFatalAndEndsTheWindow) {
    WorkerOutcome a = worker(2, 10);
    WorkerOutcome b = worker(0, 0);  // never opened one: does not keep the run alive
    a.lost_all = true;
    a.lost_at = 5 * kSecond + kSecond / 2;
    const RunResult r = finish_run(ten_seconds(), RunResult{}, two(a, b), normal_times());
    EXPECT_DOUBLE_EQ(r.duration_s, 2.5);
    EXPECT_TRUE(has(r.fatal, "every connection was lost 2.50 s into the run")) << r.fatal;
}

TEST(LoadgenRunFinish, OneWorkerStillOpenIsNotALoss) {
    WorkerOutcome a = worker(2, 10);
    a.lost_all = true;
    a.lost_at = 5 * kSecond;
    const RunResult r =
        finish_run(ten_seconds(), RunResult{}, two(a, worker(2, 10)), normal_times());
    EXPECT_DOUBLE_EQ(r.duration_s, 10.0);
    EXPECT_EQ(r.fatal, "");
}

TEST(LoadgenRunFinish, NoConnectionNamesTheFirstWorkersReason) {
    WorkerOutcome a;
    WorkerOutcome b;
    a.result.connections_failed = 2;
    b.result.connections_failed = 2;
    b.first_error = "connect: Connection refused";
    RunTimes t = normal_times();
    const RunResult r = finish_run(ten_seconds(), RunResult{}, two(a, b), t);
    EXPECT_EQ(r.fatal,
              "no connection could be opened to ws://127.0.0.1:9001/ (4 failed; connect: "
              "Connection refused)");
}

TEST(LoadgenRunFinish, NoReplyAtAllIsFatal) {
    WorkerOutcome a = worker(2, 0);
    a.result.messages_sent = 7;
    const RunResult r =
        finish_run(ten_seconds(), RunResult{}, two(a, worker(2, 0)), normal_times());
    EXPECT_EQ(r.fatal, "no reply came back for any of the 7 messages sent");
}

TEST(LoadgenRunFinish, BroadcastCountsEveryDeliveryThatDidNotArrive) {
    Config c = ten_seconds();
    c.scenario = Scenario::broadcast;
    WorkerOutcome publisher;
    publisher.result.connections_established = 2;
    publisher.result.messages_sent = 10;  // to 4 connections: 40 deliveries expected
    publisher.result.messages_received = 20;
    WorkerOutcome other;
    other.result.connections_established = 2;
    other.result.messages_received = 17;
    other.result.errors[static_cast<std::size_t>(ErrorKind::duplicated)] = 1;
    const RunResult r = finish_run(c, RunResult{}, two(publisher, other), normal_times());
    EXPECT_EQ(r.broadcast_expected, 40u);
    EXPECT_EQ(r.errors[static_cast<std::size_t>(ErrorKind::lost)], 4u);  // 40 - (37 - 1)
    EXPECT_EQ(r.fatal, "");
}

TEST(LoadgenRunFinish, BroadcastWithASilentPublisherIsFatal) {
    Config c = ten_seconds();
    c.scenario = Scenario::broadcast;
    const RunResult r = finish_run(c, RunResult{}, two(worker(2, 0), worker(2, 0)), normal_times());
    EXPECT_TRUE(has(r.fatal, "the publisher (connection 0) sent nothing")) << r.fatal;
}

TEST(LoadgenRunFinish, WarnsAboutASaturatedWorkerThread) {
    WorkerOutcome a = worker(2, 10);
    a.result.threads.push_back(ThreadHealth{0, 13.3, 2, "epoll", std::nullopt});  // of a 14 s run
    WorkerOutcome b = worker(2, 10);
    b.result.threads.push_back(ThreadHealth{1, 2.0, 2, "epoll", std::nullopt});
    const RunResult r = finish_run(ten_seconds(), RunResult{}, two(a, b), normal_times());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_TRUE(has(r.warnings[0], "worker thread 0 used 95% of a core")) << r.warnings[0];
}

// Judged on the window (1 s warmup + 10 s), not the whole run: a thread saturated in the window
// warns however long the idle drain after it; one busy outside the window (38 of 40 s) does not.
TEST(LoadgenRunFinish, JudgesWorkerThreadsOnTheirCpuInTheWindow) {
    RunTimes long_drain = normal_times();
    long_drain.ended = 40 * kSecond;
    WorkerOutcome a = worker(2, 10);
    a.result.threads.push_back(ThreadHealth{0, 11.0, 2, "epoll", 10.6});
    WorkerOutcome b = worker(2, 10);
    b.result.threads.push_back(ThreadHealth{1, 38.0, 2, "epoll", 2.2});
    const RunResult r = finish_run(ten_seconds(), RunResult{}, two(a, b), long_drain);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_TRUE(has(r.warnings[0], "worker thread 0 used 96% of a core in the measured window"))
        << r.warnings[0];
}

TEST(LoadgenRunFinish, WarnsAboutScheduleLagInOpenLoopOnly) {
    Config c = ten_seconds();
    c.rate = 1000;
    WorkerOutcome a = worker(2, 10);
    for (int i = 0; i < 100; ++i) a.result.schedule_lag.record(5000);
    const RunResult open = finish_run(c, RunResult{}, two(a, worker(2, 10)), normal_times());
    ASSERT_EQ(open.warnings.size(), 1u);
    EXPECT_TRUE(has(open.warnings[0], "p99 schedule lag")) << open.warnings[0];

    const RunResult closed =
        finish_run(ten_seconds(), RunResult{}, two(a, worker(2, 10)), normal_times());
    EXPECT_TRUE(closed.warnings.empty());
}

// A scenario-file worker: `sessions` started and completed, `count` rpc replies matched.
WorkerOutcome script_worker(std::uint64_t sessions, std::uint64_t count, std::uint64_t failed) {
    WorkerOutcome w;
    w.result.connections_established = sessions - failed;
    w.result.connections_failed = failed;
    w.result.messages_sent = count;
    report::StepReport rpc;
    rpc.count = count;
    rpc.timeouts = 1;
    rpc.errors = {{"capture", 2}, {"timestamp", 0}, {"template", 0}};
    for (std::uint64_t i = 0; i < count; ++i) rpc.latency.record(1000 + i);
    w.result.steps["rpc"] = rpc;
    report::SessionCounts s;
    s.started = sessions;
    s.completed = sessions - failed;
    s.failed = failed;
    s.start_lag.record(50);
    w.result.sessions = s;
    return w;
}

TEST(LoadgenRunFinish, ScenarioFilesMergeStepsAndSessionsExactly) {
    Config c = ten_seconds();
    c.warmup = Nanos(0);
    c.script = std::make_shared<scenario::Scenario>();
    const RunResult r = finish_run(
        c, RunResult{}, two(script_worker(10, 40, 0), script_worker(6, 20, 0)), normal_times());
    ASSERT_EQ(r.steps.count("rpc"), 1u);
    const report::StepReport& rpc = r.steps.at("rpc");
    EXPECT_EQ(rpc.count, 60u);
    EXPECT_EQ(rpc.timeouts, 2u);
    EXPECT_EQ(rpc.errors.at("capture"), 4u);
    EXPECT_EQ(rpc.latency.total_count(), 60u);
    ASSERT_TRUE(r.sessions.has_value());
    EXPECT_EQ(r.sessions->started, 16u);
    EXPECT_EQ(r.sessions->completed, 16u);
    EXPECT_EQ(r.sessions->start_lag.total_count(), 2u);
    EXPECT_EQ(r.connections_target, 16u);
    // Sends without replies are normal in a scenario (pushes, fire-and-forget): not fatal.
    EXPECT_EQ(r.fatal, "");
}

TEST(LoadgenRunFinish, AScenarioTargetThatWentAwayIsNamedAsSuch) {
    Config c = ten_seconds();
    c.warmup = Nanos(0);
    c.script = std::make_shared<scenario::Scenario>();
    WorkerOutcome a = script_worker(30, 10, 21);
    a.lost_all = true;
    a.lost_at = 5 * kSecond;
    WorkerOutcome b = script_worker(30, 10, 20);
    b.lost_all = true;
    b.lost_at = 4 * kSecond;
    const RunResult r = finish_run(c, RunResult{}, two(std::move(a), std::move(b)), normal_times());
    EXPECT_TRUE(has(r.fatal,
                    "the target went away 3.00 s into the run: sessions could no "
                    "longer open (41 failed)"))
        << r.fatal;
    EXPECT_EQ(exit_code_for(r, false), ExitCode::check_failed);
}

}  // namespace
}  // namespace wsb::loadgen
