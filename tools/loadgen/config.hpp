// The load generator's configuration: every option of wsbench-loadgen, with its default.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wsbench/deflate.hpp"
#include "wsbench/url.hpp"

namespace wsb::scenario {
struct Scenario;
}

namespace wsb::loadgen {

enum class Scenario : std::uint8_t {
    echo,       ///< each connection sends messages and expects its own back
    broadcast,  ///< published messages are expected at every connection
    connect,    ///< open and hold connections; connect/handshake/ping times
    file,       ///< a scenario file: sessions run its step program (docs/scenarios.md)
};

enum class MessageType : std::uint8_t { binary, text };

const char* to_string(Scenario s) noexcept;
const char* to_string(MessageType t) noexcept;

using Nanos = std::chrono::nanoseconds;

/// One service-level objective of --slo, e.g. p99<5ms, errors<0.1% or, for the step `rpc` of a
/// scenario file, rpc.p99<20ms. With a `step`, the latency and error metrics are that step's.
struct SloTerm {
    enum class Metric : std::uint8_t {
        latency_percentile,  ///< pXX of the corrected latency, value in microseconds
        latency_max,         ///< max latency, microseconds
        latency_mean,        ///< mean latency, microseconds
        error_rate,          ///< errors / (messages sent + connections), value is a fraction;
                             ///< a step's: error_total / (count + timeouts)
        errors,              ///< error count
        throughput,          ///< received messages per second (a lower bound: ">")
        timeouts,            ///< a step's expects that timed out, a count
        timeout_rate,        ///< a step's timeouts / (count + timeouts), a fraction
        count,               ///< a step's matched replies (expect) or messages taken (listen)
    };
    Metric metric = Metric::latency_percentile;
    double percentile = 99.0;  ///< for latency_percentile
    bool less_than = true;     ///< '<' (true) or '>' (false)
    double value = 0;          ///< microseconds, fraction, count or per second
    std::string text;          ///< as written by the user, for messages
    std::string step;          ///< the scenario file's step it judges ("STEP." prefix); "": the run
};

/// --deflate's offer when no --deflate-* flag changes it: client_max_window_bits without a
/// value (the server may choose), nothing else.
inline DeflateOffer default_deflate_offer() {
    DeflateOffer o;
    o.client_max_window_bits = 0;
    return o;
}

/// --find-max: a capacity search (capacity.hpp, docs/loadgen.md "Capacity search"); mode none
/// for a single run. Each step is one run of step_duration after step_warmup.
struct CapacityOptions {
    enum class Mode : std::uint8_t { none, rate, connections };
    Mode mode = Mode::none;
    double start = 0;        ///< the first step: --start-rate (rate) or -c (connections)
    double max = 0;          ///< --max-rate or --max-connections; 0: no cap
    double step = 0;         ///< connections: --step, added each step; 0: doubling
    double precision = 0.1;  ///< --precision, a fraction: stop when (fail - pass) <= this * pass
    Nanos step_duration{std::chrono::seconds(10)};  ///< --step-duration, each step's window
    Nanos step_warmup{std::chrono::seconds(1)};     ///< --warmup, before each step's window
};

/// Every option of a run. Defaults are the documented ones (docs/loadgen.md).
struct Config {
    Url url;               ///< target, ws:// or wss://
    std::string url_text;  ///< as given
    Scenario scenario = Scenario::echo;
    /// --scenario FILE: the compiled file (its phases set how sessions start; when the file
    /// has none, a closed-model phase of -c sessions for -d). Null for the built-ins.
    std::shared_ptr<const scenario::Scenario> script;
    std::string script_path;                    ///< the file as given
    std::uint64_t connections = 1;              ///< -c, total of the whole run (every shard)
    unsigned threads = 0;                       ///< -t; 0: one per core
    Nanos duration{std::chrono::seconds(10)};   ///< -d, the measured window
    std::uint64_t messages_per_connection = 0;  ///< -n; 0: no limit (use -d)
    Nanos warmup{0};                            ///< excluded from statistics
    double rate = 0;                            ///< -R total messages/s; 0: closed loop
    double per_connection_rate = 0;             ///< --per-connection-rate; 0: use rate
    /// --coalesce: a schedule pass also sends what is due this much later (open loop), so the
    /// generator wakes at most about once per this; 0: each message at its own time.
    Nanos coalesce{0};
    unsigned pipeline = 1;  ///< closed loop: messages in flight per connection
    unsigned stall = 0;  ///< broadcast: the last N connections read nothing until the window ends
    std::uint64_t message_size = 64;  ///< -m, payload bytes (--payload-file: the longest)
    MessageType message_type = MessageType::binary;
    /// --payload-file: each message is the marker, then one of these lines (none empty); null
    /// without the option. Loaded once by the CLI, shared read-only by the workers.
    std::shared_ptr<const std::vector<std::string>> payload_lines;
    std::string payload_file;     ///< as given
    bool payload_random = false;  ///< --payload-order random: a line at random per message
    /// --deflate: offer permessage-deflate (RFC 7692) with `deflate_offer` on every connection.
    bool deflate = false;
    DeflateOffer deflate_offer = default_deflate_offer();
    double connect_rate = 0;                          ///< new connections per second; 0: unlimited
    Nanos connect_timeout{std::chrono::seconds(10)};  ///< TCP + TLS + handshake
    /// Connections being opened at once (TCP + TLS + handshake) per process; 0: no limit.
    /// Unbounded, a fast ramp overflows the target's accept queue and measures the kernel's
    /// 1 s SYN retransmit instead of the target.
    std::uint64_t max_connecting = 1000;
    Nanos drain_timeout{std::chrono::seconds(2)};  ///< replies still in flight at the end
    Nanos reply_timeout{
        std::chrono::seconds(5)};  ///< closed loop: a reply later than this is a timeout
    Nanos ping_interval{0};        ///< connect scenario: ping each connection this often
    std::vector<std::pair<std::string, std::string>> headers;  ///< -H "Name: value"
    std::vector<std::string> subprotocols;
    std::string origin;
    bool insecure = false;                ///< wss: skip certificate verification
    std::string ca_file;                  ///< wss: trust this CA bundle
    std::vector<std::string> source_ips;  ///< expanded list of local addresses to bind
    std::string json_path;                ///< --json FILE ('-' for stdout); empty: none
    std::vector<SloTerm> slo;             ///< --slo terms, all must hold
    std::string slo_text;                 ///< --slo as given
    std::uint64_t shard_index = 0;        ///< --shard I/N: this process runs shard I (from 0)
    std::uint64_t shard_count = 1;        ///< ... of N; 1: not sharded
    bool quiet = false;
    int verbosity = 0;
    // Live metrics (cli_metrics.cpp, docs/loadgen.md "Live metrics").
    std::string metrics_listen;  ///< --metrics-listen HOST:PORT; empty: no /metrics endpoint
    std::string metrics_push;    ///< --metrics-push URL of a Pushgateway; empty: no pushes
    Nanos metrics_push_interval{std::chrono::seconds(10)};  ///< between pushes
    Nanos metrics_linger{0};  ///< keep serving /metrics (and the dashboard) this long after the run
    std::string dashboard;    ///< --dashboard HOST:PORT; empty: no live dashboard (dashboard.hpp)
    bool metrics() const {
        return !metrics_listen.empty() || !metrics_push.empty() || !dashboard.empty();
    }
    CapacityOptions capacity;  ///< --find-max

    /// Messages per second each connection sends in open-loop mode; 0 in closed loop.
    double connection_rate() const {
        if (per_connection_rate > 0) return per_connection_rate;
        return rate > 0 && connections > 0 ? rate / static_cast<double>(connections) : 0;
    }
    bool open_loop() const { return connection_rate() > 0; }
};

/// What shard `shard_index` of `shard_count` runs (--shard I/N, DESIGN §7): -c, -R and
/// --connect-rate are totals of the whole run. Shard I takes the connections
/// [first_connection, first_connection + connections): connections / N each, the first
/// connections % N shards one more, so the shares sum exactly to the total and the
/// connection ids (carried in the markers) never overlap. -R and --connect-rate are shared in
/// proportion to the connections, so every connection sends at the same rate whatever its
/// shard. Without sharding (N = 1) the share is the whole run.
struct ShardShare {
    std::uint64_t first_connection = 0;  ///< global id of the shard's first connection
    std::uint64_t connections = 0;       ///< connections of this shard
    double rate = 0;                     ///< this shard's part of -R (0: closed loop)
    double connect_rate = 0;             ///< this shard's part of --connect-rate (0: unlimited)
};
ShardShare shard_share(const Config& config);

}  // namespace wsb::loadgen
