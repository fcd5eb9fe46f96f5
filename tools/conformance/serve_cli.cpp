// Command-line parsing of `wsbench-conformance serve` (serve.hpp).
#include <asio/ip/address.hpp>
#include <cxxopts.hpp>

#include "conformance/cli.hpp"
#include "conformance/serve.hpp"
#include "wsbench/cli.hpp"

namespace wsb::conformance {

using cli::UsageError;

ServeCliResult parse_serve_cli(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err) {
    ServeCliResult result;
    ServeConfig& c = result.config;
    c.run.report_dir = "reports/conformance-clients";
    cxxopts::Options options(
        "wsbench-conformance serve",
        "Conformance for WebSocket clients: a server that plays the cases against the client\n"
        "under test, driven by Autobahn's fuzzingserver URL protocol (/getCaseCount,\n"
        "/getCaseInfo?case=N, /runCase?case=N&agent=A, /getCaseStatus?case=N&agent=A,\n"
        "/updateReports?agent=A), and writes the reports per agent.\n");
    options.custom_help("[options]");
    options.set_width(100);
    // clang-format off
    options.add_options()
        ("host", "address to listen on", cxxopts::value<std::string>()->default_value(c.host), "HOST")
        ("port", "port to listen on (0: any free port, printed)", cxxopts::value<std::string>()->default_value(std::to_string(c.port)), "P")
        ("cases", "comma-separated globs of case ids to serve, e.g. '1.*,2.*'", cxxopts::value<std::string>()->default_value("*"), "GLOBS")
        ("exclude-cases", "comma-separated globs of case ids to leave out", cxxopts::value<std::string>()->default_value(""), "GLOBS")
        ("report-dir", "directory for the reports, one subdirectory per agent ('' for none)", cxxopts::value<std::string>()->default_value(c.run.report_dir), "DIR")
        ("once", "exit after the first agent's /updateReports")
        ("agent-name-from-url", "require agent=NAME in /runCase, /getCaseStatus and /updateReports (default: fall back to the User-Agent header)")
        ("timeout-scale", "multiply every timeout for slow clients", cxxopts::value<std::string>()->default_value("1"), "X")
        ("tls-cert", "PEM certificate (chain) file; with --tls-key serves wss://", cxxopts::value<std::string>()->default_value(""), "FILE")
        ("tls-key", "PEM private key file", cxxopts::value<std::string>()->default_value(""), "FILE")
        ("strict", "count NON-STRICT verdicts as failures in the reports")
        ("q,quiet", "no progress on stderr")
        ("v,verbose", "one line per case on stderr")
        ("h,help", "this help")
        ("version", "print the version");
    // clang-format on
    bool run = false;  // false after --help and --version
    result.exit_code = cli::parse(options, argc, argv, err, [&](const cxxopts::ParseResult& r) {
        const cli::Values v(r);
        if (r.count("help")) {
            out << options.help()
                << "\nPrints 'listening on ws://HOST:PORT' (wss:// with --tls-cert) on stdout "
                   "once ready. SIGINT/SIGTERM write the reports and exit 0.\nExit codes: 0 "
                   "stopped normally, 2 usage error (also an unusable certificate or key), 3 "
                   "cannot listen.\n";
            return;
        }
        if (r.count("version")) {
            cli::print_version(out, "wsbench-conformance");
            return;
        }
        if (!r.unmatched().empty()) {
            throw UsageError{"unexpected argument '" + r.unmatched().front() + "'"};
        }
        c.host = r["host"].as<std::string>();
        std::error_code ec;
        asio::ip::make_address(c.host, ec);
        if (ec) throw UsageError{"--host '" + c.host + "': expected an IP address"};
        const std::uint64_t port = v.whole("port");
        if (port > 65535) throw UsageError{"--port " + std::to_string(port) + ": 0 to 65535"};
        c.port = static_cast<std::uint16_t>(port);
        c.run.cases = split_list(r["cases"].as<std::string>());
        if (c.run.cases.empty()) throw UsageError{"--cases: give at least one glob, e.g. '*'"};
        c.run.exclude_cases = split_list(r["exclude-cases"].as<std::string>());
        c.run.report_dir = r["report-dir"].as<std::string>();
        c.once = r.count("once") > 0;
        c.agent_from_url = r.count("agent-name-from-url") > 0;
        c.run.timeout_scale = v.number("timeout-scale");
        if (!(c.run.timeout_scale > 0) || c.run.timeout_scale > 1000) {
            throw UsageError{"--timeout-scale: expected a number above 0 (and at most 1000)"};
        }
        c.tls_cert = r["tls-cert"].as<std::string>();
        c.tls_key = r["tls-key"].as<std::string>();
        if (c.tls_cert.empty() != c.tls_key.empty()) {
            throw UsageError{"--tls-cert and --tls-key go together"};
        }
        c.run.strict = r.count("strict") > 0;
        c.run.quiet = r.count("quiet") > 0;
        c.run.verbosity = static_cast<int>(r.count("verbose"));
        run = true;
    });
    result.run = run && result.exit_code == ExitCode::ok;
    return result;
}

}  // namespace wsb::conformance
