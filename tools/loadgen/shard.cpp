// --shard I/N: the part of the connections, the rate and the connect rate one shard runs.
#include "loadgen/config.hpp"

namespace wsb::loadgen {

ShardShare shard_share(const Config& c) {
    ShardShare s;
    const std::uint64_t n = c.shard_count == 0 ? 1 : c.shard_count;
    const std::uint64_t i = c.shard_index < n ? c.shard_index : n - 1;
    const std::uint64_t base = c.connections / n;
    const std::uint64_t extra = c.connections % n;
    s.connections = base + (i < extra ? 1 : 0);
    s.first_connection = i * base + (i < extra ? i : extra);
    if (n == 1 || c.connections == 0) {
        s.rate = c.rate;
        s.connect_rate = c.connect_rate;
        return s;
    }
    // In proportion to the connections: the same rate per connection in every shard.
    const double part = static_cast<double>(s.connections) / static_cast<double>(c.connections);
    s.rate = c.rate * part;
    s.connect_rate = c.connect_rate * part;
    return s;
}

}  // namespace wsb::loadgen
