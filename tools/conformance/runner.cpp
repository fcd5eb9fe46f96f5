// Case runner: selection, scheduling on one io_context, judging, progress (see runner.hpp).
#include "conformance/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "conformance/session.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/report.hpp"
#include "wsbench/system.hpp"

namespace wsb::conformance {

bool glob_match(std::string_view p, std::string_view s) noexcept {
    // Iterative wildcard match with backtracking to the last '*'.
    std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
    while (si < s.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
            ++pi;
            ++si;
        } else if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

Selection select_cases(const std::vector<CaseSpec>& all, const std::vector<std::string>& includes,
                       const std::vector<std::string>& excludes) {
    Selection sel;
    auto matches_any = [&](const std::string& id, const std::vector<std::string>& pats) {
        for (const auto& p : pats) {
            if (glob_match(p, id)) return true;
        }
        return false;
    };
    for (const auto* pats : {&includes, &excludes}) {
        for (const auto& p : *pats) {
            const bool any = std::any_of(all.begin(), all.end(),
                                         [&](const CaseSpec& c) { return glob_match(p, c.id); });
            if (!any) sel.unmatched.push_back(p);
        }
    }
    for (const CaseSpec& c : all) {
        if (matches_any(c.id, includes) && !matches_any(c.id, excludes)) sel.cases.push_back(&c);
    }
    return sel;
}

std::string probe_target(const Config& config) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    std::error_code ec;
    const auto endpoints = resolver.resolve(config.url.host, std::to_string(config.url.port), ec);
    const std::string prefix = "cannot connect to " + config.url_text + ": ";
    if (ec) return prefix + "cannot resolve " + config.url.host + " (" + ec.message() + ")";
    asio::ip::tcp::socket socket(io);
    asio::steady_timer timer(io);
    std::error_code result = asio::error::timed_out;
    asio::async_connect(socket, endpoints,
                        [&](const std::error_code& e, const asio::ip::tcp::endpoint&) {
                            result = e;
                            timer.cancel();
                        });
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(kOpenHandshakeTimeout * config.timeout_scale)));
    timer.async_wait([&](const std::error_code& e) {
        if (!e) socket.close();
    });
    io.run();
    if (!result) return {};
    std::string why = result.message();
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return prefix + why;
}

namespace {

using Clock = std::chrono::steady_clock;

std::string server_header(const Observation& obs) {
    for (const auto& [name, value] : obs.response_headers) {
        if (name.size() == 6 && (name[0] == 'S' || name[0] == 's') &&
            (name.substr(1) == "erver" || name.substr(1) == "ERVER")) {
            return value;
        }
    }
    return {};
}

class Scheduler {
  public:
    Scheduler(const Config& config, const std::vector<const CaseSpec*>& cases,
              const std::atomic<bool>& interrupt, std::ostream& progress, RunResult& result)
        : config_(config), interrupt_(interrupt), progress_(progress), result_(result), tick_(io_) {
        result_.cases.resize(cases.size());
        for (std::size_t i = 0; i < cases.size(); ++i) {
            result_.cases[i].spec = cases[i];
            (cases[i]->performance               ? apart_
             : !cases[i]->deflate_offers.empty() ? compressed_
                                                 : together_)
                .push_back(i);
        }
    }

    void run() {
        t0_ = Clock::now();
        asio::ip::tcp::resolver resolver(io_);
        std::error_code ec;
        endpoints_ = resolver.resolve(config_.url.host, std::to_string(config_.url.port), ec);
        if (config_.url.secure) {
            // The CLI has checked --ca (net::check_ca_file), so this fails only when OpenSSL
            // itself does: then every case fails its TLS handshake and says why.
            std::string error;
            tls_ = net::make_client_context({config_.insecure, config_.ca_file}, error);
            if (!tls_) log_line(LogLevel::error, error);
        }
        schedule();
        arm_tick();
        io_.run();
        result_.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0_).count();
        if (!config_.quiet) print_progress(true);
    }

  private:
    void schedule() {
        if (stopping_) return;
        // Cases whose timing could disturb each other (9.x) run one at a time, after the rest.
        while (next_together_ < together_.size() && running_ < std::max(1u, config_.parallel)) {
            launch(together_[next_together_++]);
        }
        if (next_together_ < together_.size()) return;
        // 12-13 are CPU-bound on both sides: one per core, so that the small cases' 1000 round
        // trips do not wait behind other cases' 128 KiB compressions (and time out).
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        while (next_compressed_ < compressed_.size() &&
               running_ < std::min(cores, std::max(1u, config_.parallel))) {
            launch(compressed_[next_compressed_++]);
        }
        if (next_compressed_ < compressed_.size() || running_ > 0) return;
        if (next_apart_ < apart_.size()) launch(apart_[next_apart_++]);
    }

    void launch(std::size_t i) {
        CaseResult& r = result_.cases[i];
        r.started = format_rfc3339_utc(std::chrono::system_clock::now());
        ++running_;
        auto s = std::make_shared<Session>(
            io_, endpoints_, *r.spec, config_, 0x9E3779B97F4A7C15ull * (i + 1) + seed_, tls_.get(),
            [this, i](Observation&& obs) { on_done(i, std::move(obs)); });
        active_[i] = s;
        s->start();
    }

    void on_done(std::size_t i, Observation&& obs) {
        CaseResult& r = result_.cases[i];
        r.ran = true;
        r.obs = std::move(obs);
        r.verdict = judge(*r.spec, r.obs);
        if (result_.agent.empty()) result_.agent = server_header(r.obs);
        --running_;
        ++done_;
        if (is_failure(r.verdict, config_.strict)) ++failed_;
        if (config_.verbosity > 0 && !config_.quiet) {
            std::ostringstream line;
            if (live()) line << "\r\033[K";  // over the live progress line
            line << "wsbench-conformance: case " << r.spec->id << ": "
                 << to_string(r.verdict.behavior) << " / " << to_string(r.verdict.behavior_close)
                 << " (" << static_cast<long long>(r.obs.duration_ms) << " ms)\n";
            progress_ << line.str() << std::flush;
        }
        // Release the session after its handler returns.
        auto it = active_.find(i);
        if (it != active_.end()) {
            auto keep = it->second;
            active_.erase(it);
            asio::post(io_, [keep] {});
        }
        schedule();
        if (finished()) tick_.cancel();
    }

    bool finished() const {
        return running_ == 0 && (stopping_ || (next_together_ == together_.size() &&
                                               next_compressed_ == compressed_.size() &&
                                               next_apart_ == apart_.size()));
    }

    void arm_tick() {
        tick_.expires_after(std::chrono::milliseconds(50));
        tick_.async_wait([this](const std::error_code& ec) {
            // A tick that had already expired when the last case ended is not cancelled by
            // on_done's cancel() (its handler was queued): it must not arm the next one, or
            // io_.run() never returns.
            if (ec || finished()) return;
            if (interrupt_.load() && !stopping_) {
                stopping_ = true;
                result_.interrupted = true;
                for (auto& [i, s] : active_) s->interrupt();
                if (running_ == 0) return;
            }
            if (!config_.quiet && Clock::now() - last_print_ >= std::chrono::seconds(1)) {
                print_progress(false);
            }
            arm_tick();
        });
    }

    // A terminal gets one live progress line; anything else periodic plain lines.
    bool live() const { return &progress_ == &std::cerr && ::isatty(STDERR_FILENO); }

    void print_progress(bool final) {
        last_print_ = Clock::now();
        const double s = std::chrono::duration<double>(Clock::now() - t0_).count();
        // A live line on a terminal, plain lines otherwise (DESIGN §4).
        const bool is_live = live();
        char line[200];
        std::snprintf(line, sizeof line,
                      "%swsbench-conformance: [%5.1fs] %zu/%zu cases done, %u running, %zu "
                      "failed%s%s",
                      is_live ? "\r" : "", s, done_, result_.cases.size(), running_, failed_,
                      final ? (result_.interrupted ? " (interrupted)" : " (finished)") : "",
                      is_live ? (final ? "\033[K\n" : "\033[K") : "\n");
        progress_ << line << std::flush;
    }

    const Config& config_;
    const std::atomic<bool>& interrupt_;
    std::ostream& progress_;
    RunResult& result_;
    asio::io_context io_;
    asio::steady_timer tick_;
    asio::ip::tcp::resolver::results_type endpoints_;
    std::shared_ptr<asio::ssl::context> tls_;
    std::vector<std::size_t> together_, compressed_, apart_;  // 1-7/10/H/M, 12-13, 9
    std::size_t next_together_ = 0, next_compressed_ = 0, next_apart_ = 0;
    unsigned running_ = 0;
    std::size_t done_ = 0, failed_ = 0;
    bool stopping_ = false;
    std::map<std::size_t, std::shared_ptr<Session>> active_;
    Clock::time_point t0_{}, last_print_{Clock::now()};
    std::uint64_t seed_ = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
};

}  // namespace

RunResult run_cases(const Config& config, const std::vector<const CaseSpec*>& cases,
                    const std::atomic<bool>& interrupt, std::ostream& progress) {
    RunResult result;
    result.started = format_rfc3339_utc(std::chrono::system_clock::now());
    Scheduler(config, cases, interrupt, progress, result).run();
    if (!config.agent.empty()) result.agent = config.agent;
    if (result.agent.empty()) result.agent = "UnknownServer";
    return result;
}

ExitCode exit_code_for(const RunResult& result, bool strict) {
    if (!result.fatal.empty()) return ExitCode::cannot_run;
    if (result.interrupted) return ExitCode::check_failed;
    for (const CaseResult& c : result.cases) {
        if (!c.ran || is_failure(c.verdict, strict)) return ExitCode::check_failed;
    }
    return ExitCode::ok;
}

std::string summary_text(const RunResult& result, bool strict) {
    std::map<std::string, std::size_t> behavior, close;
    std::size_t ran = 0;
    std::vector<const CaseResult*> notable;
    for (const CaseResult& c : result.cases) {
        if (!c.ran) continue;
        ++ran;
        ++behavior[to_string(c.verdict.behavior)];
        ++close[to_string(c.verdict.behavior_close)];
        if (c.verdict.behavior != Behavior::ok || c.verdict.behavior_close != CloseBehavior::ok) {
            notable.push_back(&c);
        }
    }
    std::ostringstream s;
    char line[200];
    std::snprintf(line, sizeof line,
                  "wsbench-conformance @ agent %s: %zu of %zu cases run in %.2f s%s\n",
                  result.agent.c_str(), ran, result.cases.size(), result.wall_ms / 1000.0,
                  result.interrupted ? " (interrupted)" : "");
    s << line;
    s << "  behavior      ";
    for (const Behavior b : report::kBehaviors) {
        std::snprintf(line, sizeof line, " %s %zu ", to_string(b), behavior[to_string(b)]);
        s << line;
    }
    s << "\n  behaviorClose ";
    for (const CloseBehavior b : report::kCloseBehaviors) {
        std::snprintf(line, sizeof line, " %s %zu ", to_string(b), close[to_string(b)]);
        s << line;
    }
    s << "\n";
    const std::size_t max_list = 40;
    for (std::size_t i = 0; i < notable.size() && i < max_list; ++i) {
        const CaseResult& c = *notable[i];
        const bool fail = is_failure(c.verdict, strict);
        std::snprintf(line, sizeof line, "  %-8s %-13s %-16s %s\n", c.spec->id.c_str(),
                      to_string(c.verdict.behavior), to_string(c.verdict.behavior_close),
                      fail ? "FAIL" : "pass");
        s << line;
        const std::string& why =
            c.verdict.behavior != Behavior::ok ? c.verdict.result : c.verdict.result_close;
        s << "           " << why.substr(0, 160) << "\n";
    }
    if (notable.size() > max_list) {
        s << "  ... and " << notable.size() - max_list << " more (see the report)\n";
    }
    return s.str();
}

}  // namespace wsb::conformance
