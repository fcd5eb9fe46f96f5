// Config: every option of wsbench-client, read once from the command line and shared by const
// reference with the session, the console and the exit rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wsbench/http.hpp"
#include "wsbench/url.hpp"

namespace wsb::client {

using Millis = std::chrono::milliseconds;

/// How a binary message is written: hex digits, base64, or its bytes as they are (pipe mode).
enum class BinaryAs : std::uint8_t { hex, base64, raw };

struct Config {
    Url url;                                ///< the target, ws:// or wss://
    std::string url_text;                   ///< as given, for notes
    std::vector<std::string> execute;       ///< -x: messages sent in order after connecting
    std::optional<Millis> wait;             ///< -w: stay open this long after them; nullopt: not
                                            ///< given, Millis(-1): forever
    std::uint64_t count = 0;                ///< -n: exit after this many received (0: no limit)
    std::string until;                      ///< --until: exit 0 on the first message matching
    std::optional<Millis> timeout;          ///< --timeout: exit 1 when -n/--until are not met
    bool json = false;                      ///< --json: pretty-print JSON replies
    bool show_ping = false;                 ///< --show-ping: print server pings and our pongs
    Millis ping_interval{0};                ///< --ping-interval: send pings, print RTTs (0: off)
    BinaryAs binary_as = BinaryAs::hex;     ///< --binary-as
    HeaderList headers;                     ///< -H "Name: value"
    std::vector<std::string> subprotocols;  ///< --subprotocol (repeatable)
    std::string origin;                     ///< --origin
    bool insecure = false;                  ///< --insecure: do not verify the server (wss)
    std::string ca_file;                    ///< --ca: trust these certificates (wss)
    bool verbose = false;                   ///< -v: print the opening handshake's heads
    bool deflate = false;                   ///< --deflate: offer permessage-deflate (RFC 7692)
    bool reconnect = false;                 ///< --reconnect: on loss, again with backoff
    std::uint64_t max_message_size = 16ull << 20;  ///< --max-message-size: larger closes 1009
    Millis connect_timeout{10000};                 ///< --connect-timeout: TCP, TLS, handshake
    Millis reconnect_min{250};                     ///< backoff: first delay (before jitter)
    Millis reconnect_max{30000};                   ///< backoff: the cap
};

}  // namespace wsb::client
