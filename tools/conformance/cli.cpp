// Command-line parsing of wsbench-conformance (cxxopts).
#include "conformance/cli.hpp"

#include <cxxopts.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "wsbench/cli.hpp"
#include "wsbench/net/tls.hpp"

namespace wsb::conformance {

using cli::UsageError;

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        const auto e = item.find_last_not_of(" \t");
        out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

namespace {

// Every option, with the defaults of `c` in --help.
cxxopts::Options make_options(const Config& c) {
    cxxopts::Options options(
        "wsbench-conformance",
        "RFC 6455 conformance runner for WebSocket servers: runs the Autobahn testsuite's\n"
        "cases 1-10 (same ids, same wire behaviour, same verdicts) and wsbench's own sections\n"
        "H (opening handshake) and M (masking) against URL, writes Autobahn-compatible\n"
        "index.json, report.json, junit.xml and index.html, and exits non-zero on failure.\n"
        "To test WebSocket clients instead: wsbench-conformance serve --help.\n");
    options.custom_help("[options]");
    options.positional_help("URL");
    options.set_width(100);
    // clang-format off
    options.add_options("Cases")
        ("cases", "comma-separated globs of case ids to run, e.g. '6.*,7.1.*'", cxxopts::value<std::string>()->default_value("*"), "GLOBS")
        ("exclude-cases", "comma-separated globs of case ids to leave out, e.g. '9.*'", cxxopts::value<std::string>()->default_value(""), "GLOBS")
        ("strict", "count NON-STRICT verdicts as failures")
        ("list", "list the selected cases and exit");
    options.add_options("Run")
        ("parallel", "cases run at once on separate connections (9.x always run one at a time)", cxxopts::value<std::string>()->default_value(std::to_string(c.parallel)), "N")
        ("timeout-scale", "multiply every timeout (kill timers, closing handshake, ...) for slow targets", cxxopts::value<std::string>()->default_value("1"), "X")
        ("agent", "name of the server in the reports (default: its Server header)", cxxopts::value<std::string>(), "NAME")
        ("insecure", "wss: do not verify the server's certificate")
        ("ca", "wss: trust the CA certificates in this PEM file", cxxopts::value<std::string>(), "FILE");
    options.add_options("Output")
        ("report-dir", "directory for index.json, report.json, junit.xml, index.html and per-case JSON ('' for none)", cxxopts::value<std::string>()->default_value(c.report_dir), "DIR")
        ("wire-log-limit", "wire log entries kept per case", cxxopts::value<std::string>()->default_value(std::to_string(c.wire_log_limit)), "N")
        ("q,quiet", "no progress on stderr")
        ("v,verbose", "one line per case on stderr")
        ("h,help", "this help")
        ("version", "print the version");
    options.add_options("Target")
        ("url", "ws://host[:port][/path] or wss://...", cxxopts::value<std::string>());
    // clang-format on
    options.parse_positional({"url"});
    return options;
}

// The URL, unless --list.
void read_target(const cxxopts::ParseResult& r, Config& c) {
    if (r.count("list") == 0) {
        if (!r.count("url")) throw UsageError{"missing the target URL, e.g. ws://127.0.0.1:9001/"};
        c.url_text = r["url"].as<std::string>();
        const Errc e = parse_url(c.url_text, c.url);
        if (e != Errc::ok) {
            throw UsageError{"'" + c.url_text +
                             "' is not a WebSocket URL: expected ws://host[:port][/path] "
                             "or wss://..."};
        }
    }
}

// Which cases and how they run and report.
void read_run(const cxxopts::ParseResult& r, const cli::Values& v, Config& c) {
    c.cases = split_list(r["cases"].as<std::string>());
    if (c.cases.empty()) throw UsageError{"--cases: give at least one glob, e.g. '*'"};
    c.exclude_cases = split_list(r["exclude-cases"].as<std::string>());
    c.strict = r.count("strict") > 0;
    const std::uint64_t parallel = v.whole("parallel");
    if (parallel == 0 || parallel > 4096) {
        throw UsageError{"--parallel " + std::to_string(parallel) + ": expected 1 to 4096"};
    }
    c.parallel = static_cast<unsigned>(parallel);
    c.timeout_scale = v.number("timeout-scale");
    if (!(c.timeout_scale > 0) || c.timeout_scale > 1000) {
        throw UsageError{"--timeout-scale: expected a number above 0 (and at most 1000)"};
    }
    if (r.count("agent")) {
        c.agent = r["agent"].as<std::string>();
        if (c.agent.empty()) throw UsageError{"--agent: the name must not be empty"};
    }
    c.report_dir = r["report-dir"].as<std::string>();
    c.wire_log_limit = v.count("wire-log-limit", "1000 or 10k");
    c.quiet = r.count("quiet") > 0;
    c.verbosity = static_cast<int>(r.count("verbose"));
    c.list_only = r.count("list") > 0;
}

// --insecure and --ca, checked against the URL and each other before the CA file is read.
void read_tls(const cxxopts::ParseResult& r, Config& c) {
    c.insecure = r.count("insecure") > 0;
    if (r.count("ca")) c.ca_file = r["ca"].as<std::string>();
    if (!c.list_only && !c.url.secure && (c.insecure || !c.ca_file.empty())) {
        throw UsageError{std::string(c.insecure ? "--insecure" : "--ca") +
                         " applies to wss:// only, and the URL '" + c.url_text + "' is ws://"};
    }
    if (c.insecure && !c.ca_file.empty()) {
        throw UsageError{
            "--insecure and --ca contradict: --insecure skips the verification "
            "that --ca configures"};
    }
    // After the contradictions, so "--ca with ws://" is named before the file is read.
    if (!c.ca_file.empty()) {
        if (const std::string why = net::check_ca_file(c.ca_file); !why.empty()) {
            throw UsageError{cli::quoted("--ca", c.ca_file) + ": " + why};
        }
    }
}

}  // namespace

CliResult parse_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CliResult result;
    Config& c = result.config;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    c.parallel = cores * 8;
    cxxopts::Options options = make_options(c);
    bool run = false;  // false after --help and --version
    result.exit_code = cli::parse(options, argc, argv, err, [&](const cxxopts::ParseResult& r) {
        const cli::Values v(r);
        if (r.count("help")) {
            out << options.help({"Cases", "Run", "Output"})
                << "\nVerdicts, as Autobahn's: behavior OK, NON-STRICT, INFORMATIONAL, "
                   "UNIMPLEMENTED, FAILED;\nbehaviorClose OK, FAILED, WRONG CODE, UNCLEAN, FAILED "
                   "BY CLIENT, INFORMATIONAL.\n"
                   "Exit codes: 0 every case passed (OK, NON-STRICT, INFORMATIONAL; --strict: "
                   "not NON-STRICT),\n1 a case failed or could not be run to a verdict, 2 usage "
                   "error, 3 target unreachable.\n"
                   "A glob that matches no case is noted on stderr and ignored.\n";
            return;
        }
        if (r.count("version")) {
            cli::print_version(out, "wsbench-conformance");
            return;
        }
        if (!r.unmatched().empty()) {
            throw UsageError{"unexpected argument '" + r.unmatched().front() +
                             "': give one URL (options may come before or after it)"};
        }
        read_target(r, c);
        read_run(r, v, c);
        read_tls(r, c);
        run = true;
    });
    result.run = run && result.exit_code == ExitCode::ok;
    return result;
}

}  // namespace wsb::conformance
