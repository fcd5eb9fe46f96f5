// Backoff: the delays between reconnection attempts: exponential from a minimum, capped, with
// "equal jitter" (half the delay fixed, half random), so a fleet of clients does not reconnect
// in step and no delay is ever near zero: never a busy loop. Pure: the generator is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace wsb::client {

class Backoff {
  public:
    using Millis = std::chrono::milliseconds;

    /// `min` is the first delay before jitter (above 0), `max` the cap (at least `min`).
    Backoff(Millis min, Millis max) noexcept : min_(min), max_(max) {}

    /// The delay before the next attempt: base = min * 2^attempts capped at max; the result
    /// lies in [base/2, base]. Counts the attempt.
    template <class URBG>
    Millis next(URBG& rng) {
        const Millis b = base();
        ++attempts_;
        const auto half = b.count() / 2;
        std::uniform_int_distribution<std::int64_t> jitter(0, b.count() - half);
        return Millis(half + jitter(rng));
    }

    /// The delay before jitter of the next attempt.
    Millis base() const noexcept {
        Millis b = min_;
        for (std::uint32_t i = 0; i < attempts_ && b < max_; ++i) b *= 2;
        return b < max_ ? b : max_;
    }
    /// A connection was opened and stayed up: the next loss starts again from `min`.
    void reset() noexcept { attempts_ = 0; }
    std::uint32_t attempts() const noexcept { return attempts_; }

  private:
    Millis min_;
    Millis max_;
    std::uint32_t attempts_ = 0;
};

}  // namespace wsb::client
