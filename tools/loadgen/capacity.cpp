// The capacity search's pure parts: the next value from the steps so far, a step's verdict,
// the table lines, the result text and the report's `capacity` section.
#include "loadgen/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "loadgen/run.hpp"
#include "loadgen/run_report.hpp"
#include "loadgen/slo.hpp"
#include "wsbench/units.hpp"

namespace wsb::loadgen {

const char* to_string(StopReason r) noexcept {
    switch (r) {
        case StopReason::running:
            return "running";
        case StopReason::precision:
            return "precision";
        case StopReason::max_reached:
            return "max_reached";
        case StopReason::first_step_failed:
            return "first_step_failed";
        case StopReason::generator_bound:
            return "generator_bound";
        case StopReason::unreachable:
            return "unreachable";
        case StopReason::interrupted:
            return "interrupted";
    }
    return "?";
}

CapacitySearch::CapacitySearch(SearchParams params) : params_(params) {
    next_ = params_.integer ? std::max(1.0, std::round(params_.start)) : params_.start;
    if (params_.max > 0) next_ = std::min(next_, params_.max);
}

std::optional<double> CapacitySearch::next() const {
    if (done()) return std::nullopt;
    return next_;
}

void CapacitySearch::record(double value, StepOutcome outcome) {
    if (done()) return;
    switch (outcome) {
        case StepOutcome::interrupted:
            stop_ = StopReason::interrupted;
            return;
        case StepOutcome::unreachable:
            stop_ = StopReason::unreachable;
            return;
        case StepOutcome::generator_bound:
            stop_ = StopReason::generator_bound;
            return;
        case StepOutcome::fail:
            if (!fail_ || value < *fail_) fail_ = value;
            if (!pass_) {
                stop_ = StopReason::first_step_failed;
                return;
            }
            break;
        case StepOutcome::pass:
            if (!pass_ || value > *pass_) pass_ = value;
            if (params_.max > 0 && value >= params_.max) {
                stop_ = StopReason::max_reached;
                return;
            }
            break;
    }
    choose_next();
}

void CapacitySearch::choose_next() {
    const double lo = *pass_;
    if (fail_) {
        // Bisect between the highest pass and the lowest failure.
        const double hi = *fail_;
        if (hi - lo <= params_.precision * lo) {
            stop_ = StopReason::precision;
            return;
        }
        double mid = lo + (hi - lo) / 2;
        if (params_.integer) mid = std::floor(mid);
        if (mid <= lo || mid >= hi) {  // adjacent whole numbers: nothing left between them
            stop_ = StopReason::precision;
            return;
        }
        next_ = mid;
        return;
    }
    // Grow: doubling, or by --step.
    double grown = params_.step > 0 ? lo + params_.step : lo * 2;
    if (params_.integer) grown = std::round(grown);
    if (params_.max > 0) grown = std::min(grown, params_.max);
    next_ = grown;
}

SearchParams search_params(const CapacityOptions& o) {
    SearchParams p;
    p.integer = o.mode == CapacityOptions::Mode::connections;
    p.start = o.start;
    p.max = o.max;
    p.step = o.step;
    p.precision = o.precision;
    return p;
}

double busiest_worker(const RunResult& result) {
    // Each thread's CPU in the window (warmup and measured part) over the window, as the run's
    // own warning judges it; a thread without one (the window never opened) over the loaded
    // time, ramp included. The drain stays out of both: in a short step it would hide a
    // saturated thread.
    const double warmup = static_cast<double>(result.config.warmup.count()) / 1e9;
    const double window = warmup + result.duration_s;
    const double loaded = result.ramp_s + window;
    if (loaded < 0.5) return 0;
    double busiest = 0;
    for (const ThreadHealth& t : result.threads) {
        const double share =
            t.window_cpu_s && window >= 0.5 ? *t.window_cpu_s / window : t.cpu_s / loaded;
        busiest = std::max(busiest, share);
    }
    return busiest;
}

bool is_generator_warning(const std::string& warning) {
    return warning.rfind("worker thread ", 0) == 0;
}

StepJudgement judge_step(const RunResult& result, const std::vector<SloTerm>& slo) {
    StepJudgement j;
    if (result.interrupted) {
        j.outcome = StepOutcome::interrupted;
        return j;
    }
    if (exit_code_for(result, false) == ExitCode::cannot_run) {
        j.outcome = StepOutcome::unreachable;
        if (!result.fatal.empty()) j.breaches.push_back(result.fatal);
        return j;
    }
    j.breaches = evaluate_slo(slo, result);
    if (result.connections_failed > 0) {
        j.breaches.push_back(std::to_string(result.connections_failed) + " of " +
                             std::to_string(result.connections_target) +
                             " connections could not open");
    }
    if (!result.fatal.empty()) j.breaches.push_back(result.fatal);
    j.generator_cpu = busiest_worker(result);
    j.generator_bound = j.generator_cpu > kGeneratorBound ||
                        std::any_of(result.warnings.begin(), result.warnings.end(),
                                    [](const std::string& w) { return is_generator_warning(w); });
    if (j.generator_bound) {
        j.outcome = StepOutcome::generator_bound;
    } else {
        j.outcome = j.breaches.empty() ? StepOutcome::pass : StepOutcome::fail;
    }
    return j;
}

namespace {

std::string value_text(double v, CapacityOptions::Mode mode) {
    if (mode == CapacityOptions::Mode::connections) {
        return std::to_string(static_cast<std::uint64_t>(std::llround(v)));
    }
    char buf[48];  // exact to the message per second: bisection lands between format_rate's steps
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f/s" : "%.3g/s", v);
    return buf;
}

std::string percentile_text(const Histogram& h, double p) {
    if (h.total_count() == 0) return "-";
    return format_duration_us(static_cast<double>(h.value_at_percentile(p)));
}

const char* mode_name(CapacityOptions::Mode mode) {
    return mode == CapacityOptions::Mode::connections ? "connections" : "rate";
}

}  // namespace

std::string capacity_table_header(CapacityOptions::Mode mode) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%-4s %12s %12s %10s %10s %10s %8s  %-4s  %s\n", "step",
                  mode_name(mode), "throughput", "p50", "p99", "p99.9", "errors", "SLO",
                  "generator");
    return buf;
}

std::string capacity_table_line(const CapacityStepRun& step, CapacityOptions::Mode mode) {
    const RunResult& r = step.result;
    const char* verdict = step.judgement.outcome == StepOutcome::interrupted ? "-"
                          : step.judgement.breaches.empty()                  ? "pass"
                                                                             : "FAIL";
    char cpu[24];
    std::snprintf(cpu, sizeof cpu, "cpu %.0f%%", 100 * step.judgement.generator_cpu);
    std::string health = std::string(step.judgement.generator_bound ? "BOUND, " : "ok, ") + cpu;
    if (r.config.open_loop() && r.schedule_lag.total_count() > 0 &&
        r.schedule_lag.value_at_percentile(99) > 1000) {
        health += ", p99 lag " + percentile_text(r.schedule_lag, 99);
    }
    char buf[320];
    std::snprintf(buf, sizeof buf, "%12s %12s %10s %10s %10s %8llu  %-4s  %s",
                  value_text(step.value, mode).c_str(), format_rate(received_per_second(r)).c_str(),
                  percentile_text(r.latency, 50).c_str(), percentile_text(r.latency, 99).c_str(),
                  percentile_text(r.latency, 99.9).c_str(),
                  static_cast<unsigned long long>(r.total_errors()), verdict, health.c_str());
    std::string line = buf;
    if (!step.judgement.breaches.empty()) line += "  " + step.judgement.breaches.front();
    return line + "\n";
}

std::string stop_detail(const CapacityRun& run) {
    const CapacitySearch& s = run.search;
    const auto mode = run.config.capacity.mode;
    auto v = [&](std::optional<double> x) { return x ? value_text(*x, mode) : std::string("-"); };
    switch (s.stop()) {
        case StopReason::running:
            return "the search has not finished";
        case StopReason::precision: {
            char pct[32];
            std::snprintf(pct, sizeof pct, "%g%%", s.params().precision * 100);
            return "the capacity lies between " + v(s.highest_passing()) + " (passed) and " +
                   v(s.first_failing()) + " (failed), within " + pct;
        }
        case StopReason::max_reached:
            return "the cap " + v(s.params().max) + " passed: the capacity is at least that";
        case StopReason::first_step_failed:
            return "even the first step, " + v(s.first_failing()) +
                   ", failed: lower the start value";
        case StopReason::generator_bound:
            return "the generator itself was saturated at " +
                   (run.steps.empty() ? std::string("-") : v(run.steps.back().value)) +
                   ": no capacity of the target is claimed" +
                   (s.highest_passing() ? " (it is at least " + v(s.highest_passing()) + ")"
                                        : std::string()) +
                   "; add -t threads or shards (--shard)";
        case StopReason::unreachable:
            return "the target could not be reached" +
                   (run.steps.empty() || run.steps.back().judgement.breaches.empty()
                        ? std::string()
                        : ": " + run.steps.back().judgement.breaches.front());
        case StopReason::interrupted:
            return "interrupted: the report holds the steps that finished";
    }
    return "";
}

std::string capacity_result_text(const CapacityRun& run) {
    const CapacitySearch& s = run.search;
    const auto mode = run.config.capacity.mode;
    std::string out;
    if (s.found()) {
        out += std::string("capacity: ") + mode_name(mode) + " " +
               value_text(*s.highest_passing(), mode) + " (the highest passing value)\n";
    } else {
        out += "capacity: not found\n";
    }
    out += "highest passing: " +
           (s.highest_passing() ? value_text(*s.highest_passing(), mode) : std::string("none")) +
           "; first failing: " +
           (s.first_failing() ? value_text(*s.first_failing(), mode) : std::string("none")) + "\n";
    out += std::string("stopped (") + to_string(s.stop()) + "): " + stop_detail(run) + "\n";
    return out;
}

report::CapacityReport capacity_report(const CapacityRun& run) {
    const CapacityOptions& o = run.config.capacity;
    report::CapacityReport c;
    c.mode = mode_name(o.mode);
    c.start = o.start;
    c.max = o.max;
    c.step = o.step;
    c.precision = o.precision;
    c.step_duration_s = static_cast<double>(o.step_duration.count()) / 1e9;
    c.warmup_s = static_cast<double>(o.step_warmup.count()) / 1e9;
    for (const SloTerm& t : run.config.slo) c.slo.push_back(t.text);
    for (const CapacityStepRun& s : run.steps) {
        const RunResult& r = s.result;
        report::CapacityStep st;
        st.value = s.value;
        st.passed = s.judgement.outcome == StepOutcome::pass;
        st.generator_bound = s.judgement.generator_bound;
        st.generator_cpu = s.judgement.generator_cpu;
        st.breaches = s.judgement.breaches;
        st.warnings = r.warnings;
        st.fatal = r.fatal;
        st.duration_s = r.duration_s;
        st.connections_target = r.connections_target;
        st.connections_established = r.connections_established;
        st.connections_failed = r.connections_failed;
        st.messages_sent = r.messages_sent;
        st.messages_received = r.messages_received;
        for (std::size_t k = 0; k < kErrorKinds; ++k) {
            if (r.errors[k] != 0) st.errors[to_string(static_cast<ErrorKind>(k))] = r.errors[k];
        }
        st.error_rate = error_rate(r);
        st.latency = r.latency;
        st.latency_uncorrected = r.latency_uncorrected;
        c.steps.push_back(std::move(st));
    }
    c.found = run.search.found();
    c.highest_passing = run.search.highest_passing();
    c.first_failing = run.search.first_failing();
    c.stop = to_string(run.search.stop());
    c.detail = stop_detail(run);
    return c;
}

ExitCode capacity_exit_code(const CapacityRun& run) {
    if (run.search.found()) return ExitCode::ok;
    if (run.search.stop() == StopReason::unreachable) return ExitCode::cannot_run;
    return ExitCode::check_failed;
}

}  // namespace wsb::loadgen
