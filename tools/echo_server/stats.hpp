// Server statistics: per-thread message counters (no shared cache line per message) and
// the rarer connection events, rendered as the /stats JSON.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wsb::echo {

/// Message and byte counts of one direction for one message type.
struct Counter {
    std::atomic<std::uint64_t> messages{0};
    std::atomic<std::uint64_t> bytes{0};
    void add(std::uint64_t n) noexcept {
        messages.fetch_add(1, std::memory_order_relaxed);
        bytes.fetch_add(n, std::memory_order_relaxed);
    }
};

/// The counters one I/O thread writes; on its own cache lines.
struct alignas(64) StatsShard {
    std::array<Counter, 2> in;   ///< [0] text, [1] binary
    std::array<Counter, 2> out;  ///< [0] text, [1] binary
};

/// The end of a --log-connections close line for a connection closed for a full send queue:
/// the cause and the messages (payload bytes) it was never delivered.
inline std::string send_queue_full_fields(std::uint64_t messages, std::uint64_t bytes) {
    return " cause=send_queue_full undelivered_messages=" + std::to_string(messages) +
           " undelivered_bytes=" + std::to_string(bytes);
}

class Stats {
  public:
    explicit Stats(unsigned shards);

    /// The calling thread's shard (assigned on first use, round robin).
    StatsShard& shard() noexcept;

    void on_accepted() noexcept { accepted_.fetch_add(1, std::memory_order_relaxed); }
    void on_rejected() noexcept { rejected_.fetch_add(1, std::memory_order_relaxed); }
    void on_handshake_failed() noexcept { failed_.fetch_add(1, std::memory_order_relaxed); }
    void on_open() noexcept { open_.fetch_add(1, std::memory_order_relaxed); }
    /// A connection that was open closed with `code` (the one its peer sent, else ours).
    void on_close(std::uint16_t code);
    /// A connection closed with 1008 because its unsent data passed --max-send-queue; with
    /// the messages (and their payload bytes) it had been sent that it will never get.
    void on_send_queue_close(std::uint64_t messages, std::uint64_t bytes) noexcept {
        policy_closes_.fetch_add(1, std::memory_order_relaxed);
        on_undelivered(messages, bytes);
    }
    /// More messages a connection closed for its send queue will never get (those still
    /// unwritten when its TCP connection was dropped).
    void on_undelivered(std::uint64_t messages, std::uint64_t bytes) noexcept {
        undelivered_messages_.fetch_add(messages, std::memory_order_relaxed);
        undelivered_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    }

    std::uint64_t open() const noexcept { return open_.load(std::memory_order_relaxed); }

    /// The /stats document: connections, messages and bytes in/out by type, connections
    /// closed for a full send queue and what they were not delivered, close codes seen,
    /// uptime.
    nlohmann::json snapshot() const;

  private:
    const std::uint64_t serial_;  // distinct for every Stats of the process (shard() caches)
    std::vector<std::unique_ptr<StatsShard>> shards_;
    std::atomic<unsigned> next_shard_{0};
    std::atomic<std::uint64_t> open_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> policy_closes_{0};
    std::atomic<std::uint64_t> undelivered_messages_{0};
    std::atomic<std::uint64_t> undelivered_bytes_{0};
    mutable std::mutex close_mutex_;
    std::map<std::uint16_t, std::uint64_t> close_codes_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace wsb::echo
