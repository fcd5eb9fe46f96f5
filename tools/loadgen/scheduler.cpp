// Send and connect schedules: event k of a grid is at start + round((phase + k) * 1e9 / rate)
// ns, computed from k each time so no error accumulates.
#include "loadgen/scheduler.hpp"

#include <cmath>

namespace wsb::loadgen {
namespace {

constexpr double kNsPerS = 1e9;
// Above this a double no longer converts to std::uint64_t (2^64).
constexpr double kUint64Limit = 18446744073709551616.0;

// Event times on a regular grid. Dividing (phase + k) * 1e9 by the rate last, rather than
// multiplying k by a rounded interval, keeps integer rates exact: at 3/s event 3m is exactly
// m seconds after the start while k * 1e9 stays below 2^53 (the first nine million events).
// Beyond that each time is still within a small fraction of a nanosecond for any run shorter
// than a month (relative error 2^-53), and the error never accumulates.
struct Grid {
    double rate;  // events per second, > 0
    double phase;
    std::uint64_t start;

    std::uint64_t at(std::uint64_t k) const noexcept {
        const double offset = (phase + static_cast<double>(k)) * kNsPerS / rate + 0.5;
        if (!(offset < kUint64Limit)) return kNever;
        const auto ns = static_cast<std::uint64_t>(offset);
        return ns > kNever - start ? kNever : start + ns;
    }

    // Number of events at or before `now` (events that saturate at kNever never count).
    std::uint64_t count_through(std::uint64_t now) const noexcept {
        const auto reached = [&](std::uint64_t k) {
            const std::uint64_t t = at(k);
            return t != kNever && t <= now;
        };
        if (!reached(0)) return 0;
        // Estimate the last event reached, then correct the estimate against at() itself, so
        // the count agrees exactly with the rounded times whatever the floating-point error.
        const double estimate = static_cast<double>(now - start) * rate / kNsPerS - phase;
        std::uint64_t k = 0;
        if (estimate >= kUint64Limit) {
            k = kNever - 1;
        } else if (estimate > 0) {
            k = static_cast<std::uint64_t>(estimate);
        }
        while (k > 0 && !reached(k)) --k;
        while (k < kNever - 1 && reached(k + 1)) ++k;
        return k + 1;
    }
};

bool usable_rate(double rate) noexcept { return rate > 0 && std::isfinite(rate); }

}  // namespace

OpenLoopSchedule::OpenLoopSchedule(double rate_per_s, std::uint64_t start_ns, double phase) noexcept
    : rate_(usable_rate(rate_per_s) ? rate_per_s : 0),
      phase_(phase >= 0 && std::isfinite(phase) ? phase : 0),
      start_ns_(start_ns),
      next_due_(due_ns(0)) {}

std::uint64_t OpenLoopSchedule::due_ns(std::uint64_t k) const noexcept {
    if (rate_ <= 0) return kNever;
    return Grid{rate_, phase_, start_ns_}.at(k);
}

void OpenLoopSchedule::advance() noexcept {
    if (rate_ <= 0) return;
    ++index_;
    next_due_ = due_ns(index_);
}

std::uint64_t OpenLoopSchedule::due_by(std::uint64_t now_ns) const noexcept {
    if (next_due_ == kNever || now_ns < next_due_) return 0;
    const std::uint64_t through = Grid{rate_, phase_, start_ns_}.count_through(now_ns);
    return through > index_ ? through - index_ : 0;
}

std::uint64_t OpenLoopSchedule::interval_ns() const noexcept {
    if (rate_ <= 0) return kNever;
    const double ns = kNsPerS / rate_ + 0.5;
    return ns < kUint64Limit ? static_cast<std::uint64_t>(ns) : kNever;
}

double connection_phase(std::uint64_t connection_index, std::uint64_t connections) noexcept {
    if (connections == 0) return 0;
    return static_cast<double>(connection_index % connections) / static_cast<double>(connections);
}

ConnectRamp::ConnectRamp(double per_second, std::uint64_t start_ns) noexcept
    : rate_(usable_rate(per_second) ? per_second : 0), start_ns_(start_ns) {}

std::uint64_t ConnectRamp::allowed_by(std::uint64_t now_ns) const noexcept {
    if (rate_ <= 0) return now_ns < start_ns_ ? 0 : kNever;
    return Grid{rate_, 0, start_ns_}.count_through(now_ns);
}

std::uint64_t ConnectRamp::start_ns_of(std::uint64_t n) const noexcept {
    if (rate_ <= 0) return start_ns_;
    return Grid{rate_, 0, start_ns_}.at(n);
}

}  // namespace wsb::loadgen
