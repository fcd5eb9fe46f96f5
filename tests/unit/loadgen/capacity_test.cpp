// The capacity search (--find-max): the next value from the steps so far (doubling, --step,
// bisection to --precision, the cap), a step's verdict from its run, the CLI's checks, and the
// report's capacity section (schema-valid, read back equal).
#include "loadgen/capacity.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/cli.hpp"
#include "loadgen/slo.hpp"
#include "parse_cli.hpp"
#include "schema_check.hpp"

namespace wsb::loadgen {
namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Runs the search against a target whose capacity is `limit`: values up to it pass.
std::vector<double> search_against(CapacitySearch& s, double limit,
                                   const std::function<StepOutcome(double)>& extra = {}) {
    std::vector<double> values;
    while (const auto v = s.next()) {
        values.push_back(*v);
        if (values.size() > 100) {
            ADD_FAILURE() << "the search does not end";
            break;
        }
        StepOutcome o = *v <= limit ? StepOutcome::pass : StepOutcome::fail;
        if (extra) {
            const StepOutcome e = extra(*v);
            if (e != StepOutcome::pass) o = e;
        }
        s.record(*v, o);
    }
    return values;
}

SearchParams rate_from(double start) {
    SearchParams p;
    p.start = start;
    return p;
}

TEST(CapacitySearch, DoublesFromTheStartThenBisectsToThePrecision) {
    CapacitySearch s(rate_from(1000));
    const auto values = search_against(s, 5000);
    ASSERT_GE(values.size(), 4u);
    EXPECT_EQ(values[0], 1000);
    EXPECT_EQ(values[1], 2000);
    EXPECT_EQ(values[2], 4000);
    EXPECT_EQ(values[3], 8000);  // the first failure
    EXPECT_EQ(values[4], 6000);  // bisection
    EXPECT_EQ(values[5], 5000);
    EXPECT_EQ(s.stop(), StopReason::precision);
    ASSERT_TRUE(s.found());
    ASSERT_TRUE(s.highest_passing() && s.first_failing());
    EXPECT_LE(*s.highest_passing(), 5000);
    EXPECT_GT(*s.first_failing(), 5000);
    EXPECT_LE(*s.first_failing() - *s.highest_passing(), 0.1 * *s.highest_passing());
}

TEST(CapacitySearch, AFinerPrecisionTakesMoreStepsAndLandsCloser) {
    for (double precision : {0.2, 0.1, 0.05, 0.01}) {
        SearchParams p = rate_from(100);
        p.precision = precision;
        CapacitySearch s(p);
        search_against(s, 7777);
        ASSERT_TRUE(s.found()) << precision;
        EXPECT_LE(*s.highest_passing(), 7777);
        EXPECT_GE(*s.highest_passing(), 7777 / (1 + precision)) << precision;
    }
}

TEST(CapacitySearch, StopsAtTheCapWhenItPasses) {
    SearchParams p = rate_from(1000);
    p.max = 3000;
    CapacitySearch s(p);
    const auto values = search_against(s, 1e9);
    EXPECT_EQ(values, (std::vector<double>{1000, 2000, 3000}));
    EXPECT_EQ(s.stop(), StopReason::max_reached);
    EXPECT_TRUE(s.found());
    EXPECT_EQ(*s.highest_passing(), 3000);
    EXPECT_FALSE(s.first_failing());
}

TEST(CapacitySearch, BisectsBelowTheCapWhenTheCapFails) {
    SearchParams p = rate_from(1000);
    p.max = 3000;
    CapacitySearch s(p);
    search_against(s, 2500);
    EXPECT_EQ(s.stop(), StopReason::precision);
    EXPECT_EQ(*s.first_failing() <= 3000, true);
    EXPECT_LE(*s.highest_passing(), 2500);
}

TEST(CapacitySearch, TheFirstStepFailingStopsWithNoCapacity) {
    CapacitySearch s(rate_from(1000));
    const auto values = search_against(s, 500);
    EXPECT_EQ(values, std::vector<double>{1000});
    EXPECT_EQ(s.stop(), StopReason::first_step_failed);
    EXPECT_FALSE(s.found());
    EXPECT_FALSE(s.highest_passing());
    EXPECT_EQ(*s.first_failing(), 1000);
}

TEST(CapacitySearch, AGeneratorBoundStepStopsWithoutClaimingACapacity) {
    CapacitySearch s(rate_from(1000));
    const auto values = search_against(s, 1e9, [](double v) {
        return v >= 8000 ? StepOutcome::generator_bound : StepOutcome::pass;
    });
    EXPECT_EQ(values.back(), 8000);
    EXPECT_EQ(s.stop(), StopReason::generator_bound);
    EXPECT_FALSE(s.found());
    EXPECT_EQ(*s.highest_passing(), 4000);  // a lower bound only
    EXPECT_FALSE(s.first_failing());
}

TEST(CapacitySearch, UnreachableAndInterruptedStop) {
    CapacitySearch a(rate_from(10));
    a.record(10, StepOutcome::unreachable);
    EXPECT_EQ(a.stop(), StopReason::unreachable);
    EXPECT_FALSE(a.next());
    CapacitySearch b(rate_from(10));
    b.record(10, StepOutcome::pass);
    b.record(20, StepOutcome::interrupted);
    EXPECT_EQ(b.stop(), StopReason::interrupted);
    EXPECT_FALSE(b.found());
    EXPECT_EQ(*b.highest_passing(), 10);
}

TEST(CapacitySearch, ConnectionsAreWholeNumbersAndStepLinearly) {
    SearchParams p;
    p.integer = true;
    p.start = 10;
    p.step = 10;
    CapacitySearch s(p);
    // Connects fail beyond 37 connections (the target's limit).
    const auto values = search_against(s, 37);
    EXPECT_EQ(std::vector<double>(values.begin(), values.begin() + 4),
              (std::vector<double>{10, 20, 30, 40}));
    for (double v : values) EXPECT_EQ(v, static_cast<double>(static_cast<long>(v))) << v;
    EXPECT_TRUE(s.found());
    EXPECT_LE(*s.highest_passing(), 37);
    EXPECT_GE(*s.highest_passing(), 37 / 1.1);
}

TEST(CapacitySearch, AdjacentWholeNumbersEndTheBisection) {
    SearchParams p;
    p.integer = true;
    p.start = 1;
    p.precision = 0.001;  // finer than one connection can be
    CapacitySearch s(p);
    search_against(s, 5);
    EXPECT_EQ(s.stop(), StopReason::precision);
    EXPECT_EQ(*s.highest_passing(), 5);
    EXPECT_EQ(*s.first_failing(), 6);
}

// A run that opened `open` of `target` connections and echoed `n` messages in one second.
RunResult step_run(std::uint64_t target, std::uint64_t open, std::uint64_t n) {
    RunResult r;
    r.config.url_text = "ws://127.0.0.1:9001/";
    r.connections_target = target;
    r.connections_established = open;
    r.connections_failed = target - open;
    r.messages_sent = n;
    r.messages_received = n;
    r.duration_s = 1;
    for (std::uint64_t i = 0; i < n; ++i) r.latency.record(100 + i % 50);
    r.latency_uncorrected = r.latency;
    return r;
}

std::vector<SloTerm> slo(const std::string& text) {
    std::vector<SloTerm> terms;
    std::string message;
    EXPECT_EQ(parse_slo(text, terms, message), Errc::ok) << message;
    return terms;
}

TEST(CapacityJudge, PassFailAndConnectFailures) {
    EXPECT_EQ(judge_step(step_run(10, 10, 1000), slo("p99<1ms")).outcome, StepOutcome::pass);
    const StepJudgement slow = judge_step(step_run(10, 10, 1000), slo("p99<50us"));
    EXPECT_EQ(slow.outcome, StepOutcome::fail);
    ASSERT_EQ(slow.breaches.size(), 1u);
    EXPECT_TRUE(has(slow.breaches[0], "p99")) << slow.breaches[0];
    // Connections that could not open fail the step even when the SLO holds.
    const StepJudgement refused = judge_step(step_run(10, 7, 1000), slo("p99<1ms"));
    EXPECT_EQ(refused.outcome, StepOutcome::fail);
    ASSERT_FALSE(refused.breaches.empty());
    EXPECT_TRUE(has(refused.breaches.back(), "3 of 10 connections could not open"));
}

TEST(CapacityJudge, UnreachableInterruptedAndGeneratorBound) {
    RunResult none = step_run(10, 0, 0);
    none.fatal = "no connection could be opened to ws://127.0.0.1:9001/";
    EXPECT_EQ(judge_step(none, slo("p99<1ms")).outcome, StepOutcome::unreachable);
    RunResult stopped = step_run(10, 10, 1000);
    stopped.interrupted = true;
    EXPECT_EQ(judge_step(stopped, slo("p99<1ms")).outcome, StepOutcome::interrupted);
    RunResult busy = step_run(10, 10, 1000);
    busy.warnings.push_back(
        "worker thread 0 used 97% of a core: the generator may be the bottleneck (add -t "
        "threads)");
    const StepJudgement b = judge_step(busy, slo("p99<1ms"));
    EXPECT_EQ(b.outcome, StepOutcome::generator_bound);
    EXPECT_TRUE(b.generator_bound);
    // A thread busy for 95 % of the loaded time (ramp, warmup, window) though the run's own
    // check, over its whole wall time with the drain, did not warn.
    RunResult hot = step_run(10, 10, 1000);
    hot.config.warmup = std::chrono::milliseconds(200);
    hot.threads.push_back(ThreadHealth{0, 0.95 * 1.2, 10, "epoll", std::nullopt});
    const StepJudgement h = judge_step(hot, slo("p99<1ms"));
    EXPECT_EQ(h.outcome, StepOutcome::generator_bound);
    EXPECT_NEAR(h.generator_cpu, 0.95, 1e-9);
    RunResult cool = hot;
    cool.threads[0].cpu_s = 0.5;
    EXPECT_EQ(judge_step(cool, slo("p99<1ms")).outcome, StepOutcome::pass);
    // With its CPU in the window recorded, that is what counts: busy through the ramp but 40 %
    // in the 1.2 s of warmup and window is no generator bound; 96 % is.
    RunResult ramped = hot;
    ramped.threads[0].window_cpu_s = 0.48;
    EXPECT_EQ(judge_step(ramped, slo("p99<1ms")).outcome, StepOutcome::pass);
    ramped.threads[0].cpu_s = 0.0;
    ramped.threads[0].window_cpu_s = 1.152;
    const StepJudgement w = judge_step(ramped, slo("p99<1ms"));
    EXPECT_EQ(w.outcome, StepOutcome::generator_bound);
    EXPECT_NEAR(w.generator_cpu, 0.96, 1e-9);
    // Schedule lag alone is not the generator's: the target pushing back makes it too.
    RunResult lag = step_run(10, 10, 1000);
    lag.warnings.push_back("p99 schedule lag 3.00 ms: sends left later than intended");
    EXPECT_EQ(judge_step(lag, slo("p99<1ms")).outcome, StepOutcome::pass);
}

auto parse(const std::vector<std::string>& args) {
    std::vector<std::string> all{"ws://127.0.0.1:9001/"};
    all.insert(all.end(), args.begin(), args.end());
    return test::parse_cli_as(parse_cli, "wsbench-loadgen", all);
}

TEST(CapacityCli, ReadsTheSearchOptions) {
    const auto p = parse({"--find-max", "rate", "--start-rate", "500", "--max-rate", "4k", "--slo",
                          "p99<5ms", "--step-duration", "2s", "--precision", "5%", "-c", "20"});
    ASSERT_TRUE(p.result.run) << p.err;
    const CapacityOptions& o = p.result.config.capacity;
    EXPECT_EQ(o.mode, CapacityOptions::Mode::rate);
    EXPECT_EQ(o.start, 500);
    EXPECT_EQ(o.max, 4000);
    EXPECT_DOUBLE_EQ(o.precision, 0.05);
    EXPECT_EQ(o.step_duration, std::chrono::seconds(2));
    EXPECT_EQ(o.step_warmup, std::chrono::seconds(1));  // a search's default
    EXPECT_EQ(p.result.config.connections, 20u);

    const auto c =
        parse({"--find-max", "connections", "-c", "100", "--step", "50", "--max-connections", "1k",
               "--scenario", "connect", "--slo", "errors<1", "--warmup", "200ms"});
    ASSERT_TRUE(c.result.run) << c.err;
    EXPECT_EQ(c.result.config.capacity.mode, CapacityOptions::Mode::connections);
    EXPECT_EQ(c.result.config.capacity.start, 100);
    EXPECT_EQ(c.result.config.capacity.step, 50);
    EXPECT_EQ(c.result.config.capacity.max, 1000);
    EXPECT_EQ(c.result.config.capacity.step_warmup, std::chrono::milliseconds(200));
    EXPECT_EQ(parse({"-c", "3"}).result.config.capacity.mode, CapacityOptions::Mode::none);
}

TEST(CapacityCli, RefusesWhatASearchCannotTake) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--find-max", "rate"}, "--find-max needs --slo"},
        {{"--find-max", "speed", "--slo", "p99<5ms"}, "expected rate or connections"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "-d", "5s"}, "--step-duration"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "-n", "5"}, "-n/--messages"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "-R", "100"}, "--start-rate"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "--step", "10"}, "--find-max connections"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "--scenario", "connect"}, "sends no messages"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "--start-rate", "5k", "--max-rate", "1k"},
         "--max-rate is below --start-rate"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "--precision", "0"}, "--precision '0'"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "--precision", "100%"}, "below 100"},
        {{"--find-max", "rate", "--slo", "p99<5ms", "--shard", "0/2", "-c", "4"}, "--shard"},
        {{"--find-max", "connections", "--slo", "p99<5ms"}, "needs a rate"},
        {{"--find-max", "connections", "--slo", "p99<5ms", "-R", "10", "--start-rate", "5"},
         "starts at -c"},
        {{"--start-rate", "100"}, "applies to a capacity search only"},
        {{"--step-duration", "2s"}, "applies to a capacity search only"},
    };
    for (const auto& [args, message] : cases) {
        const auto p = parse(args);
        EXPECT_FALSE(p.result.run) << args.front();
        EXPECT_EQ(p.result.exit_code, ExitCode::usage);
        EXPECT_TRUE(has(p.err, message)) << "wanted '" << message << "' in: " << p.err;
    }
}

TEST(CapacityCli, AScenarioFileIsSearchedByItsSessions) {
    const std::string dir = ::testing::TempDir();
    const std::string plain = dir + "capacity-plain.yaml";
    const std::string open = dir + "capacity-open.yaml";
    const char* session =
        "session:\n"
        "  - send: { name: rpc, json: { id: '{{seq}}' } }\n"
        "  - expect: { json: { id: '{{seq}}' }, timeout: 1s }\n";
    std::ofstream(plain) << session;
    std::ofstream(open) << "phases: [ { duration: 5s, arrival_rate: 10 } ]\n" << session;
    const auto p = parse(
        {"--scenario", plain, "--find-max", "connections", "-c", "5", "--slo", "rpc.p99<20ms"});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.config.capacity.start, 5);
    EXPECT_EQ(p.result.config.capacity.step_warmup.count(), 0);
    const auto rate = parse({"--scenario", plain, "--find-max", "rate", "--slo", "rpc.p99<20ms"});
    EXPECT_EQ(rate.result.exit_code, ExitCode::usage);
    EXPECT_TRUE(has(rate.err, "needs a file with one open phase")) << rate.err;
    // One open phase: a rate search from the file's arrival_rate, no message rate of its own.
    const auto open_rate = parse({"--scenario", open, "--find-max", "rate", "--slo", "errors<1"});
    ASSERT_TRUE(open_rate.result.run) << open_rate.err;
    EXPECT_EQ(open_rate.result.config.capacity.start, 10);
    EXPECT_EQ(open_rate.result.config.rate, 0);
    const auto given = parse(
        {"--scenario", open, "--find-max", "rate", "--start-rate", "40", "--slo", "errors<1"});
    ASSERT_TRUE(given.result.run) << given.err;
    EXPECT_EQ(given.result.config.capacity.start, 40);
    const auto phases =
        parse({"--scenario", open, "--find-max", "connections", "--slo", "rpc.p99<20ms"});
    EXPECT_EQ(phases.result.exit_code, ExitCode::usage);
    EXPECT_TRUE(has(phases.err, "one closed phase")) << phases.err;
}

CapacityRun a_search() {
    CapacityRun run;
    run.config.url_text = "ws://127.0.0.1:9001/";
    run.config.capacity.mode = CapacityOptions::Mode::rate;
    run.config.capacity.start = 1000;
    run.config.capacity.precision = 0.5;
    run.config.slo = slo("p99<1ms");
    run.search = CapacitySearch(search_params(run.config.capacity));
    for (double v : {1000.0, 2000.0, 4000.0, 3000.0}) {
        CapacityStepRun step;
        step.value = v;
        step.result = step_run(10, 10, static_cast<std::uint64_t>(v));
        step.result.config = run.config;
        step.result.config.rate = v;
        if (v >= 4000) step.result.errors[static_cast<std::size_t>(ErrorKind::timeout)] = 3;
        step.judgement = judge_step(step.result, v >= 4000 ? slo("errors<1") : run.config.slo);
        run.search.record(v, step.judgement.outcome);
        run.steps.push_back(step);
    }
    return run;
}

TEST(CapacityReport, TheSectionHoldsEveryStepAndTheResult) {
    const CapacityRun run = a_search();
    ASSERT_EQ(run.search.stop(), StopReason::precision);
    const report::LoadgenReport r = capacity_search_report(run, std::chrono::system_clock::now());
    ASSERT_TRUE(r.capacity);
    EXPECT_EQ(r.capacity->mode, "rate");
    EXPECT_EQ(r.capacity->steps.size(), 4u);
    EXPECT_TRUE(r.capacity->found);
    EXPECT_EQ(*r.capacity->highest_passing, 3000);
    EXPECT_EQ(*r.capacity->first_failing, 4000);
    EXPECT_EQ(r.capacity->stop, "precision");
    EXPECT_EQ(r.capacity->steps[2].errors.at("timeout"), 3u);
    EXPECT_FALSE(r.capacity->steps[2].passed);
    EXPECT_EQ(r.capacity->steps[3].latency.total_count(), 3000u);
    // The rest of the report is the highest passing step's run.
    EXPECT_EQ(r.config.rate, 3000);
    EXPECT_EQ(r.messages_sent, 3000u);

    const nlohmann::json j = r;
    report::LoadgenReport back;
    from_json(j, back);
    EXPECT_TRUE(back == r);
    const test::SchemaCheck check = test::check_schema("loadgen.schema.json", {j});
    EXPECT_EQ(check.status, 0) << check.output;

    const std::string table = capacity_result_text(run);
    EXPECT_TRUE(has(table, "capacity: rate 3000/s")) << table;
    EXPECT_TRUE(has(table, "first failing: 4000/s")) << table;
    EXPECT_EQ(capacity_exit_code(run), ExitCode::ok);
}

TEST(CapacityReport, ABrokenSectionIsRefusedWithItsPath) {
    nlohmann::json j = capacity_search_report(a_search(), std::chrono::system_clock::now());
    j["capacity"]["steps"][1]["value"] = "fast";
    report::LoadgenReport back;
    try {
        from_json(j, back);
        ADD_FAILURE() << "accepted";
    } catch (const report::FormatError& e) {
        EXPECT_TRUE(has(e.what(), "$.capacity.steps[1].value")) << e.what();
    }
}

}  // namespace
}  // namespace wsb::loadgen
