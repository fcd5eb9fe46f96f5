// The coordinator: preflight (limits, target resolution, TLS), worker threads, the monitor
// (measured window, progress line, timeline), and finish_run, the pure merge of the workers'
// results into the RunResult.
#include "loadgen/run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "loadgen/metrics_server.hpp"
#include "loadgen/worker.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/scenario/model.hpp"
#include "wsbench/system.hpp"
#include "wsbench/units.hpp"

namespace wsb::loadgen {
namespace {

/// How far ahead of "every connection settled" the measured window starts: more than a
/// worker's tick, so each builds its schedule before the first send is due.
constexpr Ns kWindowLeadNs = 50'000'000;

/// Local ports the kernel hands out for one (source address, target) pair.
std::uint64_t ephemeral_ports() {
    std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    if (in >> lo >> hi && hi >= lo) return hi - lo + 1;
    return 28232;  // Linux default 32768-60999
}

std::string progress_line(double t, std::uint64_t open, std::uint64_t target, double sent_rate,
                          double recv_rate, std::uint64_t errors, const Histogram& h) {
    char buf[256];
    std::snprintf(
        buf, sizeof buf,
        "[%5.0fs] connections %llu/%llu  sent %s  received %s  errors %llu  p50 %s  p99 %s", t,
        static_cast<unsigned long long>(open), static_cast<unsigned long long>(target),
        format_rate(sent_rate).c_str(), format_rate(recv_rate).c_str(),
        static_cast<unsigned long long>(errors),
        h.total_count() ? format_duration_us(static_cast<double>(h.value_at_percentile(50))).c_str()
                        : "-",
        h.total_count() ? format_duration_us(static_cast<double>(h.value_at_percentile(99))).c_str()
                        : "-");
    return buf;
}

/// The progress line of a scenario-file run: sessions, message rates, expect timeouts so
/// far, and each step's p99 over the last second.
std::string script_progress_line(double t, const Progress& totals, double sent_rate,
                                 double recv_rate, const std::vector<std::string>& names,
                                 const std::vector<Histogram>& steps) {
    const std::uint64_t started = totals.sessions_started.load();
    const std::uint64_t ended = totals.sessions_ended.load();
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "[%5.0fs] sessions %llu running, %llu started, %llu ended (%llu failed)  sent "
                  "%s  received %s  timeouts %llu",
                  t, static_cast<unsigned long long>(started - std::min(started, ended)),
                  static_cast<unsigned long long>(started), static_cast<unsigned long long>(ended),
                  static_cast<unsigned long long>(totals.sessions_failed.load()),
                  format_rate(sent_rate).c_str(), format_rate(recv_rate).c_str(),
                  static_cast<unsigned long long>(totals.timeouts.load()));
    std::string line = buf;
    const char* separator = "  p99 ";
    for (std::size_t i = 0; i < names.size() && i < steps.size(); ++i) {
        if (steps[i].total_count() == 0) continue;
        line += separator + names[i] + " " +
                format_duration_us(static_cast<double>(steps[i].value_at_percentile(99)));
        separator = ", ";
    }
    return line;
}

void merge_steps(std::map<std::string, report::StepReport>& into,
                 const std::map<std::string, report::StepReport>& from) {
    for (const auto& [name, st] : from) {
        auto [it, fresh] = into.emplace(name, st);
        if (fresh) continue;
        report::StepReport& t = it->second;
        t.count += st.count;
        t.timeouts += st.timeouts;
        t.unmatched += st.unmatched;
        for (const auto& [kind, n] : st.errors) t.errors[kind] += n;
        t.latency.add(st.latency);
        t.latency_uncorrected.add(st.latency_uncorrected);
    }
}

void merge_sessions(report::SessionCounts& into, const report::SessionCounts& from) {
    into.started += from.started;
    into.completed += from.completed;
    into.failed += from.failed;
    into.cut += from.cut;
    into.unmatched += from.unmatched;
    into.template_errors += from.template_errors;
    for (const auto& [what, n] : from.errors) into.errors[what] += n;
    into.start_lag.add(from.start_lag);
}

void merge(RunResult& into, const RunResult& from) {
    into.connections_established += from.connections_established;
    into.connections_failed += from.connections_failed;
    into.messages_sent += from.messages_sent;
    into.messages_received += from.messages_received;
    into.bytes_sent += from.bytes_sent;
    into.bytes_received += from.bytes_received;
    into.latency.add(from.latency);
    into.latency_uncorrected.add(from.latency_uncorrected);
    into.connect.add(from.connect);
    into.handshake.add(from.handshake);
    into.schedule_lag.add(from.schedule_lag);
    for (std::size_t i = 0; i < kErrorKinds; ++i) into.errors[i] += from.errors[i];
    for (const auto& [code, n] : from.close_codes) into.close_codes[code] += n;
    into.threads.insert(into.threads.end(), from.threads.begin(), from.threads.end());
    into.interrupted = into.interrupted || from.interrupted;
    into.deflate.connections += from.deflate.connections;
    if (!into.deflate.agreed) into.deflate.agreed = from.deflate.agreed;
    into.deflate.sent_bytes += from.deflate.sent_bytes;
    into.deflate.sent_wire_bytes += from.deflate.sent_wire_bytes;
    into.deflate.received_bytes += from.deflate.received_bytes;
    into.deflate.received_wire_bytes += from.deflate.received_wire_bytes;
    merge_steps(into.steps, from.steps);
    if (from.sessions) {
        if (!into.sessions) into.sessions.emplace();
        merge_sessions(*into.sessions, *from.sessions);
    }
}

/// The config this process runs: its shard's share of -c, -R and --connect-rate, and the
/// threads (0: one per core) capped at one per connection.
Config run_config(const Config& requested, const ShardShare& share) {
    Config config = requested;
    config.connections = share.connections;
    config.rate = share.rate;
    config.connect_rate = share.connect_rate;
    if (config.script) {
        // Sessions start by the phases: the window is their whole length, and the open
        // files and ports are sized for the most sessions one second of them starts or keeps.
        config.duration = Nanos(0);
        std::uint64_t peak = 1;
        for (const scenario::Phase& p : config.script->phases) {
            config.duration += p.duration;
            const double most = p.open ? std::ceil(std::max(p.arrival_rate, p.ramp_to))
                                       : static_cast<double>(p.users);
            peak = std::max(peak, static_cast<std::uint64_t>(most) / config.shard_count + 1);
        }
        config.connections = peak;
    }
    if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
    config.threads = static_cast<unsigned>(
        std::min<std::uint64_t>(config.threads, std::max<std::uint64_t>(1, config.connections)));
    return config;
}

/// Port space and open files, before anything is opened: false with result.fatal set when
/// the run cannot fit.
bool check_limits(const Config& config, RunResult& result) {
    // Port space: one (source address, target) pair offers the ephemeral range once.
    const PortSpace space =
        check_port_space(config.connections, config.source_ips.size(), ephemeral_ports());
    if (!space.fatal.empty()) {
        result.fatal = space.fatal;
        return false;
    }
    if (!space.warning.empty()) {
        log_line(LogLevel::warn, space.warning);
        result.warnings.push_back(space.warning);
    }
    const FdLimit fds = raise_fd_limit(config.connections + 64);
    if (!fds.enough) {
        result.fatal = "need " + std::to_string(config.connections + 64) +
                       " open files but the limit is " + std::to_string(fds.soft) + " (hard " +
                       std::to_string(fds.hard) + "); raise it (ulimit -n) or lower -c";
        return false;
    }
    if (fds.soft > 1024 && config.verbosity > 0) {
        log_line(LogLevel::info, "open-file limit raised to " + std::to_string(fds.soft));
    }
    return true;
}

/// Everything a run needs before its first connect: limits, the target resolved once, the
/// --source-ip addresses, the TLS context. False with result.fatal set when it cannot run.
bool preflight(const Config& config, Shared& shared, RunResult& result) {
    if (!check_limits(config, result)) return false;
    {
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        asio::error_code ec;
        auto endpoints = resolver.resolve(config.url.host, std::to_string(config.url.port), ec);
        if (ec || endpoints.empty()) {
            result.fatal =
                "cannot resolve " + config.url.host + ": " + (ec ? ec.message() : "no address");
            return false;
        }
        shared.target = endpoints.begin()->endpoint();
    }
    for (const auto& s : config.source_ips) {
        asio::error_code ec;
        shared.source_ips.push_back(asio::ip::make_address(s, ec));
        if (ec) {
            result.fatal = "--source-ip " + s + ": " + ec.message();
            return false;
        }
    }
    if (config.url.secure) {
        std::string error;
        shared.tls = net::make_client_context({config.insecure, config.ca_file}, error);
        if (!shared.tls) {
            result.fatal = error;
            return false;
        }
    }
    return true;
}

/// The coordinator's loop while the workers run: the stop flag, the measured window once
/// every connection settled, and once a second the progress line and a timeline point.
class Monitor {
  public:
    Monitor(Shared& shared, const std::vector<std::unique_ptr<Worker>>& workers,
            std::ostream& progress, MetricsService* metrics)
        : shared_(shared),
          config_(shared.config),
          workers_(workers),
          progress_(progress),
          outstanding_(workers.size(), false),
          metrics_(metrics),
          live_(metrics ? workers.size() : 0) {}

    /// Returns when every worker is done.
    void run(const std::atomic<bool>& interrupt, std::vector<TimelinePoint>& timeline) {
        while (shared_.workers_done.load() < workers_.size()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const Ns now = shared_.now();
            if (interrupt.load() && !shared_.stop.load()) {
                shared_.stop.store(true);
                stopped_at = now;
            }
            if (shared_.window_start.load() < 0 && shared_.settled.load() >= config_.connections) {
                open_window(now);
            }
            if (now < next_report_) continue;
            next_report_ += 1'000'000'000;
            one_second(now, timeline);
        }
    }

    const bool tty = isatty(STDERR_FILENO) != 0;
    Ns stopped_at = -1;  ///< when the interrupt was seen

  private:
    std::uint64_t sum(std::atomic<std::uint64_t> Progress::*member) const {
        std::uint64_t n = 0;
        for (auto& w : workers_) n += (w->progress.*member).load(std::memory_order_relaxed);
        return n;
    }

    void open_window(Ns now) {
        // Slightly ahead, so every worker has built its schedule before the first send is
        // due: the generator's own wake-up is not charged to the target.
        shared_.window_start.store(now + kWindowLeadNs);
        if (!config_.quiet) {
            const std::uint64_t open = sum(&Progress::open);
            progress_ << (tty ? "\r\033[K" : "") << "all connections settled: " << open << " open, "
                      << (config_.connections - open) << " failed; measuring" << std::endl;
        }
        last_t_ = now + kWindowLeadNs;
        next_report_ = now + kWindowLeadNs + 1'000'000'000;
    }

    /// The latencies of the last second, merged from every worker (per step in steps_).
    Histogram collect_second() {
        for (Histogram& h : steps_) h.reset();
        // Ask every worker for its second of latencies; each answers at its next 10 ms tick.
        // At most one request per worker is outstanding: a worker that did not answer in
        // time keeps its request, and its answer is taken a second later.
        Histogram second;
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            if (!outstanding_[i]) {
                workers_[i]->request_interval();
                outstanding_[i] = true;
            }
        }
        // Up to 300 ms: a worker busy with a long turn, or descheduled on a loaded machine,
        // answers late; its second then lands in the next one (and shows as a gap here).
        for (int tries = 0; tries < 60; ++tries) {
            bool all = true;
            for (std::size_t i = 0; i < workers_.size(); ++i) {
                if (outstanding_[i] && workers_[i]->take_interval(second, &steps_)) {
                    outstanding_[i] = false;
                    if (metrics_) live_[i] = workers_[i]->live_metrics;  // its copy, as of its tick
                }
                all = all && !outstanding_[i];
            }
            if (all) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return second;
    }

    /// One second: deltas of the workers' counters and the merged latency of the second.
    void one_second(Ns now, std::vector<TimelinePoint>& timeline) {
        const Histogram second = collect_second();
        const std::uint64_t sent = sum(&Progress::sent);
        const std::uint64_t received = sum(&Progress::received);
        const std::uint64_t errors = sum(&Progress::errors);
        const std::uint64_t open = sum(&Progress::open);
        const double secs = std::max(1e-9, static_cast<double>(now - last_t_) / 1e9);
        const Ns window = shared_.window_start.load();
        // Seconds of the measured window only: after its end connections are closing.
        // A scenario file's sessions run on past the phases until they end (or are cut).
        const bool in_window = config_.script || now <= shared_.window_end() + 100'000'000;
        if (window >= 0 && now > shared_.measure_start() && in_window && stopped_at < 0) {
            TimelinePoint p;
            p.t_s = static_cast<double>(now - shared_.measure_start()) / 1e9;
            p.sent = sent - last_sent_;
            p.received = received - last_received_;
            p.connections = open;
            p.errors = errors - last_errors_;
            if (second.total_count()) {
                p.p50_us = second.value_at_percentile(50);
                p.p99_us = second.value_at_percentile(99);
            }
            p.histogram = second.encode_base64();
            timeline.push_back(p);
        }
        if (!config_.quiet) {
            const double sent_rate = static_cast<double>(sent - last_sent_) / secs;
            const double recv_rate = static_cast<double>(received - last_received_) / secs;
            std::string line;
            if (config_.script) {
                Progress totals;
                for (auto& w : workers_) {
                    totals.sessions_started += w->progress.sessions_started.load();
                    totals.sessions_ended += w->progress.sessions_ended.load();
                    totals.sessions_failed += w->progress.sessions_failed.load();
                    totals.timeouts += w->progress.timeouts.load();
                }
                line = script_progress_line(static_cast<double>(now) / 1e9, totals, sent_rate,
                                            recv_rate, step_names_, steps_);
            } else {
                line = progress_line(static_cast<double>(now) / 1e9, open, config_.connections,
                                     sent_rate, recv_rate, errors, second);
            }
            progress_ << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n") << std::flush;
        }
        if (metrics_) {
            LiveCounters totals;
            for (const LiveCounters& w : live_) totals.add(w);
            metrics_->publish(totals, true);
            if (metrics_->dashboard()) {
                metrics_->second(live_second(sent - last_sent_, received - last_received_,
                                             errors - last_errors_, open, second, steps_));
            }
        }
        last_sent_ = sent;
        last_received_ = received;
        last_errors_ = errors;
        last_t_ = now;
    }

    Shared& shared_;
    const Config& config_;
    const std::vector<std::unique_ptr<Worker>>& workers_;
    std::ostream& progress_;
    std::vector<bool> outstanding_;  ///< a worker asked for its second has not answered yet
    std::vector<std::string> step_names_ =
        config_.script ? config_.script->step_names() : std::vector<std::string>{};
    std::vector<Histogram> steps_;  ///< scenario files: the last second per step
    Ns next_report_ = 1'000'000'000;
    Ns last_t_ = 0;
    std::uint64_t last_sent_ = 0;
    std::uint64_t last_received_ = 0;
    std::uint64_t last_errors_ = 0;
    MetricsService* metrics_;
    std::vector<LiveCounters> live_;  ///< --metrics: each worker's counters as last handed over
};

/// Broadcast: the deliveries expected, and every one that should have arrived and did not
/// (tail losses included).
void count_broadcast_losses(RunResult& result) {
    result.broadcast_expected = result.messages_sent * result.connections_established;
    const std::uint64_t dup = result.errors[static_cast<std::size_t>(ErrorKind::duplicated)];
    const std::uint64_t arrived =
        result.messages_received > dup ? result.messages_received - dup : 0;
    result.errors[static_cast<std::size_t>(ErrorKind::lost)] =
        result.broadcast_expected > arrived ? result.broadcast_expected - arrived : 0;
    if (result.connections_established > 0 && result.messages_sent == 0 && !result.interrupted &&
        result.fatal.empty()) {
        result.fatal = "the publisher (connection 0) sent nothing: it failed or never opened";
    }
}

/// Generator health: a saturated generator measures itself, not the target. `wall` is the
/// run's length in seconds.
void warn_about_generator(const Config& config, double wall, RunResult& result) {
    for (const auto& t : result.threads) {
        // Judged on the window (warmup and measured part) where there was one: the ramp and
        // the drain (a wait for late replies, mostly idle) would water a saturated window down.
        const double window =
            result.duration_s + std::chrono::duration<double>(config.warmup).count();
        const bool in_window = t.window_cpu_s && window > 1.0;
        const double cpu = in_window ? *t.window_cpu_s : t.cpu_s;
        const double span = in_window ? window : wall;
        if (span > 1.0 && cpu > 0.9 * span) {
            result.warnings.push_back("worker thread " + std::to_string(t.index) + " used " +
                                      std::to_string(static_cast<int>(100 * cpu / span)) +
                                      "% of a core" + (in_window ? " in the measured window" : "") +
                                      ": the generator may be the bottleneck (add -t threads)");
        }
    }
    if (config.open_loop() && result.schedule_lag.total_count() > 0 &&
        result.schedule_lag.value_at_percentile(99) > 1000) {
        result.warnings.push_back(
            "p99 schedule lag " +
            format_duration_us(static_cast<double>(result.schedule_lag.value_at_percentile(99))) +
            ": sends left later than intended; the generator is saturated or the "
            "target pushes back (latencies are corrected for it)");
    }
}

}  // namespace

PortSpace check_port_space(std::uint64_t connections, std::size_t source_addresses,
                           std::uint64_t ports_per_source) {
    PortSpace out;
    const std::uint64_t sources = std::max<std::size_t>(1, source_addresses);
    const std::uint64_t ports = ports_per_source * sources;
    const std::string what = std::to_string(ports) + " local ports available to one target from " +
                             std::to_string(sources) + " source address(es)";
    const std::string remedy =
        "add addresses with --source-ip (e.g. 127.0.0.1-127.0.0.20 on loopback)";
    if (connections > ports) {
        out.fatal =
            std::to_string(connections) + " connections do not fit the " + what + "; " + remedy;
    } else if (connections > ports / 2) {
        // Linux's connect() tries the ports of one parity first and walks all of them before
        // the other half: past half the range every connect() scans ~14k taken ports in the
        // kernel and the ramp collapses (measured: 50k over 2 addresses stalled at ~28k open,
        // over 4 addresses all 50k opened at 10k/s; docs/benchmarks.md).
        out.warning = std::to_string(connections) + " connections use more than half of the " +
                      what + ": the kernel's connect() slows down sharply past half; " + remedy;
    }
    return out;
}

RunResult finish_run(const Config& config, RunResult result, std::vector<WorkerOutcome> workers,
                     const RunTimes& times) {
    for (const auto& w : workers) merge(result, w.result);
    if (times.first_connect >= 0 && times.last_settle >= times.first_connect) {
        result.ramp_s = static_cast<double>(times.last_settle - times.first_connect) / 1e9;
    }
    const bool stopped = times.stopped_at >= 0;
    const bool lost_everything =
        std::any_of(workers.begin(), workers.end(), [](const auto& w) { return w.lost_all; }) &&
        std::all_of(workers.begin(), workers.end(), [](const auto& w) {
            return w.lost_all || w.result.connections_established == 0;
        });
    Ns last_lost = 0;
    for (const auto& w : workers) last_lost = std::max(last_lost, w.lost_at);
    const Ns measure_start = times.window_start + config.warmup.count();
    if (times.window_start >= 0) {
        const Ns window_end = measure_start + config.duration.count();
        Ns end = stopped ? std::min(times.stopped_at, window_end) : window_end;
        // The window ended when the target dropped the last connection.
        if (lost_everything) end = std::min(end, last_lost);
        result.duration_s = static_cast<double>(std::max<Ns>(0, end - measure_start)) / 1e9;
        // The wall-clock time of the measure start: the end's, less the steady time between.
        result.started =
            times.wall_at_end - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                    std::chrono::nanoseconds(times.ended - measure_start));
        if (config.script && !stopped) {
            // Until the last session ended or was cut, past the phases' end.
            for (const auto& w : workers) {
                result.duration_s = std::max(result.duration_s, w.result.duration_s);
            }
        }
        if (config.messages_per_connection > 0 && !stopped) {
            // -n: the window lasted until the last worker got its last reply.
            double longest = 0;
            for (const auto& w : workers) longest = std::max(longest, w.result.duration_s);
            if (longest > 0) result.duration_s = std::min(result.duration_s, longest);
        }
    }
    if (config.scenario == Scenario::broadcast) count_broadcast_losses(result);
    if (result.connections_established > 0 && !stopped && lost_everything) {
        const std::string when =
            format_duration_us(static_cast<double>(last_lost - measure_start) / 1e3) +
            " into the run";
        result.fatal =
            config.script
                ? "the target went away " + when + ": sessions could no longer open (" +
                      std::to_string(result.sessions->failed) + " failed)"
                : "every connection was lost " + when + ": the target closed or reset them";
    }
    if (result.fatal.empty() && !result.interrupted && result.messages_sent > 0 &&
        result.messages_received == 0 && !config.script) {
        result.fatal = "no reply came back for any of the " + std::to_string(result.messages_sent) +
                       " messages sent";
    }
    if (result.fatal.empty() && result.sessions && result.sessions->started > 0 &&
        result.sessions->completed == 0 && !result.sessions->errors.empty()) {
        // A protocol refused every session (auth, a namespace, a disconnect): say why.
        const auto worst =
            std::max_element(result.sessions->errors.begin(), result.sessions->errors.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        result.fatal = "no session completed: " + std::to_string(worst->second) + " of " +
                       std::to_string(result.sessions->started) + " ended by " + worst->first;
    }
    if (result.sessions) result.connections_target = result.sessions->started;
    if (result.connections_established == 0 && result.fatal.empty() && !result.interrupted) {
        std::string why;
        for (const auto& w : workers) {
            if (why.empty()) why = w.first_error;
        }
        result.fatal = "no connection could be opened to " + config.url_text + " (" +
                       std::to_string(result.connections_failed) + " failed" +
                       (why.empty() ? "" : "; " + why) + ")";
    }
    warn_about_generator(config, static_cast<double>(times.ended) / 1e9, result);
    return result;
}

RunResult run_load(const Config& requested, const std::atomic<bool>& interrupt,
                   std::ostream& progress, MetricsService* metrics) {
    // With --shard the run config holds this shard's part; the report keeps the totals.
    const ShardShare share = shard_share(requested);
    const Config config = run_config(requested, share);
    RunResult result;
    result.config = config;
    result.config.connections = requested.connections;
    result.config.rate = requested.rate;
    result.config.connect_rate = requested.connect_rate;
    result.connections_target = config.connections;

    Shared shared(config);
    if (metrics) metrics->begin(config);
    if (!preflight(config, shared, result)) return result;

    // Connections are dealt round robin, so every worker gets its share of each ramp step.
    std::vector<std::unique_ptr<Worker>> workers;
    // A scenario file's phases start at once: sessions open their connections as they go.
    if (config.script) shared.window_start.store(shared.now() + kWindowLeadNs);
    for (unsigned w = 0; w < config.threads; ++w) {
        std::vector<std::uint32_t> ids;
        for (std::uint64_t i = w; i < config.connections && !config.script; i += config.threads) {
            ids.push_back(static_cast<std::uint32_t>(share.first_connection + i));
        }
        workers.push_back(std::make_unique<Worker>(shared, w, std::move(ids)));
    }
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
    Monitor monitor(shared, workers, progress, metrics);
    monitor.run(interrupt, result.timeline);
    for (auto& t : threads) t.join();
    if (!config.quiet && monitor.tty) progress << "\n";

    std::vector<WorkerOutcome> outcomes;
    for (auto& w : workers) {
        outcomes.push_back(
            WorkerOutcome{std::move(w->result), w->lost_all(), w->lost_at(), w->first_error()});
    }
    RunTimes times;
    times.first_connect = shared.first_connect.load();
    times.last_settle = shared.last_settle.load();
    times.window_start = shared.window_start.load();
    times.stopped_at = monitor.stopped_at;
    times.ended = shared.now();
    times.wall_at_end = std::chrono::system_clock::now();
    RunResult done = finish_run(config, std::move(result), std::move(outcomes), times);
    if (metrics) {
        metrics->publish(live_counters(done, config.script ? config.script->step_names()
                                                           : std::vector<std::string>{}),
                         false);
    }
    return done;
}

ExitCode exit_code_for(const RunResult& result, bool slo_breached) {
    if (!result.fatal.empty() && result.connections_established == 0) return ExitCode::cannot_run;
    if (result.connections_established == 0 && result.interrupted) return ExitCode::cannot_run;
    if (slo_breached) return ExitCode::check_failed;
    if (!result.fatal.empty()) return ExitCode::check_failed;
    return ExitCode::ok;
}

}  // namespace wsb::loadgen
