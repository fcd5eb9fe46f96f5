// Command-line parsing of wsbench-loadgen (cxxopts): values in units, source-IP ranges
// expanded, contradictions refused with a message that names the flags.
#include "loadgen/cli.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cxxopts.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/marker.hpp"
#include "loadgen/slo.hpp"
#include "wsbench/cli.hpp"
#include "wsbench/http.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/units.hpp"

namespace wsb::loadgen {
namespace {

using cli::quoted;
using cli::UsageError;
using cli::Values;

// Most addresses one --source-ip range may expand to (a /16).
constexpr std::uint64_t kMaxRangeAddresses = 65536;
constexpr unsigned kMaxThreads = 1024;
constexpr unsigned kMaxPipeline = 65536;
// The marker holds the connection index and the sequence number in 32 bits each.
constexpr std::uint64_t kMaxMarkerField = std::numeric_limits<std::uint32_t>::max();

// "10s", "500ms", "0": a duration as --help shows defaults, in the largest whole unit.
std::string duration_text(Nanos d) {
    const auto ns = d.count();
    if (ns == 0) return "0";
    if (ns % 60'000'000'000 == 0) return std::to_string(ns / 60'000'000'000) + "m";
    if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
    if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
    if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
    return std::to_string(ns) + "ns";
}

std::string number_text(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// RFC 7230 §3.2.6 tchar: the characters of a header name and of a subprotocol token
// (RFC 6455 §4.1 refers to the same token rule).
bool is_tchar(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char ch : s) {
        if (!is_tchar(ch)) return false;
    }
    return true;
}

// A header value may hold visible characters, spaces, tabs and obs-text, never CR, LF or
// other control characters (RFC 7230 §3.2).
bool is_field_value(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_commas(std::string_view s) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t comma = s.find(',');
        parts.push_back(trim(s.substr(0, comma)));
        if (comma == std::string_view::npos) return parts;
        s.remove_prefix(comma + 1);
    }
}

// -H 'Name: value' -> {Name, value}. The fields the client writes itself to open the
// connection (and checks in the response) cannot be replaced; Host and Origin can.
std::pair<std::string, std::string> parse_header(const std::string& text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) {
        throw UsageError{quoted("--header", text) + ": expected 'Name: value'"};
    }
    const std::string_view name = std::string_view(text).substr(0, colon);
    const std::string_view value = trim(std::string_view(text).substr(colon + 1));
    if (!is_token(name)) {
        throw UsageError{quoted("--header", text) +
                         ": the name must be a non-empty HTTP token (letters, digits, '-', ...)"};
    }
    if (!is_field_value(value)) {
        throw UsageError{quoted("--header", text) + ": the value holds a control character"};
    }
    for (std::string_view managed : {"Upgrade", "Connection", "Sec-WebSocket-Key",
                                     "Sec-WebSocket-Version", "Sec-WebSocket-Accept"}) {
        if (iequals_ascii(name, managed)) {
            throw UsageError{quoted("--header", text) + ": " + std::string(managed) +
                             " is part of the opening handshake, which wsbench-loadgen writes "
                             "itself"};
        }
    }
    if (iequals_ascii(name, "Sec-WebSocket-Protocol")) {
        throw UsageError{quoted("--header", text) +
                         ": use --subprotocol, so the server's "
                         "choice is checked against the offer"};
    }
    if (iequals_ascii(name, "Sec-WebSocket-Extensions")) {
        throw UsageError{quoted("--header", text) +
                         ": offer extensions with --deflate, so the server's answer is checked "
                         "against the offer"};
    }
    return {std::string(name), std::string(value)};
}

// One IPv4 address in host byte order, or false.
bool parse_ipv4(std::string_view text, std::uint32_t& out) {
    const std::string s(text);
    in_addr a{};
    if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
    out = ntohl(a.s_addr);
    return true;
}

std::string ipv4_text(std::uint32_t host_order) {
    in_addr a{};
    a.s_addr = htonl(host_order);
    char buf[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a, buf, sizeof buf) ? std::string(buf) : std::string();
}

// The canonical text of an IPv4 or IPv6 address (inet_ntop), or empty when `text` is neither.
std::string canonical_address(std::string_view text) {
    std::uint32_t v4 = 0;
    if (parse_ipv4(text, v4)) return ipv4_text(v4);
    const std::string s(text);
    in6_addr a{};
    if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return {};
    char buf[INET6_ADDRSTRLEN];
    return inet_ntop(AF_INET6, &a, buf, sizeof buf) ? std::string(buf) : std::string();
}

// One --source-ip value: an address, a comma list, or IPv4 ranges FIRST-LAST, appended to
// `out` in order; `seen` catches an address listed twice.
void expand_source_ips(const std::string& text, std::vector<std::string>& out,
                       std::set<std::string>& seen) {
    auto add = [&](std::string address) {
        if (!seen.insert(address).second) {
            throw UsageError{quoted("--source-ip", text) + ": " + address + " is listed twice"};
        }
        out.push_back(std::move(address));
    };
    for (std::string_view item : split_commas(text)) {
        if (item.empty()) {
            throw UsageError{quoted("--source-ip", text) + ": empty address in the list"};
        }
        const std::size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            std::string address = canonical_address(item);
            if (address.empty()) {
                throw UsageError{quoted("--source-ip", text) + ": '" + std::string(item) +
                                 "' is not an IPv4 or IPv6 address"};
            }
            add(std::move(address));
            continue;
        }
        std::uint32_t first = 0;
        std::uint32_t last = 0;
        if (!parse_ipv4(trim(item.substr(0, dash)), first) ||
            !parse_ipv4(trim(item.substr(dash + 1)), last)) {
            throw UsageError{quoted("--source-ip", text) + ": '" + std::string(item) +
                             "' is not a range of IPv4 addresses such as 127.0.0.1-127.0.0.20"};
        }
        if (last < first) {
            throw UsageError{quoted("--source-ip", text) + ": the range '" + std::string(item) +
                             "' ends before it starts"};
        }
        const std::uint64_t n = std::uint64_t{last} - first + 1;
        if (n > kMaxRangeAddresses) {
            throw UsageError{quoted("--source-ip", text) + ": the range '" + std::string(item) +
                             "' holds " + std::to_string(n) + " addresses; at most " +
                             std::to_string(kMaxRangeAddresses)};
        }
        for (std::uint64_t a = first; a <= last; ++a) add(ipv4_text(static_cast<std::uint32_t>(a)));
    }
}

Scenario parse_scenario(const std::string& s) {
    for (Scenario v : {Scenario::echo, Scenario::broadcast, Scenario::connect}) {
        if (s == to_string(v)) return v;
    }
    throw UsageError{quoted("--scenario", s) + ": expected echo, broadcast or connect"};
}

void parse_target(const std::string& text, Config& c) {
    const Errc e = parse_url(text, c.url);
    if (e == Errc::ok) {
        c.url_text = text;
        return;
    }
    std::string why;
    switch (e) {
        case Errc::url_bad_scheme:
            why = "the scheme must be ws:// or wss://";
            break;
        case Errc::url_bad_host:
            why = "the host is empty or malformed";
            break;
        case Errc::url_bad_port:
            why = "the port must be a number in 1-65535";
            break;
        default:
            why = "expected ws://host[:port][/path][?query] or wss://...";
            break;
    }
    throw UsageError{"URL '" + text + "': " + why};
}

void check_ca_file(const std::string& path) {
    if (const std::string why = net::check_ca_file(path); !why.empty()) {
        throw UsageError{quoted("--ca", path) + ": " + why};
    }
}

// The report file is written at the end of a run; refuse at once a path that cannot be one.
void check_json_path(const std::string& path) {
    if (path.empty()) throw UsageError{"--json '': expected a file name, or '-' for stdout"};
    if (path == "-") return;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw UsageError{quoted("--json", path) + ": is a directory"};
    }
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
        throw UsageError{quoted("--json", path) + ": the directory '" + parent.string() +
                         "' does not exist"};
    }
}

// --shard I/N: two decimal counts, I below N.
void parse_shard(const std::string& text, Config& c) {
    const std::size_t slash = text.find('/');
    std::uint64_t index = 0;
    std::uint64_t count = 0;
    auto digits = [](std::string_view s) {
        return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == s.npos;
    };
    const std::string_view all(text);
    if (slash == std::string::npos || !digits(all.substr(0, slash)) ||
        !digits(all.substr(slash + 1))) {
        throw UsageError{quoted("--shard", text) + ": expected I/N such as 0/4 (I counts from 0)"};
    }
    index = std::stoull(text.substr(0, slash));
    count = std::stoull(text.substr(slash + 1));
    if (count == 0 || index >= count) {
        throw UsageError{quoted("--shard", text) + ": I must be below N (shards 0/" +
                         std::to_string(count) + " to " +
                         std::to_string(count == 0 ? 0 : count - 1) + "/" + std::to_string(count) +
                         ")"};
    }
    c.shard_index = index;
    c.shard_count = count;
}

// Options that cannot hold together; each message names both flags.
void check_contradictions(const Values& v, const Config& c) {
    check_coalesce(c);
    if (v.given("rate") && v.given("per-connection-rate")) {
        throw UsageError{
            "-R/--rate and --per-connection-rate contradict: give the total rate "
            "or the rate of each connection, not both"};
    }
    const bool rated = c.rate > 0 || c.per_connection_rate > 0;
    if (c.pipeline > 1 && rated) {
        throw UsageError{"--pipeline " + std::to_string(c.pipeline) +
                         " is for closed-loop load; with -R/--rate or --per-connection-rate "
                         "the schedule sets how many messages are in flight"};
    }
    if (c.pipeline > 1 && c.scenario != Scenario::echo) {
        throw UsageError{"--pipeline applies to --scenario echo only"};
    }
    if (c.stall > 0 && c.scenario != Scenario::broadcast) {
        throw UsageError{"--stall applies to --scenario broadcast only"};
    }
    if (c.stall > 0 && c.stall >= c.connections) {
        throw UsageError{"--stall " + std::to_string(c.stall) + ": at most -c minus one (" +
                         std::to_string(c.connections - 1) +
                         "): connection 0 publishes and must read its own copies"};
    }
    if (c.scenario == Scenario::connect) {
        if (v.given("messages")) {
            throw UsageError{
                "-n/--messages does not apply to --scenario connect, which sends "
                "no messages (use -d to hold the connections)"};
        }
        if (rated) {
            throw UsageError{
                "-R/--rate and --per-connection-rate do not apply to --scenario "
                "connect, which sends no messages"};
        }
    }
    if (c.scenario == Scenario::broadcast && v.given("per-connection-rate")) {
        throw UsageError{
            "--per-connection-rate does not apply to --scenario broadcast: "
            "messages are published at the total rate -R"};
    }
    if (c.ping_interval.count() > 0 && c.scenario != Scenario::connect) {
        throw UsageError{"--ping-interval applies to --scenario connect only"};
    }
    if (!c.url.secure && (c.insecure || !c.ca_file.empty())) {
        throw UsageError{std::string(c.insecure ? "--insecure" : "--ca") +
                         " applies to wss:// only, and the URL '" + c.url_text + "' is ws://"};
    }
    if (c.insecure && !c.ca_file.empty()) {
        throw UsageError{
            "--insecure and --ca contradict: --insecure skips the verification "
            "that --ca configures"};
    }
    if (c.shard_count > 1 && c.scenario == Scenario::broadcast) {
        throw UsageError{
            "--shard does not apply to --scenario broadcast: its one publisher's messages "
            "reach every connection, so the shards' deliveries cannot be told apart"};
    }
    if (c.shard_count > c.connections && !c.script) {
        throw UsageError{"--shard " + std::to_string(c.shard_index) + "/" +
                         std::to_string(c.shard_count) + " with -c " +
                         std::to_string(c.connections) +
                         ": every shard needs a connection; -c is the total of all shards"};
    }
}

// Every option, with the defaults of `d` in --help.
cxxopts::Options make_options(const Config& d) {
    cxxopts::Options options(
        "wsbench-loadgen",
        "WebSocket load generator: opens connections to URL (ws:// or wss://), sends messages\n"
        "closed-loop or on an open-loop schedule, and measures latency from the intended send\n"
        "time. Progress goes to stderr, the summary table to stdout, the report to --json.\n");
    options.custom_help("[options]");
    options.positional_help("URL");
    options.set_width(100);
    // clang-format off
    options.add_options("Load")
        ("c,connections", "connections to open (10k works)", cxxopts::value<std::string>()->default_value(std::to_string(d.connections)), "N")
        ("t,threads", "worker threads (0: one per core)", cxxopts::value<std::string>()->default_value(std::to_string(d.threads)), "N")
        ("d,duration", "measured window, after every connection is open", cxxopts::value<std::string>()->default_value(duration_text(d.duration)), "TIME")
        ("n,messages", "messages per connection, then stop (0: no limit)", cxxopts::value<std::string>()->default_value(std::to_string(d.messages_per_connection)), "N")
        ("warmup", "load before measuring, left out of the statistics", cxxopts::value<std::string>()->default_value(duration_text(d.warmup)), "TIME")
        ("R,rate", "total messages/s, open loop (5k or 5k/s; 0: closed)", cxxopts::value<std::string>()->default_value(number_text(d.rate)), "RATE")
        ("per-connection-rate", "messages/s of each connection, instead of -R", cxxopts::value<std::string>(), "RATE")
        ("pipeline", "closed loop: messages in flight per connection", cxxopts::value<std::string>()->default_value(std::to_string(d.pipeline)), "N")
        ("stall", "broadcast: the last N connections stop reading once open and read again when the window ends (a slow consumer, to test the target's policy for one)", cxxopts::value<std::string>()->default_value("0"), "N")
        ("scenario", "echo, broadcast, connect, or a scenario FILE (YAML or JSON: docs/scenarios.md; raw WebSocket, or Socket.IO, GraphQL over WebSocket, MQTT or STOMP with protocol:, docs/protocols.md)", cxxopts::value<std::string>()->default_value(to_string(d.scenario)), "NAME")
        ("check-scenario", "check a scenario file (YAML or JSON, docs/scenarios.md) and print its plan, without connecting; exit 2 naming FILE:LINE:COL on an error", cxxopts::value<std::string>(), "FILE")
        ("shard", "run shard I of N (I from 0) of a run spread over N processes or hosts: -c, -R and --connect-rate stay the totals; merge the reports with wsbench-report merge", cxxopts::value<std::string>(), "I/N");
    // clang-format on
    add_message_options(options, d);
    // clang-format off
    options.add_options("Connections")
        ("connect-rate", "new connections per second (5k or 5k/s; 0: unlimited)", cxxopts::value<std::string>()->default_value(number_text(d.connect_rate)), "RATE")
        ("max-connecting", "connections being opened at once (TCP + TLS + handshake) per process; 0: no limit. "
                           "Unlimited, a fast ramp overflows the target's accept queue and measures the kernel's "
                           "1 s SYN retransmit", cxxopts::value<std::string>()->default_value(std::to_string(d.max_connecting)), "N")
        ("connect-timeout", "limit on TCP connect + TLS + opening handshake", cxxopts::value<std::string>()->default_value(duration_text(d.connect_timeout)), "TIME")
        ("drain-timeout", "after the window, wait this long for replies in flight (a scenario file: for its sessions to end; 10s)", cxxopts::value<std::string>()->default_value(duration_text(d.drain_timeout)), "TIME")
        ("timeout", "closed loop: a reply not back within this counts as a timeout and frees its pipeline slot", cxxopts::value<std::string>()->default_value(duration_text(d.reply_timeout)), "TIME")
        ("ping-interval", "connect scenario: ping interval per connection (0: off)", cxxopts::value<std::string>()->default_value(duration_text(d.ping_interval)), "TIME")
        ("source-ip", "local addresses to spread connections over: an address, a comma list or "
                      "an IPv4 range such as 127.0.0.1-127.0.0.20 (repeatable)", cxxopts::value<std::string>(), "ADDR");
    options.add_options("Handshake and TLS")
        ("H,header", "extra request header 'Name: value' (repeatable; may replace Host)", cxxopts::value<std::string>(), "HEADER")
        ("subprotocol", "offer this subprotocol (repeatable, or a comma list)", cxxopts::value<std::string>(), "NAME")
        ("origin", "send this Origin header", cxxopts::value<std::string>(), "ORIGIN")
        ("insecure", "wss: do not verify the server's certificate")
        ("ca", "wss: trust the CA certificates in this PEM file", cxxopts::value<std::string>(), "FILE");
    options.add_options("Output")
        ("json", "write the JSON report (schema wsbench.loadgen/1) to FILE, '-' for stdout", cxxopts::value<std::string>(), "FILE")
        ("slo", "exit 1 when a term fails, e.g. 'p99<5ms,errors<0.1%'", cxxopts::value<std::string>(), "TERMS")
        ("q,quiet", "no progress lines on stderr")
        ("v,verbose", "more diagnostics on stderr (-v, -vv)")
        ("h,help", "this help")
        ("version", "print the version");
    add_metrics_options(options);
    add_capacity_options(options);
    options.add_options("Target")
        ("url", "ws://host[:port][/path] or wss://...", cxxopts::value<std::string>());
    // clang-format on
    options.parse_positional({"url"});
    return options;
}

// Scenario, -c, -t, -d, -n, --warmup, -R, --per-connection-rate, --pipeline.
void read_load(const Values& v, Config& c) {
    c.connections = v.count("connections", "100 or 10k");
    if (c.connections == 0) throw UsageError{"--connections must be at least 1"};
    if (c.connections > kMaxMarkerField) {
        throw UsageError{"--connections " + std::to_string(c.connections) + ": at most " +
                         std::to_string(kMaxMarkerField) + " (the marker's connection field)"};
    }
    const std::uint64_t threads = v.count("threads", "4 (0: one per core)");
    if (threads > kMaxThreads) {
        throw UsageError{"--threads " + std::to_string(threads) + ": at most " +
                         std::to_string(kMaxThreads)};
    }
    c.threads = static_cast<unsigned>(threads);
    c.duration = v.duration("duration");
    if (c.duration.count() == 0) throw UsageError{"--duration must be above 0"};
    c.messages_per_connection = v.count("messages", "1000 or 1M");
    if (c.messages_per_connection > kMaxMarkerField) {
        throw UsageError{"--messages " + std::to_string(c.messages_per_connection) + ": at most " +
                         std::to_string(kMaxMarkerField) +
                         " per connection (the marker's sequence field)"};
    }
    c.warmup = v.duration("warmup");
    c.rate = v.rate("rate");
    if (v.given("per-connection-rate")) {
        c.per_connection_rate = v.rate("per-connection-rate");
        if (c.per_connection_rate <= 0) {
            throw UsageError{
                "--per-connection-rate must be above 0 (leave it out for "
                "closed-loop load)"};
        }
    }
    const std::uint64_t pipeline = v.count("pipeline", "1 or 16");
    if (pipeline == 0 || pipeline > kMaxPipeline) {
        throw UsageError{"--pipeline " + std::to_string(pipeline) + ": expected 1 to " +
                         std::to_string(kMaxPipeline)};
    }
    c.pipeline = static_cast<unsigned>(pipeline);
    c.stall = static_cast<unsigned>(std::min<std::uint64_t>(v.count("stall", "1"), ~0u));
}

void read_connections(const Values& v, Config& c) {
    c.connect_rate = v.rate("connect-rate");
    c.max_connecting = v.count("max-connecting", "1000 (0: no limit)");
    c.connect_timeout = v.duration("connect-timeout");
    if (c.connect_timeout.count() == 0) throw UsageError{"--connect-timeout must be above 0"};
    c.drain_timeout = v.duration("drain-timeout");
    c.reply_timeout = v.duration("timeout");
    if (c.reply_timeout.count() <= 0) throw UsageError{"--timeout must be above 0"};
    c.ping_interval = v.duration("ping-interval");
    std::set<std::string> seen_ips;
    for (const std::string& s : v.all("source-ip")) expand_source_ips(s, c.source_ips, seen_ips);
}

// -H, --subprotocol, --origin, --insecure, --ca.
void read_handshake(const Values& v, Config& c) {
    for (const std::string& h : v.all("header")) c.headers.push_back(parse_header(h));
    for (const std::string& s : v.all("subprotocol")) {
        for (std::string_view p : split_commas(s)) {
            if (!is_token(p)) {
                throw UsageError{quoted("--subprotocol", s) +
                                 ": a subprotocol is a non-empty token (RFC 6455 §4.1)"};
            }
            for (const std::string& known : c.subprotocols) {
                if (known == p) {
                    throw UsageError{quoted("--subprotocol", s) + ": '" + known +
                                     "' is offered twice"};
                }
            }
            c.subprotocols.emplace_back(p);
        }
    }
    if (v.given("origin")) {
        c.origin = v.text("origin");
        if (c.origin.empty() || !is_field_value(c.origin)) {
            throw UsageError{quoted("--origin", c.origin) +
                             ": expected an origin such as https://example.com"};
        }
        for (const auto& h : c.headers) {
            if (iequals_ascii(h.first, "Origin")) {
                throw UsageError{"--origin and -H 'Origin: ...' contradict: give it once"};
            }
        }
    }
    c.insecure = v.given("insecure");
    if (v.given("ca")) {
        c.ca_file = v.text("ca");
    }
}

void read_output(const Values& v, Config& c) {
    if (v.given("json")) {
        c.json_path = v.text("json");
        check_json_path(c.json_path);
    }
    if (v.given("slo")) {
        c.slo_text = v.text("slo");
        std::string message;
        if (parse_slo(c.slo_text, c.slo, message) != Errc::ok) {
            throw UsageError{message.empty() ? quoted("--slo", c.slo_text) + ": not valid"
                                             : message};
        }
    }
    c.quiet = v.given("quiet");
}

// What --help prints after the options.
constexpr const char* kHelpEpilog =
    "\nScenarios: echo, each connection sends and expects its own messages back\n"
    "(closed loop, or open loop with -R); broadcast, messages published at -R\n"
    "must reach every connection; connect, open and hold connections only.\n"
    "A scenario FILE scripts each session (send, expect the matching reply,\n"
    "capture, loop, listen for pushes) and its phases start the sessions;\n"
    "steps.<NAME> in the report, --slo 'NAME.p99<20ms' per step.\n"
    "Exit codes: 0 ran (and every --slo term held), 1 an --slo term failed or\n"
    "the target dropped every connection mid-run, 2 usage error,\n"
    "3 could not run (target unreachable, I/O error). --find-max: 0 a capacity\n"
    "was found, 1 none (first step failed, generator-bound, Ctrl-C), 3 "
    "unreachable.\n"
    "Counts take k/M (10k); sizes k/M/G (1000) or KiB/MiB/GiB (1024); durations\n"
    "ns, us, ms, s, m, h (1m30s); rates a count per second or per unit (5k/s, "
    "300/m).\n"
    "--ca and --insecure with a ws:// URL are usage errors, as are contradictory\n"
    "options (-R with --per-connection-rate, --pipeline above 1 with a rate,\n"
    "-n or a rate with --scenario connect).\n"
    "--shard I/N: N processes (hosts, pods) running the same command line with\n"
    "I = 0..N-1 make one run; shard I opens its share of -c (distinct connection\n"
    "ids) at its share of -R and --connect-rate, and records the shard in its\n"
    "report for wsbench-report merge.\n"
    "Environment: WSBENCH_LOADGEN_IO=asio runs ws:// on Asio's reactor instead of\n"
    "the loadgen's own epoll loop (wss:// always runs on Asio), to compare them.\n";

}  // namespace

CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CliResult result;
    Config& c = result.config;
    cxxopts::Options options = make_options(Config{});
    bool run = false;  // false after --help and --version
    result.exit_code = cli::parse(options, argc, argv, err, [&](const cxxopts::ParseResult& r) {
        if (r.count("help")) {
            out << options.help({"Load", "Messages", "Compression", "Connections",
                                 "Handshake and TLS", "Output", "Metrics", "Capacity search"})
                << kHelpEpilog;
            return;
        }
        if (r.count("version")) {
            cli::print_version(out, "wsbench-loadgen");
            return;
        }
        if (r.count("check-scenario")) {
            check_scenario(Values(r).text("check-scenario"), out);
            return;
        }
        if (!r.unmatched().empty()) {
            throw UsageError{"unexpected argument '" + r.unmatched().front() +
                             "': give one URL (options may come before or after it)"};
        }
        const Values v(r);
        const std::string scenario_name = v.text("scenario");
        std::shared_ptr<scenario::Scenario> script;
        if (!is_builtin_scenario(scenario_name)) script = load_script(scenario_name);
        if (!r.count("url") && (!script || script->url.empty())) {
            throw UsageError{script ? "missing the target URL: give it as the argument or as "
                                      "url: in " +
                                          scenario_name
                                    : "missing the target URL, e.g. ws://127.0.0.1:8080/"};
        }
        // The URL argument overrides a scenario file's url:.
        parse_target(r.count("url") ? v.text("url") : script->url, c);
        if (!script) c.scenario = parse_scenario(scenario_name);
        if (v.given("shard")) parse_shard(v.text("shard"), c);

        read_load(v, c);
        read_messages(v, c);
        read_connections(v, c);
        read_handshake(v, c);
        read_output(v, c);
        read_metrics(v, c);
        c.verbosity = static_cast<int>(r.count("verbose"));
        if (script) {
            c.script_path = scenario_name;
            apply_script(v, std::move(script), c);
        }

        read_capacity(v, c);
        check_contradictions(v, c);
        // After the contradictions, so "--ca with ws://" is named before the file is read.
        if (!c.ca_file.empty()) check_ca_file(c.ca_file);
        run = true;
    });
    result.run = run && result.exit_code == ExitCode::ok;
    return result;
}

}  // namespace wsb::loadgen
