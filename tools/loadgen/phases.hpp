// When a worker starts the sessions of a scenario file: the phases one after another, the
// open model's arrivals (linear ramps) and the closed model's user slots, divided exactly
// between the shards of a --shard run and the workers of each. Pure: no clock, no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "wsbench/scenario/model.hpp"

namespace wsb::loadgen {

/// Nanoseconds since the phases began.
using PhaseNs = std::int64_t;

/// One worker's share of a run's phases. The whole run's open-model arrivals are numbered
/// k = 0, 1, 2, ... within each phase, arrival k due when the phase's cumulative arrivals
/// rate0 t + (rate1 - rate0) t^2 / (2 D) reach k; shard I of N takes the k with k % N == I,
/// and worker w of T the shard's j-th ones with j % T == w. The closed model's users are
/// dealt the same way: shard I runs users u with u % N == I, worker w every T-th of those.
class PhasePlan {
  public:
    PhasePlan(std::vector<scenario::Phase> phases, std::uint64_t shard_index,
              std::uint64_t shard_count, unsigned worker, unsigned threads);

    /// When the last phase ends.
    PhaseNs end() const noexcept { return end_; }
    /// The index of the phase running at `t`, or phases().size() at and after end().
    std::size_t phase_at(PhaseNs t) const noexcept;
    const std::vector<scenario::Phase>& phases() const noexcept { return phases_; }
    PhaseNs phase_start(std::size_t i) const { return starts_[i]; }

    /// Open model: the intended time of this worker's next arrival (advancing past it), or
    /// -1 when no open-model phase has one left.
    PhaseNs next_arrival();

    /// Closed model: the run-wide user ids (conn.id) this worker keeps running during
    /// closed phase `phase` (none for an open phase).
    std::vector<std::uint64_t> users(std::size_t phase) const;

  private:
    bool arrival_in(std::size_t phase, std::uint64_t k, PhaseNs& at) const;

    std::vector<scenario::Phase> phases_;
    std::vector<PhaseNs> starts_;
    PhaseNs end_ = 0;
    std::uint64_t shard_index_;
    std::uint64_t shard_count_;
    unsigned worker_;
    unsigned threads_;
    std::size_t arrival_phase_ = 0;  ///< next_arrival(): the phase being walked
    std::uint64_t arrival_m_ = 0;    ///< ... and this worker's m-th arrival in it
};

/// The time (seconds into the phase) at which a phase's cumulative arrivals reach `k`, for a
/// rate ramped linearly from `rate0` to `rate1` over `duration_s`; negative when they never do
/// (a ramp down to 0 before k).
double arrival_time(double rate0, double rate1, double duration_s, double k);

}  // namespace wsb::loadgen
