// The message options of wsbench-loadgen: -m, --message-type, --payload-file (messages drawn
// from a file of lines) and --deflate with its permessage-deflate parameters (RFC 7692 §7.1).
#include <cxxopts.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/cli.hpp"
#include "loadgen/marker.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::loadgen {
namespace {

using cli::quoted;
using cli::UsageError;
using cli::Values;

constexpr std::uint64_t kMaxMessageSize = std::uint64_t{1} << 30;  // 1 GiB

MessageType parse_message_type(const std::string& s) {
    for (MessageType v : {MessageType::binary, MessageType::text}) {
        if (s == to_string(v)) return v;
    }
    throw UsageError{quoted("--message-type", s) + ": expected binary or text"};
}

// --payload-file: the non-empty lines (a CR before the LF dropped), each valid UTF-8 for text
// messages; the longest message (marker + line) becomes message_size.
void load_payload_file(const std::string& path, Config& c) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError{quoted("--payload-file", path) + ": cannot be read"};
    auto lines = std::make_shared<std::vector<std::string>>();
    std::string line;
    std::uint64_t number = 0;
    std::uint64_t longest = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (c.message_type == MessageType::text && !is_valid_utf8(line)) {
            throw UsageError{quoted("--payload-file", path) + ": line " + std::to_string(number) +
                             " is not valid UTF-8, which --message-type text requires"};
        }
        if (kMarkerSize + line.size() > kMaxMessageSize) {
            throw UsageError{quoted("--payload-file", path) + ": line " + std::to_string(number) +
                             " is longer than 1GiB"};
        }
        longest = std::max<std::uint64_t>(longest, line.size());
        lines->push_back(std::move(line));
    }
    if (in.bad()) throw UsageError{quoted("--payload-file", path) + ": read error"};
    if (lines->empty())
        throw UsageError{quoted("--payload-file", path) + ": has no non-empty line"};
    c.payload_file = path;
    c.payload_lines = std::move(lines);
    c.message_size = kMarkerSize + longest;
}

// A --deflate-*-max-window-bits value: 8 to 15 (RFC 7692 §7.1.2).
int window_bits(const Values& v, const char* flag) {
    const std::string text = v.text(flag);
    const std::uint64_t bits = v.whole(flag);
    if (bits < 8 || bits > 15) {
        throw UsageError{quoted(std::string("--") + flag, text) +
                         ": expected a window size of 8 to 15 bits (RFC 7692 §7.1.2)"};
    }
    return static_cast<int>(bits);
}

void read_deflate(const Values& v, Config& c) {
    c.deflate = v.given("deflate");
    for (const char* flag :
         {"deflate-client-max-window-bits", "deflate-server-max-window-bits",
          "deflate-client-no-context-takeover", "deflate-server-no-context-takeover"}) {
        if (v.given(flag) && !c.deflate) {
            throw UsageError{"--" + std::string(flag) + " needs --deflate"};
        }
    }
    DeflateOffer& o = c.deflate_offer;
    if (v.given("deflate-client-max-window-bits")) {
        o.client_max_window_bits = window_bits(v, "deflate-client-max-window-bits");
    }
    if (v.given("deflate-server-max-window-bits")) {
        o.server_max_window_bits = window_bits(v, "deflate-server-max-window-bits");
    }
    o.client_no_context_takeover = v.given("deflate-client-no-context-takeover");
    o.server_no_context_takeover = v.given("deflate-server-no-context-takeover");
}

}  // namespace

void add_message_options(cxxopts::Options& options, const Config& d) {
    // clang-format off
    options.add_options("Messages")
        ("m,message-size", "payload bytes; at least 24, the timing marker", cxxopts::value<std::string>()->default_value(std::to_string(d.message_size)), "SIZE")
        ("message-type", "binary or text (always valid UTF-8)", cxxopts::value<std::string>()->default_value(to_string(d.message_type)), "TYPE")
        ("payload-file", "echo and broadcast: each message is the timing marker then a line of FILE (empty lines skipped), instead of -m's filler", cxxopts::value<std::string>(), "FILE")
        ("payload-order", "with --payload-file: order (each connection takes the lines in turn) or random", cxxopts::value<std::string>()->default_value("order"), "ORDER");
    options.add_options("Load")
        ("coalesce", "open loop: a send pass also sends what is due within TIME, early, so the generator wakes about once per TIME: less CPU at low rates, the target sees bursts; latency counts from when each message left (docs/loadgen.md)", cxxopts::value<std::string>()->default_value("0"), "TIME");
    options.add_options("Compression")
        ("deflate", "offer permessage-deflate (RFC 7692) on every connection; a server may decline (the connection runs uncompressed)")
        ("deflate-client-max-window-bits", "offer client_max_window_bits=N, 8-15 (default: offered without a value, the server chooses)", cxxopts::value<std::string>(), "N")
        ("deflate-server-max-window-bits", "offer server_max_window_bits=N, 8-15", cxxopts::value<std::string>(), "N")
        ("deflate-client-no-context-takeover", "offer client_no_context_takeover: our compressor starts afresh for every message")
        ("deflate-server-no-context-takeover", "offer server_no_context_takeover");
    // clang-format on
}

void read_messages(const Values& v, Config& c) {
    c.message_size = v.size("message-size");
    if (c.scenario != Scenario::connect && c.message_size < kMarkerSize) {
        throw UsageError{"--message-size " + std::to_string(c.message_size) + ": at least " +
                         std::to_string(kMarkerSize) +
                         " bytes, the marker that identifies and times each message"};
    }
    if (c.message_size > kMaxMessageSize) {
        throw UsageError{"--message-size " + std::to_string(c.message_size) + ": at most 1GiB"};
    }
    c.message_type = parse_message_type(v.text("message-type"));
    const std::string order = v.text("payload-order");
    if (order != "order" && order != "random") {
        throw UsageError{quoted("--payload-order", order) + ": expected order or random"};
    }
    c.payload_random = order == "random";
    if (v.given("payload-file")) {
        if (c.scenario != Scenario::echo && c.scenario != Scenario::broadcast) {
            throw UsageError{"--payload-file applies to --scenario echo and broadcast only"};
        }
        if (v.given("message-size")) {
            throw UsageError{
                "-m/--message-size and --payload-file contradict: the file's lines make the "
                "messages"};
        }
        load_payload_file(v.text("payload-file"), c);
    } else if (v.given("payload-order")) {
        throw UsageError{"--payload-order needs --payload-file"};
    }
    read_deflate(v, c);
    c.coalesce = v.duration("coalesce");
}

void check_coalesce(const Config& c) {
    if (c.coalesce.count() == 0) return;
    if (c.scenario == Scenario::connect) {
        throw UsageError{
            "--coalesce does not apply to --scenario connect, which sends no messages"};
    }
    if (!c.open_loop()) {
        throw UsageError{
            "--coalesce needs an open-loop rate (-R or --per-connection-rate): a closed loop "
            "sends each message when the last reply comes"};
    }
    if (c.coalesce > std::chrono::seconds(1)) throw UsageError{"--coalesce: at most 1s"};
}

}  // namespace wsb::loadgen
