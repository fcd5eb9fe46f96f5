// Command-line parsing of wsbench-client (cxxopts, values in units through wsbench/cli.hpp).
#include "client/cli.hpp"

#include <cxxopts.hpp>
#include <regex>

#include "wsbench/cli.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::client {
namespace {

using cli::UsageError;

Millis millis(std::chrono::nanoseconds d) { return std::chrono::duration_cast<Millis>(d); }

cxxopts::Options make_options() {
    cxxopts::Options options(
        "wsbench-client",
        "A WebSocket client for the terminal and for scripts.\n"
        "On a terminal: an interactive session; each line is sent as text, /help lists the\n"
        "commands (/hex, /json, /ping, /close ...). Otherwise stdin lines are messages, stdout\n"
        "carries only received messages (one per line) and notes go to stderr.\n");
    options.custom_help("URL [options]");
    options.positional_help("");
    // clang-format off
    options.add_options("Messages")
        ("url", "ws:// or wss:// URL", cxxopts::value<std::string>())
        ("x,execute", "send MSG after connecting (repeatable, in order); stdin is not read then", cxxopts::value<std::string>(), "MSG")
        ("w,wait", "after the -x messages (or stdin's end), stay open this long; -1 forever", cxxopts::value<std::string>(), "TIME")
        ("n,count", "exit 0 after this many messages are received", cxxopts::value<std::string>(), "N")
        ("until", "exit 0 on the first received message matching REGEX (ECMAScript)", cxxopts::value<std::string>(), "REGEX")
        ("timeout", "with -n or --until: exit 1 when they are not met within TIME", cxxopts::value<std::string>(), "TIME")
        ("json", "pretty-print received messages that are JSON")
        ("binary-as", "print binary messages as hex, base64 or raw (raw: exact bytes, no newline; pipe mode only)", cxxopts::value<std::string>()->default_value("hex"), "FORMAT");
    options.add_options("Connection")
        ("H,header", "extra handshake header 'Name: value' (repeatable)", cxxopts::value<std::string>(), "HEADER")
        ("subprotocol", "offer this subprotocol (repeatable)", cxxopts::value<std::string>(), "NAME")
        ("origin", "send this Origin header", cxxopts::value<std::string>(), "URL")
        ("deflate", "offer permessage-deflate (RFC 7692) as browsers do; when the server accepts, messages go both ways compressed")
        ("insecure", "wss: do not verify the server's certificate")
        ("ca", "wss: trust the PEM certificates in FILE instead of the system's", cxxopts::value<std::string>(), "FILE")
        ("connect-timeout", "give up (exit 3) when TCP, TLS and the handshake take longer", cxxopts::value<std::string>()->default_value("10s"), "TIME")
        ("max-message-size", "a larger received message closes with 1009 (exit 1)", cxxopts::value<std::string>()->default_value("16MiB"), "SIZE")
        ("reconnect", "when the connection is lost, connect again (exponential backoff with jitter, 250ms to 30s)")
        ("ping-interval", "send a ping this often and print the round-trip time", cxxopts::value<std::string>()->default_value("0"), "TIME")
        ("show-ping", "print the server's pings and our pongs");
    options.add_options("Output")
        ("v,verbose", "print the opening handshake's request and response heads")
        ("h,help", "this help")
        ("version", "print the version");
    // clang-format on
    options.parse_positional({"url"});
    return options;
}

void read_url(const cxxopts::ParseResult& r, Config& c) {
    if (!r.count("url")) throw UsageError{"which URL? (wsbench-client ws://HOST:PORT/PATH)"};
    c.url_text = r["url"].as<std::string>();
    const Errc e = parse_url(c.url_text, c.url);
    if (e != Errc::ok) {
        throw UsageError{cli::quoted("URL", c.url_text) + ": expected ws://HOST[:PORT][/PATH] or " +
                         "wss://... (" + std::string(to_string(e)) + ")"};
    }
}

void read_messages(const cxxopts::ParseResult& r, const cli::Values& v, Config& c) {
    c.execute = v.all("execute");
    if (r.count("wait")) {
        c.wait = v.text("wait") == "-1" ? Millis(-1) : millis(v.duration("wait"));
    }
    if (r.count("count")) {
        c.count = v.count("count", "1 or 10");
        if (c.count == 0) throw UsageError{"--count must be above 0"};
    }
    if (r.count("until")) {
        c.until = v.text("until");
        try {
            std::regex check(c.until, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            throw UsageError{cli::quoted("--until", c.until) + ": not a regular expression (" +
                             e.what() + ")"};
        }
    }
    if (r.count("timeout")) {
        if (c.count == 0 && c.until.empty()) {
            throw UsageError{"--timeout bounds the wait for -n or --until: give one of them"};
        }
        c.timeout = millis(v.duration("timeout"));
        if (c.timeout->count() == 0) throw UsageError{"--timeout must be above 0"};
    }
    c.json = r.count("json") > 0;
    const std::string as = v.text("binary-as");
    if (as == "hex") {
        c.binary_as = BinaryAs::hex;
    } else if (as == "base64") {
        c.binary_as = BinaryAs::base64;
    } else if (as == "raw") {
        c.binary_as = BinaryAs::raw;
    } else {
        throw UsageError{cli::quoted("--binary-as", as) + ": expected hex, base64 or raw"};
    }
}

void read_headers(const cli::Values& v, Config& c) {
    for (const std::string& h : v.all("header")) {
        const std::size_t colon = h.find(':');
        const std::string name = h.substr(0, colon);
        if (colon == std::string::npos || !is_http_token(name)) {
            throw UsageError{cli::one_line(cli::quoted("-H", h) +
                                           ": expected 'Name: value' with a token as the name")};
        }
        const std::string value(trim_ows(std::string_view(h).substr(colon + 1)));
        if (value.find_first_of("\r\n") != std::string::npos) {
            throw UsageError{cli::one_line(cli::quoted("-H", h) + ": a value cannot hold CR/LF")};
        }
        c.headers.emplace_back(name, value);
    }
}

void read_connection(const cxxopts::ParseResult& r, const cli::Values& v, Config& c) {
    read_headers(v, c);
    c.subprotocols = v.all("subprotocol");
    for (const auto& p : c.subprotocols) {
        if (!is_http_token(p))
            throw UsageError{cli::quoted("--subprotocol", p) + ": expected a token"};
    }
    if (r.count("origin")) c.origin = v.text("origin");
    c.deflate = r.count("deflate") > 0;
    c.insecure = r.count("insecure") > 0;
    if (r.count("ca")) {
        c.ca_file = v.text("ca");
        const std::string why = net::check_ca_file(c.ca_file);
        if (!why.empty()) throw UsageError{"--ca " + c.ca_file + ": " + why};
    }
    c.connect_timeout = millis(v.duration("connect-timeout"));
    if (c.connect_timeout.count() == 0) throw UsageError{"--connect-timeout must be above 0"};
    c.max_message_size = v.size("max-message-size");
    if (c.max_message_size == 0) throw UsageError{"--max-message-size must be above 0"};
    c.reconnect = r.count("reconnect") > 0;
    c.ping_interval = millis(v.duration("ping-interval"));
    c.show_ping = r.count("show-ping") > 0;
    c.verbose = r.count("verbose") > 0;
}

}  // namespace

CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CliResult result;
    Config& c = result.config;
    bool run = false;  // false after --help and --version
    cxxopts::Options options = make_options();
    result.exit_code = cli::parse(options, argc, argv, err, [&](const cxxopts::ParseResult& r) {
        const cli::Values v(r);
        if (r.count("help")) {
            out << options.help({"Messages", "Connection", "Output"})
                << "\nExit codes: 0 closed normally (1000), or -n/--until met; 1 the connection\n"
                   "ended otherwise (a close code other than 1000, lost, a protocol error, an\n"
                   "--timeout); 2 usage error; 3 could not connect (refused, no handshake\n"
                   "within --connect-timeout, handshake rejected).\n"
                   "Durations take ms, s, m (a bare number is seconds); sizes k/M or KiB/MiB.\n";
            return;
        }
        if (r.count("version")) {
            cli::print_version(out, "wsbench-client");
            return;
        }
        if (!r.unmatched().empty())
            throw UsageError{"unexpected argument '" + r.unmatched().front() + "'"};
        read_url(r, c);
        read_messages(r, v, c);
        read_connection(r, v, c);
        run = true;
    });
    result.run = run && result.exit_code == ExitCode::ok;
    return result;
}

}  // namespace wsb::client
