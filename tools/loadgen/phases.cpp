// PhasePlan: the phases' arrivals and users, one worker's share.
#include "loadgen/phases.hpp"

#include <cmath>

namespace wsb::loadgen {

double arrival_time(double rate0, double rate1, double duration_s, double k) {
    if (k <= 0) return 0;
    // rate0 t + a t^2 = k with a = (rate1 - rate0) / (2 D): the smaller positive root, in the
    // form that stays exact when a is 0 (no ramp) and when rate0 is 0.
    const double a = duration_s > 0 ? (rate1 - rate0) / (2 * duration_s) : 0;
    const double disc = rate0 * rate0 + 4 * a * k;
    if (disc < 0) return -1;
    const double denominator = rate0 + std::sqrt(disc);
    return denominator > 0 ? 2 * k / denominator : -1;
}

PhasePlan::PhasePlan(std::vector<scenario::Phase> phases, std::uint64_t shard_index,
                     std::uint64_t shard_count, unsigned worker, unsigned threads)
    : phases_(std::move(phases)),
      shard_index_(shard_index),
      shard_count_(shard_count == 0 ? 1 : shard_count),
      worker_(worker),
      threads_(threads == 0 ? 1 : threads) {
    for (const scenario::Phase& p : phases_) {
        starts_.push_back(end_);
        end_ += p.duration.count();
    }
}

std::size_t PhasePlan::phase_at(PhaseNs t) const noexcept {
    for (std::size_t i = 0; i < phases_.size(); ++i) {
        if (t < starts_[i] + phases_[i].duration.count()) return i;
    }
    return phases_.size();
}

bool PhasePlan::arrival_in(std::size_t phase, std::uint64_t k, PhaseNs& at) const {
    const scenario::Phase& p = phases_[phase];
    const double d = std::chrono::duration<double>(p.duration).count();
    const double t = arrival_time(p.arrival_rate, p.ramp_to, d, static_cast<double>(k));
    if (t < 0 || t >= d) return false;
    at = starts_[phase] + static_cast<PhaseNs>(std::llround(t * 1e9));
    return at < starts_[phase] + p.duration.count();
}

PhaseNs PhasePlan::next_arrival() {
    while (arrival_phase_ < phases_.size()) {
        if (phases_[arrival_phase_].open) {
            // This worker's m-th arrival is the shard's j = m T + w, the run's k = j N + I.
            const std::uint64_t j = arrival_m_ * threads_ + worker_;
            const std::uint64_t k = j * shard_count_ + shard_index_;
            PhaseNs at = 0;
            if (arrival_in(arrival_phase_, k, at)) {
                ++arrival_m_;
                return at;
            }
        }
        ++arrival_phase_;
        arrival_m_ = 0;
    }
    return -1;
}

std::vector<std::uint64_t> PhasePlan::users(std::size_t phase) const {
    std::vector<std::uint64_t> out;
    if (phase >= phases_.size() || phases_[phase].open) return out;
    const std::uint64_t total = phases_[phase].users;
    // The shard's j-th user is the run's u = j N + I; this worker's are j % T == w.
    for (std::uint64_t j = worker_;; j += threads_) {
        const std::uint64_t u = j * shard_count_ + shard_index_;
        if (u >= total) break;
        out.push_back(u);
    }
    return out;
}

}  // namespace wsb::loadgen
