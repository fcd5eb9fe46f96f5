// Send and connect schedules of the load generator: pure arithmetic on times passed in (ns
// since the run's start), so the open-loop pacing is exact, drift-free and testable.
#pragma once

#include <cstdint>
#include <limits>

namespace wsb::loadgen {

/// A time no schedule reaches: next_due_ns() of a schedule that never sends.
inline constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

/// One connection's open-loop send schedule (DESIGN.md §6): send k (k = 0, 1, ...) is due at
/// start_ns + (phase + k) * interval, rounded to the nearest nanosecond. Each time is computed
/// from k, never by adding intervals, so the schedule does not drift however long it runs.
/// Latency is measured from these intended times, which corrects for coordinated omission.
class OpenLoopSchedule {
  public:
    /// A schedule of `rate_per_s` sends a second (finite and above 0; otherwise nothing is
    /// ever due) starting at `start_ns`, shifted by `phase` (0 <= phase < 1) of one interval;
    /// see connection_phase(). A negative or non-finite phase counts as 0.
    OpenLoopSchedule(double rate_per_s, std::uint64_t start_ns, double phase) noexcept;

    /// Intended time of the next send (the first one not yet advance()d past); kNever when
    /// the rate is not above 0.
    std::uint64_t next_due_ns() const noexcept { return next_due_; }

    /// Moves on to the following send.
    void advance() noexcept;

    /// How many sends, from the next one on, are due at or before `now_ns` (0 when the next
    /// one is still in the future): the number a worker that fell behind should send now.
    std::uint64_t due_by(std::uint64_t now_ns) const noexcept;

    /// The interval between sends, rounded to the nearest nanosecond (kNever when the rate is
    /// not above 0). For display and timers only: due times come from the exact interval.
    std::uint64_t interval_ns() const noexcept;

    /// Intended time of send `k` (0-based from the start of the schedule), saturating at
    /// kNever.
    std::uint64_t due_ns(std::uint64_t k) const noexcept;

    /// Number of sends advance()d past so far: the index of the next one.
    std::uint64_t index() const noexcept { return index_; }

  private:
    double rate_;  // sends per second; 0 when the schedule never sends
    double phase_;
    std::uint64_t start_ns_;
    std::uint64_t index_ = 0;
    std::uint64_t next_due_;
};

/// The phase (a fraction of one interval, in [0, 1)) of connection `connection_index` among
/// `connections` sending at the same rate: index / connections, so that together they send at
/// evenly spaced times and the total rate is smooth rather than bursty. Indexes at or above
/// `connections` wrap around; 0 when `connections` is 0.
double connection_phase(std::uint64_t connection_index, std::uint64_t connections) noexcept;

/// The pace of new connections for --connect-rate: the first may start at `start_ns`, then
/// one every 1/per_second seconds, each time computed from its index (no drift).
class ConnectRamp {
  public:
    /// A ramp of `per_second` connections a second from `start_ns`; 0 (or less, or
    /// infinite) is unlimited.
    ConnectRamp(double per_second, std::uint64_t start_ns) noexcept;

    /// How many connections may have been started by `now_ns`, counting the one at start_ns:
    /// 0 before start_ns, then 1 + floor(elapsed * per_second) up to rounding to whole
    /// nanoseconds (kNever from start_ns on when unlimited).
    std::uint64_t allowed_by(std::uint64_t now_ns) const noexcept;

    /// The earliest time connection `n` (0-based) may start, for a worker's timer: start_ns
    /// for n = 0 and whenever the ramp is unlimited; saturates at kNever.
    std::uint64_t start_ns_of(std::uint64_t n) const noexcept;

    /// True when --connect-rate was 0: every connection may start at once.
    bool unlimited() const noexcept { return rate_ <= 0; }

  private:
    double rate_;  // connections per second; 0 when unlimited
    std::uint64_t start_ns_;
};

}  // namespace wsb::loadgen
