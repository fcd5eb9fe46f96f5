// Command-line parsing of wsbench-echo-server (cxxopts), with sizes and durations in units.
#include "echo_server/cli.hpp"

#include <cxxopts.hpp>
#include <thread>

#include "wsbench/cli.hpp"

namespace wsb::echo {
namespace {

using cli::UsageError;

Millis millis(std::chrono::nanoseconds d) { return std::chrono::duration_cast<Millis>(d); }

Misbehave parse_misbehave(const std::string& s) {
    for (Misbehave m :
         {Misbehave::none, Misbehave::no_pong, Misbehave::no_utf8_check, Misbehave::ignore_rsv,
          Misbehave::no_close_reply, Misbehave::wrong_close_code}) {
        if (s == to_string(m)) return m;
    }
    throw UsageError{
        "--misbehave '" + s +
        "': expected none, no-pong, no-utf8-check, ignore-rsv, no-close-reply or wrong-close-code"};
}

// Every option with its help text and default (the defaults of `d`).
cxxopts::Options make_options(const Config& d) {
    cxxopts::Options options(
        "wsbench-echo-server",
        "WebSocket echo and broadcast server: the reference target of wsbench.\n"
        "Prints 'listening on ws://HOST:PORT' on stdout once it accepts connections;\n"
        "logs go to stderr. SIGINT/SIGTERM close every client with 1001 and exit 0.\n");
    options.custom_help("[options]");
    // clang-format off
    options.add_options("Server")
        ("host", "address to bind", cxxopts::value<std::string>()->default_value(d.host))
        ("p,port", "port to listen on; 0 picks a free one", cxxopts::value<std::string>()->default_value(std::to_string(d.port)))
        ("t,threads", "I/O threads (0: one per core)", cxxopts::value<std::string>()->default_value("0"))
        ("engine", "fast (our own codec, one loop and listener per thread) or websocketpp (the third-party baseline); see docs/echo-server.md", cxxopts::value<std::string>()->default_value("fast"))
        ("reuse-port", "--engine fast: share --port with other wsbench-echo-server processes started with it "
                       "(SO_REUSEPORT: the kernel spreads connections over them; each counts, limits and "
                       "broadcasts only its own). Without it a port in use is an error")
        ("mode", "echo: reply to the sender; broadcast: send to every open connection", cxxopts::value<std::string>()->default_value("echo"))
        ("reply-prefix", "prepend STR to every reply (text: STR + message; binary: STR's bytes + message)", cxxopts::value<std::string>()->default_value(""));
    options.add_options("Limits")
        ("max-message-size", "largest message accepted; larger closes with 1009", cxxopts::value<std::string>()->default_value("16MiB"))
        ("max-connections", "open connections; beyond, the handshake gets HTTP 503", cxxopts::value<std::string>()->default_value("100k"))
        ("handshake-timeout", "drop connections that have not completed the opening handshake", cxxopts::value<std::string>()->default_value("5s"))
        ("idle-timeout", "close (1001) connections silent this long; 0 disables", cxxopts::value<std::string>()->default_value("0"))
        ("close-timeout", "after sending a close, drop TCP if the peer does not answer", cxxopts::value<std::string>()->default_value("2s"))
        ("max-send-queue", "broadcast: a connection with more unsent bytes is closed with 1008", cxxopts::value<std::string>()->default_value("32MiB"))
        ("high-water-mark", "echo: stop reading from a connection while more replies are unsent", cxxopts::value<std::string>()->default_value("1MiB"));
    options.add_options("TLS and extensions")
        ("tls-cert", "PEM certificate (chain) file; with --tls-key serves wss://", cxxopts::value<std::string>()->default_value(""))
        ("tls-key", "PEM private key file", cxxopts::value<std::string>()->default_value(""))
        ("deflate", "offer permessage-deflate (RFC 7692)")
        ("deflate-level", "with --deflate, --engine fast: zlib's compression level, 1 (fastest) to 9 (smallest); default zlib's own, 6", cxxopts::value<std::string>(), "N");
    options.add_options("Observability")
        ("log-connections", "log each connect and disconnect with peer IP:port and close code")
        ("stats-interval", "print the /stats JSON to stderr this often; 0 disables", cxxopts::value<std::string>()->default_value("0"))
        ("v,verbose", "more logs (-v websocketpp errors, -vv its access log)")
        ("q,quiet", "only errors and warnings on stderr")
        ("h,help", "this help")
        ("version", "print the version");
    options.add_options("Console")
        ("console", "stdin is the operator's console: a typed line goes to every open client as text; "
                    "/list, /send ID, /close ID, /close-all, /stats, /quit (/help lists them). Received "
                    "messages print on stdout with the client's id. Without it stdin is not read")
        ("console-quiet", "--console without printing received messages, connects and closes");
    options.add_options("Testing only")
        ("misbehave", "break one RFC 6455 rule on purpose, for the conformance runner's own tests: "
                      "no-pong (both engines); no-utf8-check, ignore-rsv, no-close-reply, "
                      "wrong-close-code (--engine fast only)", cxxopts::value<std::string>()->default_value("none"));
    // clang-format on
    return options;
}

void read_server(const cxxopts::ParseResult& r, const cli::Values& v, Config& c) {
    c.host = r["host"].as<std::string>();
    const std::uint64_t port = v.whole("port");
    if (port > 65535) throw UsageError{"--port " + std::to_string(port) + ": expected 0-65535"};
    c.port = static_cast<std::uint16_t>(port);
    const std::uint64_t threads = v.whole("threads");
    if (threads > 1024) throw UsageError{"--threads " + std::to_string(threads) + ": at most 1024"};
    c.threads = static_cast<unsigned>(threads);

    const std::string engine = r["engine"].as<std::string>();
    if (engine == "websocketpp") {
        c.engine = Engine::websocketpp;
    } else if (engine == "fast") {
        c.engine = Engine::fast;
    } else {
        throw UsageError{"--engine '" + engine + "': expected websocketpp or fast"};
    }
    const std::string mode = r["mode"].as<std::string>();
    if (mode == "echo") {
        c.mode = Mode::echo;
    } else if (mode == "broadcast") {
        c.mode = Mode::broadcast;
    } else {
        throw UsageError{"--mode '" + mode + "': expected echo or broadcast"};
    }
    c.reply_prefix = r["reply-prefix"].as<std::string>();
    c.reuse_port = r.count("reuse-port") > 0;
    if (c.reuse_port && c.engine != Engine::fast) {
        throw UsageError{
            "--reuse-port needs --engine fast (websocketpp's acceptor binds the port alone)"};
    }
    if (c.reuse_port && c.port == 0) {
        throw UsageError{"--reuse-port needs a --port to share (0 picks a new free one)"};
    }
}

void read_limits(const cli::Values& v, Config& c) {
    c.max_message_size = v.size("max-message-size");
    if (c.max_message_size == 0) throw UsageError{"--max-message-size must be above 0"};
    c.max_connections = v.count("max-connections", "1000 or 100k");
    if (c.max_connections == 0) throw UsageError{"--max-connections must be above 0"};
    c.handshake_timeout = millis(v.duration("handshake-timeout"));
    c.idle_timeout = millis(v.duration("idle-timeout"));
    c.close_timeout = millis(v.duration("close-timeout"));
    if (c.handshake_timeout.count() == 0) throw UsageError{"--handshake-timeout must be above 0"};
    if (c.close_timeout.count() == 0) throw UsageError{"--close-timeout must be above 0"};
    c.max_send_queue = v.size("max-send-queue");
    c.high_water_mark = v.size("high-water-mark");
}

// TLS and extensions, observability, and the testing-only switch.
void read_the_rest(const cxxopts::ParseResult& r, const cli::Values& v, Config& c) {
    c.tls_cert = r["tls-cert"].as<std::string>();
    c.tls_key = r["tls-key"].as<std::string>();
    if (c.tls_cert.empty() != c.tls_key.empty()) {
        throw UsageError{"--tls-cert and --tls-key go together"};
    }
    c.deflate = r.count("deflate") > 0;
    if (r.count("deflate-level")) {
        const std::string text = r["deflate-level"].as<std::string>();
        if (!c.deflate) throw UsageError{"--deflate-level needs --deflate"};
        if (c.engine == Engine::websocketpp) {
            throw UsageError{
                "--deflate-level needs --engine fast: websocketpp compresses at zlib's default "
                "level"};
        }
        if (text.size() != 1 || text[0] < '1' || text[0] > '9') {
            throw UsageError{"--deflate-level '" + text + "': expected a zlib level, 1 to 9"};
        }
        c.deflate_level = text[0] - '0';
    }
    c.log_connections = r.count("log-connections") > 0;
    c.stats_interval = millis(v.duration("stats-interval"));
    c.verbosity = static_cast<int>(r.count("verbose"));
    if (r.count("quiet")) c.verbosity = -1;
    c.console_quiet = r.count("console-quiet") > 0;
    c.console = c.console_quiet || r.count("console") > 0;
    c.misbehave = parse_misbehave(r["misbehave"].as<std::string>());
    if (c.engine == Engine::websocketpp && c.misbehave != Misbehave::none &&
        c.misbehave != Misbehave::no_pong) {
        throw UsageError{std::string("--misbehave ") + to_string(c.misbehave) +
                         " needs --engine fast: websocketpp enforces that rule internally"};
    }
}

}  // namespace

CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CliResult result;
    Config& c = result.config;
    bool run = false;  // false after --help and --version
    cxxopts::Options options = make_options(Config{});
    result.exit_code = cli::parse(options, argc, argv, err, [&](const cxxopts::ParseResult& r) {
        const cli::Values v(r);
        if (r.count("help")) {
            out << options.help({"Server", "Limits", "TLS and extensions", "Observability",
                                 "Console", "Testing only"})
                << "\nExit codes: 0 clean shutdown, 2 usage error, 3 cannot listen.\n"
                   "Sizes take k/M/G (1000) or KiB/MiB/GiB (1024); durations ms, s, m; counts "
                   "k/M.\n";
            return;
        }
        if (r.count("version")) {
            cli::print_version(out, "wsbench-echo-server");
            return;
        }
        if (!r.unmatched().empty())
            throw UsageError{"unexpected argument '" + r.unmatched().front() + "'"};
        read_server(r, v, c);
        read_limits(v, c);
        read_the_rest(r, v, c);
        run = true;
    });
    result.run = run && result.exit_code == ExitCode::ok;
    return result;
}

}  // namespace wsb::echo
