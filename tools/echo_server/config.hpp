// The echo server's configuration: every option of wsbench-echo-server, with its default.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wsb::echo {

enum class Mode : std::uint8_t {
    echo,       ///< every message goes back to its sender
    broadcast,  ///< every message goes to every open connection, sender included
};

enum class Engine : std::uint8_t {
    websocketpp,  ///< the trusted reference implementation (default)
    fast,         ///< our own codec, one event loop and SO_REUSEPORT listener per thread
};

/// Deliberate protocol violations, for the conformance runner's own tests only.
enum class Misbehave : std::uint8_t {
    none,
    no_pong,           ///< never answers a ping (RFC 6455 §5.5.2 MUST)
    no_utf8_check,     ///< accepts invalid UTF-8 in text messages (§8.1)
    ignore_rsv,        ///< accepts frames with reserved bits set (§5.2)
    no_close_reply,    ///< never answers a close frame (§5.5.1)
    wrong_close_code,  ///< answers a close with 1002 instead of echoing the code (§5.5.1)
};

const char* to_string(Mode m) noexcept;
const char* to_string(Engine e) noexcept;
const char* to_string(Misbehave m) noexcept;

using Millis = std::chrono::milliseconds;

/// Every option of the server. Defaults are the documented ones (docs/echo-server.md).
struct Config {
    std::string host = "127.0.0.1";  ///< address to bind (IPv4, IPv6 or a name)
    std::uint16_t port = 9001;       ///< 0 picks a free port
    unsigned threads = 0;            ///< I/O threads; 0 means one per core
    Engine engine = Engine::fast;
    bool reuse_port = false;  ///< fast engine: join other processes' SO_REUSEPORT group on port
    Mode mode = Mode::echo;
    std::string reply_prefix;  ///< prepended to every reply (text and binary)

    std::uint64_t max_message_size = 16u << 20;  ///< larger messages close with 1009
    std::uint64_t max_connections = 100000;      ///< beyond: HTTP 503
    Millis handshake_timeout{5000};              ///< unfinished handshakes are dropped
    Millis idle_timeout{0};                      ///< 0: none; else close 1001 after silence
    Millis close_timeout{2000};                  ///< drop TCP when a close goes unanswered
    std::uint64_t max_send_queue = 32u << 20;    ///< broadcast: larger queue closes with 1008
    std::uint64_t high_water_mark = 1u << 20;    ///< echo: stop reading above this

    std::string tls_cert;    ///< PEM certificate chain; with tls_key serves wss://
    std::string tls_key;     ///< PEM private key
    bool deflate = false;    ///< offer permessage-deflate (RFC 7692)
    int deflate_level = -1;  ///< --deflate-level: zlib's level, 1-9; -1 zlib's default (6)

    bool log_connections = false;  ///< a stderr line per connect and disconnect
    Millis stats_interval{0};      ///< 0: off; else print /stats JSON to stderr this often
    bool console = false;          ///< stdin is the operator's console (docs/echo-server.md)
    bool console_quiet = false;    ///< the console prints no received messages or connects
    Misbehave misbehave = Misbehave::none;
    int verbosity = 0;  ///< -v: websocketpp errors, -vv: websocketpp access log too

    bool tls() const { return !tls_cert.empty(); }
};

}  // namespace wsb::echo
