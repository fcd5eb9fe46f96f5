// The coordinator: target resolution, limits, worker threads, the measured window, the
// progress line and the timeline, and the merge of the workers' results.
#include "loadgen/run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "loadgen/worker.hpp"
#include "wsbench/net/tls.hpp"
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

bool setup_tls(const Config& config, Shared& shared, std::string& error) {
    shared.tls = net::make_client_context({config.insecure, config.ca_file}, error);
    return shared.tls != nullptr;
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

RunResult run_load(const Config& requested, const std::atomic<bool>& interrupt,
                   std::ostream& progress) {
    // With --shard the run config holds this shard's part; the report keeps the totals.
    Config config = requested;
    const ShardShare share = shard_share(requested);
    config.connections = share.connections;
    config.rate = share.rate;
    config.connect_rate = share.connect_rate;
    if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
    config.threads = static_cast<unsigned>(
        std::min<std::uint64_t>(config.threads, std::max<std::uint64_t>(1, config.connections)));
    auto reported = [&requested](const Config& run) {
        Config c = run;
        c.connections = requested.connections;
        c.rate = requested.rate;
        c.connect_rate = requested.connect_rate;
        return c;
    };

    RunResult result;
    result.config = reported(config);
    result.connections_target = config.connections;

    // Port space: one (source address, target) pair offers the ephemeral range once.
    const PortSpace space =
        check_port_space(config.connections, config.source_ips.size(), ephemeral_ports());
    if (!space.fatal.empty()) {
        result.fatal = space.fatal;
        return result;
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
        return result;
    }
    if (fds.soft > 1024 && config.verbosity > 0) {
        log_line(LogLevel::info, "open-file limit raised to " + std::to_string(fds.soft));
    }

    Shared shared(config);
    {
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        asio::error_code ec;
        auto endpoints = resolver.resolve(config.url.host, std::to_string(config.url.port), ec);
        if (ec || endpoints.empty()) {
            result.fatal =
                "cannot resolve " + config.url.host + ": " + (ec ? ec.message() : "no address");
            return result;
        }
        shared.target = endpoints.begin()->endpoint();
    }
    for (const auto& s : config.source_ips) {
        asio::error_code ec;
        shared.source_ips.push_back(asio::ip::make_address(s, ec));
        if (ec) {
            result.fatal = "--source-ip " + s + ": " + ec.message();
            return result;
        }
    }
    if (config.url.secure) {
        std::string error;
        if (!setup_tls(config, shared, error)) {
            result.fatal = error;
            return result;
        }
    }

    // Connections are dealt round robin, so every worker gets its share of each ramp step.
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned w = 0; w < config.threads; ++w) {
        std::vector<std::uint32_t> ids;
        for (std::uint64_t i = w; i < config.connections; i += config.threads) {
            ids.push_back(static_cast<std::uint32_t>(share.first_connection + i));
        }
        workers.push_back(std::make_unique<Worker>(shared, w, std::move(ids)));
    }
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

    const bool tty = isatty(STDERR_FILENO) != 0;
    auto sum = [&](auto member) {
        std::uint64_t n = 0;
        for (auto& w : workers) n += (w->progress.*member).load(std::memory_order_relaxed);
        return n;
    };
    Ns next_report = 1'000'000'000;
    std::uint64_t last_sent = 0;
    std::uint64_t last_received = 0;
    std::uint64_t last_errors = 0;
    Ns last_t = 0;
    Ns stopped_at = -1;
    std::vector<bool> outstanding(workers.size(), false);
    while (shared.workers_done.load() < workers.size()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const Ns now = shared.now();
        if (interrupt.load() && !shared.stop.load()) {
            shared.stop.store(true);
            stopped_at = now;
        }
        if (shared.window_start.load() < 0 && shared.settled.load() >= config.connections) {
            // Slightly ahead, so every worker has built its schedule before the first send is
            // due: the generator's own wake-up is not charged to the target.
            shared.window_start.store(now + kWindowLeadNs);
            if (!config.quiet) {
                const std::uint64_t open = sum(&Progress::open);
                progress << (tty ? "\r\033[K" : "") << "all connections settled: " << open
                         << " open, " << (config.connections - open) << " failed; measuring"
                         << std::endl;
            }
            last_t = now + kWindowLeadNs;
            next_report = now + kWindowLeadNs + 1'000'000'000;
        }
        if (now < next_report) continue;
        next_report += 1'000'000'000;

        // One second: deltas of the workers' counters and the merged latency of the second.
        // Ask every worker for its second of latencies; each answers at its next 10 ms tick.
        // At most one request per worker is outstanding: a worker that did not answer in
        // time keeps its request, and its answer is taken a second later.
        Histogram second;
        for (std::size_t i = 0; i < workers.size(); ++i) {
            if (!outstanding[i]) {
                workers[i]->request_interval();
                outstanding[i] = true;
            }
        }
        // Up to 300 ms: a worker busy with a long turn, or descheduled on a loaded machine,
        // answers late; its second then lands in the next one (and shows as a gap here).
        for (int tries = 0; tries < 60; ++tries) {
            bool all = true;
            for (std::size_t i = 0; i < workers.size(); ++i) {
                if (outstanding[i] && workers[i]->take_interval(second)) outstanding[i] = false;
                all = all && !outstanding[i];
            }
            if (all) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        const std::uint64_t sent = sum(&Progress::sent);
        const std::uint64_t received = sum(&Progress::received);
        const std::uint64_t errors = sum(&Progress::errors);
        const std::uint64_t open = sum(&Progress::open);
        const double secs = std::max(1e-9, static_cast<double>(now - last_t) / 1e9);
        const Ns window = shared.window_start.load();
        // Seconds of the measured window only: after its end connections are closing.
        if (window >= 0 && now > shared.measure_start() &&
            now <= shared.window_end() + 100'000'000 && stopped_at < 0) {
            TimelinePoint p;
            p.t_s = static_cast<double>(now - shared.measure_start()) / 1e9;
            p.sent = sent - last_sent;
            p.received = received - last_received;
            p.connections = open;
            p.errors = errors - last_errors;
            if (second.total_count()) {
                p.p50_us = second.value_at_percentile(50);
                p.p99_us = second.value_at_percentile(99);
            }
            p.histogram = second.encode_base64();
            result.timeline.push_back(p);
        }
        if (!config.quiet) {
            const std::string line =
                progress_line(static_cast<double>(now) / 1e9, open, config.connections,
                              static_cast<double>(sent - last_sent) / secs,
                              static_cast<double>(received - last_received) / secs, errors, second);
            progress << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n") << std::flush;
        }
        last_sent = sent;
        last_received = received;
        last_errors = errors;
        last_t = now;
    }
    for (auto& t : threads) t.join();
    if (!config.quiet && tty) progress << "\n";

    for (auto& w : workers) merge(result, w->result);
    result.config = reported(config);
    result.connections_target = config.connections;
    if (shared.first_connect.load() >= 0 &&
        shared.last_settle.load() >= shared.first_connect.load()) {
        result.ramp_s =
            static_cast<double>(shared.last_settle.load() - shared.first_connect.load()) / 1e9;
    }
    const bool lost_everything =
        std::any_of(workers.begin(), workers.end(), [](const auto& w) { return w->lost_all(); }) &&
        std::all_of(workers.begin(), workers.end(), [](const auto& w) {
            return w->lost_all() || w->result.connections_established == 0;
        });
    const Ns window = shared.window_start.load();
    if (window >= 0) {
        const Ns begin = shared.measure_start();
        Ns end = stopped_at >= 0 ? std::min(stopped_at, shared.window_end()) : shared.window_end();
        if (lost_everything) {
            // The window ended when the target dropped the last connection.
            Ns last = 0;
            for (const auto& w : workers) last = std::max(last, w->lost_at());
            end = std::min(end, last);
        }
        result.duration_s = static_cast<double>(std::max<Ns>(0, end - begin)) / 1e9;
        // The wall-clock time of `begin`: now, less the steady time elapsed since.
        result.started = std::chrono::system_clock::now() -
                         std::chrono::duration_cast<std::chrono::system_clock::duration>(
                             std::chrono::nanoseconds(shared.now() - begin));
        if (config.messages_per_connection > 0 && stopped_at < 0) {
            // -n: the window lasted until the last worker got its last reply.
            double longest = 0;
            for (const auto& w : workers) longest = std::max(longest, w->result.duration_s);
            if (longest > 0) result.duration_s = std::min(result.duration_s, longest);
        }
    }
    if (config.scenario == Scenario::broadcast) {
        result.broadcast_expected = result.messages_sent * result.connections_established;
    }
    if (config.scenario == Scenario::broadcast) {
        // Every delivery that should have arrived and did not (tail losses included).
        const std::uint64_t dup = result.errors[static_cast<std::size_t>(ErrorKind::duplicated)];
        const std::uint64_t arrived =
            result.messages_received > dup ? result.messages_received - dup : 0;
        result.errors[static_cast<std::size_t>(ErrorKind::lost)] =
            result.broadcast_expected > arrived ? result.broadcast_expected - arrived : 0;
        if (result.connections_established > 0 && result.messages_sent == 0 &&
            !result.interrupted && result.fatal.empty()) {
            result.fatal = "the publisher (connection 0) sent nothing: it failed or never opened";
        }
    }
    if (result.connections_established > 0 && stopped_at < 0 && lost_everything) {
        Ns last = 0;
        for (const auto& w : workers) last = std::max(last, w->lost_at());
        result.fatal =
            "every connection was lost " +
            format_duration_us(static_cast<double>(last - shared.measure_start()) / 1e3) +
            " into the run: the target closed or reset them";
    }
    if (result.fatal.empty() && !result.interrupted && result.messages_sent > 0 &&
        result.messages_received == 0) {
        result.fatal = "no reply came back for any of the " + std::to_string(result.messages_sent) +
                       " messages sent";
    }
    if (result.connections_established == 0 && result.fatal.empty() && !result.interrupted) {
        std::string why;
        for (const auto& w : workers) {
            if (why.empty()) why = w->first_error();
        }
        result.fatal = "no connection could be opened to " + config.url_text + " (" +
                       std::to_string(result.connections_failed) + " failed" +
                       (why.empty() ? "" : "; " + why) + ")";
    }

    // Generator health: a saturated generator measures itself, not the target.
    const double wall = static_cast<double>(shared.now()) / 1e9;
    for (const auto& t : result.threads) {
        if (wall > 1.0 && t.cpu_s > 0.9 * wall) {
            result.warnings.push_back(
                "worker thread " + std::to_string(t.index) + " used " +
                std::to_string(static_cast<int>(100 * t.cpu_s / wall)) +
                "% of a core: the generator may be the bottleneck (add -t threads)");
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
    return result;
}

ExitCode exit_code_for(const RunResult& result, bool slo_breached) {
    if (!result.fatal.empty() && result.connections_established == 0) return ExitCode::cannot_run;
    if (result.connections_established == 0 && result.interrupted) return ExitCode::cannot_run;
    if (slo_breached) return ExitCode::check_failed;
    if (!result.fatal.empty()) return ExitCode::check_failed;
    return ExitCode::ok;
}

}  // namespace wsb::loadgen
