// Server statistics: shard assignment, close codes and the /stats JSON.
#include "echo_server/stats.hpp"

namespace wsb::echo {

namespace {
std::atomic<std::uint64_t> g_next_serial{1};
}  // namespace

Stats::Stats(unsigned shards) : serial_(g_next_serial.fetch_add(1, std::memory_order_relaxed)) {
    if (shards == 0) shards = 1;
    for (unsigned i = 0; i < shards; ++i) shards_.push_back(std::make_unique<StatsShard>());
}

StatsShard& Stats::shard() noexcept {
    // One cached shard per thread and Stats object; threads beyond the shard count share
    // (the counters are atomic, so sharing costs speed, never correctness). The cache is
    // keyed by serial, not address: a Stats made where a destroyed one lived is another.
    thread_local std::uint64_t owner = 0;
    thread_local StatsShard* mine = nullptr;
    if (owner != serial_) {
        owner = serial_;
        const unsigned i = next_shard_.fetch_add(1, std::memory_order_relaxed);
        mine = shards_[i % shards_.size()].get();
    }
    return *mine;
}

void Stats::on_close(std::uint16_t code) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(close_mutex_);
    ++close_codes_[code];
}

nlohmann::json Stats::snapshot() const {
    std::uint64_t in[2][2] = {};
    std::uint64_t out[2][2] = {};
    for (const auto& s : shards_) {
        for (int t = 0; t < 2; ++t) {
            in[t][0] += s->in[t].messages.load(std::memory_order_relaxed);
            in[t][1] += s->in[t].bytes.load(std::memory_order_relaxed);
            out[t][0] += s->out[t].messages.load(std::memory_order_relaxed);
            out[t][1] += s->out[t].bytes.load(std::memory_order_relaxed);
        }
    }
    auto direction = [](const std::uint64_t(&d)[2][2]) {
        return nlohmann::json{
            {"text", {{"messages", d[0][0]}, {"bytes", d[0][1]}}},
            {"binary", {{"messages", d[1][0]}, {"bytes", d[1][1]}}},
            {"messages", d[0][0] + d[1][0]},
            {"bytes", d[0][1] + d[1][1]},
        };
    };
    nlohmann::json codes = nlohmann::json::object();
    {
        std::lock_guard<std::mutex> lock(close_mutex_);
        for (const auto& [code, count] : close_codes_) codes[std::to_string(code)] = count;
    }
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return {
        {"uptime_s", uptime},
        {"connections",
         {{"open", open_.load(std::memory_order_relaxed)},
          {"accepted", accepted_.load(std::memory_order_relaxed)},
          {"rejected", rejected_.load(std::memory_order_relaxed)},
          {"handshake_failed", failed_.load(std::memory_order_relaxed)},
          {"closed_by_policy", policy_closes_.load(std::memory_order_relaxed)}}},
        {"in", direction(in)},
        {"out", direction(out)},
        {"send_queue_full",
         {{"closed", policy_closes_.load(std::memory_order_relaxed)},
          {"undelivered",
           {{"messages", undelivered_messages_.load(std::memory_order_relaxed)},
            {"bytes", undelivered_bytes_.load(std::memory_order_relaxed)}}}}},
        {"close_codes", codes},
    };
}

}  // namespace wsb::echo
