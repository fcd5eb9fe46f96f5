// Command line of wsbench-report: one cxxopts parser per subcommand, inputs read and checked,
// output to stdout or an atomically replaced file, exit codes as in DESIGN §4.
#include "report/report_cli.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cxxopts.hpp>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "report/autobahn.hpp"
#include "report/compare.hpp"
#include "report/html.hpp"
#include "report/input.hpp"
#include "report/merge.hpp"
#include "wsbench/cli.hpp"
#include "wsbench/report/write.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

using cli::UsageError;

constexpr const char* kExitCodes =
    "Exit codes: 0 done (compare: no regression), 1 compare found a regression, 2 usage error\n"
    "or unreadable/invalid input (the message names the file), 3 the output could not be\n"
    "written. Options may come before or after the files.\n";

constexpr const char* kUsage =
    "usage: wsbench-report COMMAND [options] FILE...\n"
    "\n"
    "Reads the JSON reports of wsbench-loadgen, and conformance verdicts: wsbench-conformance\n"
    "report.json and Autobahn index.json files (summary, compare, html).\n"
    "\n"
    "Commands:\n"
    "  summary IN.json                  the human summary table of a report\n"
    "  compare BASE.json NEW.json       metric by metric, with --threshold; exit 1 on regression\n"
    "  merge A.json B.json... -o OUT    one exact report from shards or hosts of one run\n"
    "  html IN.json... -o OUT.html      a self-contained page with charts; inputs overlay\n"
    "\n"
    "Run 'wsbench-report COMMAND --help' for the options of each.\n";

// Writes `text` to `path` ("-": `out`); a regular file is replaced atomically. Returns "" or
// a message naming the file.
std::string write_text(const std::string& text, const std::string& path, std::ostream& out) {
    if (path == "-") {
        out << text << std::flush;
        return "";
    }
    std::string detail;
    return write_file(path, text, &detail) == Errc::ok ? "" : detail;
}

// What every subcommand shares: its parser, the files, --format.
struct Command {
    const char* name;
    const char* positional_help;
    const char* description;
    std::size_t min_files;
    std::size_t max_files;             // 0: no limit
    std::vector<const char*> formats;  // empty: no --format
    std::function<void(cxxopts::Options&)> add_options;
    std::function<ExitCode(const cxxopts::ParseResult&, const std::vector<std::string>&,
                           const std::string& format, std::ostream&, std::ostream&)>
        run;
};

std::string format_list(const std::vector<const char*>& formats) {
    std::string s;
    for (std::size_t i = 0; i < formats.size(); ++i) {
        s += (i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + std::string(formats[i]);
    }
    return s;
}

ExitCode run_command(const Command& cmd, int argc, const char* const* argv, std::ostream& out,
                     std::ostream& err) {
    const std::string prog = std::string("wsbench-report ") + cmd.name;
    cxxopts::Options options(prog, cmd.description);
    options.custom_help("[options]");
    options.positional_help(cmd.positional_help);
    options.set_width(100);
    if (!cmd.formats.empty()) {
        options.add_options()("format", "output: " + format_list(cmd.formats),
                              cxxopts::value<std::string>()->default_value(cmd.formats[0]),
                              "FORMAT");
    }
    if (cmd.add_options) cmd.add_options(options);
    options.add_options()("h,help", "this help");
    try {
        const auto r = options.parse(argc, argv);
        if (r.count("help")) {
            out << options.help() << "\n" << kExitCodes;
            return ExitCode::ok;
        }
        std::vector<std::string> files = r.unmatched();
        if (files.size() < cmd.min_files || (cmd.max_files > 0 && files.size() > cmd.max_files)) {
            throw UsageError{std::string(cmd.name) + " takes " + cmd.positional_help + ", got " +
                             std::to_string(files.size()) + " file(s)"};
        }
        std::string format;
        if (!cmd.formats.empty()) {
            format = r["format"].as<std::string>();
            bool known = false;
            for (const char* f : cmd.formats) known = known || format == f;
            if (!known) {
                throw UsageError{"--format '" + format + "': expected " + format_list(cmd.formats)};
            }
        }
        return cmd.run(r, files, format, out, err);
    } catch (const UsageError& e) {
        err << prog << ": " << cli::one_line(e.message) << " (see --help)\n";
        return ExitCode::usage;
    } catch (const cxxopts::exceptions::exception& e) {
        err << prog << ": " << cli::cxxopts_message(options, e.what()) << " (see --help)\n";
        return ExitCode::usage;
    } catch (const InputError& e) {
        err << prog << ": " << e.what() << "\n";
        return ExitCode::usage;
    } catch (const nlohmann::json::exception& e) {
        // Every field used is checked on reading; this is the net under a check forgotten.
        err << prog << ": invalid report: " << e.what() << "\n";
        return ExitCode::usage;
    }
}

std::string output_path(const cxxopts::ParseResult& r) {
    if (!r.count("output")) throw UsageError{"missing -o/--output FILE ('-' for stdout)"};
    const std::string path = r["output"].as<std::string>();
    if (path.empty()) throw UsageError{"-o/--output '': expected a file name, or '-' for stdout"};
    return path;
}

std::vector<LoadgenFile> read_all(const std::vector<std::string>& files) {
    std::vector<LoadgenFile> reports;
    for (const std::string& f : files) reports.push_back(read_loadgen(f));
    return reports;
}

// ------------------------------------------------------------------------------ commands

ExitCode summary(const cxxopts::ParseResult&, const std::vector<std::string>& files,
                 const std::string& format, std::ostream& out, std::ostream&) {
    const Input input = read_input(files[0]);
    if (is_case_results(input.kind)) {
        const std::vector<AutobahnAgent> agents = read_autobahn(input);
        if (format == "json") {
            out << autobahn_summary_json(agents).dump(2) << "\n";
        } else {
            out << autobahn_summary_text(agents);
        }
        return ExitCode::ok;
    }
    const LoadgenFile f = to_loadgen(input);
    const LoadgenReport& r = f.report;
    if (format == "json") {
        const json doc = r;
        json summary = {{"file", f.path},
                        {"summary", doc.at("summary")},
                        {"latency_us", doc.at("latency_us")},
                        {"latency_uncorrected_us", doc.at("latency_uncorrected_us")},
                        {"connect_latency_us", doc.at("connect_latency_us")},
                        {"handshake_latency_us", doc.at("handshake_latency_us")},
                        {"errors", doc.at("errors")}};
        for (const char* key : {"steps", "sessions"}) {  // scenario files
            if (doc.contains(key)) summary[key] = doc.at(key);
        }
        out << summary.dump(2) << "\n";
        return ExitCode::ok;
    }
    out << "Report " << f.path << " (" << r.envelope.created << ", host "
        << r.envelope.host.hostname << ")\n"
        << summary_table(r);
    if (r.merged) out << "  Merged: " << r.merged->inputs << " reports\n";
    return ExitCode::ok;
}

ExitCode compare(const cxxopts::ParseResult& r, const std::vector<std::string>& files,
                 const std::string& format, std::ostream& out, std::ostream&) {
    Thresholds thresholds;
    for (const std::string& t : cli::Values(r).all("threshold")) {
        const std::string error = parse_threshold(t, thresholds);
        if (!error.empty()) throw UsageError{error};
    }
    const Comparison c = compare_inputs(read_input(files[0]), read_input(files[1]), thresholds);
    if (format == "json") {
        out << render_json(c).dump(2) << "\n";
    } else if (format == "markdown") {
        out << render_markdown(c);
    } else {
        out << render_text(c);
    }
    return c.regressed() ? ExitCode::check_failed : ExitCode::ok;
}

ExitCode merge(const cxxopts::ParseResult& r, const std::vector<std::string>& files,
               const std::string&, std::ostream& out, std::ostream& err) {
    const std::string path = output_path(r);
    std::vector<std::string> warnings;
    const json merged = merge_loadgen(read_all(files), warnings);
    for (const std::string& w : warnings) err << "wsbench-report merge: warning: " << w << "\n";
    std::string detail;
    if (path == "-") {
        out << merged.dump(2) << "\n";
    } else if (write_report(merged, path, &detail) != Errc::ok) {
        err << "wsbench-report merge: " << detail << "\n";
        return ExitCode::cannot_run;
    }
    if (path != "-" && !r.count("quiet")) {
        err << "wsbench-report merge: " << files.size() << " reports merged into " << path << "\n";
    }
    return ExitCode::ok;
}

ExitCode html(const cxxopts::ParseResult& r, const std::vector<std::string>& files,
              const std::string&, std::ostream& out, std::ostream& err) {
    const std::string path = output_path(r);
    std::vector<Input> inputs;
    for (const std::string& f : files) inputs.push_back(read_input(f));
    const bool autobahn = is_case_results(inputs.front().kind);
    std::vector<LoadgenFile> reports;
    for (const Input& in : inputs) {
        if (is_case_results(in.kind) != autobahn) {
            throw InputError(in.path + ": a " + std::string(to_string(in.kind)) + " report among " +
                             to_string(inputs.front().kind) +
                             " reports: one page shows reports of one kind");
        }
        if (!autobahn) reports.push_back(to_loadgen(in));
    }
    const std::string page = autobahn ? render_autobahn_html(inputs) : render_html(reports);
    const std::string error = write_text(page, path, out);
    if (!error.empty()) {
        err << "wsbench-report html: " << error << "\n";
        return ExitCode::cannot_run;
    }
    return ExitCode::ok;
}

}  // namespace

ExitCode run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    auto output_option = [](const char* what) {
        return [what](cxxopts::Options& o) {
            o.add_options()("o,output", what, cxxopts::value<std::string>(), "FILE")(
                "q,quiet", "no confirmation on stderr");
        };
    };
    const std::vector<Command> commands = {
        {"summary",
         "IN.json",
         "The human summary of a report: a wsbench-loadgen report's table, or the pass/fail\n"
         "counts by section of an Autobahn index.json.\n",
         1,
         1,
         {"text", "json"},
         nullptr,
         summary},
        {"compare",
         "BASE.json NEW.json",
         "Compares two reports of the same kind. Load-generator reports: throughput, errors and\n"
         "every latency percentile (corrected and uncorrected) recomputed from the embedded\n"
         "histograms, with absolute and relative change; a change beyond the metric's threshold\n"
         "is a regression (worse: higher latency or errors, lower throughput) or an improvement.\n"
         "Scenario files: p50, p99, p99.9 and timeouts of each step (steps.STEP.p99, ...).\n"
         "Autobahn index.json files: the cases whose verdict changed, newly failing first.\n",
         2,
         2,
         {"text", "json", "markdown"},
         [](cxxopts::Options& o) {
             o.add_options()(
                 "threshold",
                 "10% for every metric, or NAME=5% for one (repeatable): throughput, "
                 "errors, error_rate, min, p50, p75, p90, p95, p99, p99.9, p99.99, max, "
                 "mean, uncorrected.p99 and steps.STEP.p99 (p99 sets both), connect.p99, ...",
                 cxxopts::value<std::string>()->default_value("10%"), "PCT");
         },
         compare},
        {"merge",
         "A.json B.json...",
         "Merges load-generator reports of one run (its --shard I/N reports, or hosts that\n"
         "loaded the same target at once) exactly: counters summed, histograms added, timelines\n"
         "aligned by wall-clock second. Refuses runs that measured different things.\n",
         2,
         0,
         {},
         output_option("the merged report ('-' for stdout)"),
         merge},
        {"html",
         "IN.json...",
         "Renders reports as one self-contained HTML page: latency percentiles on a log scale,\n"
         "throughput, latency, connections and errors over time, the config. Several inputs\n"
         "overlay for comparison. Autobahn index.json files: the case tables by section,\n"
         "coloured by verdict, the files side by side.\n",
         1,
         0,
         {},
         output_option("the page ('-' for stdout)"),
         html},
    };

    if (argc < 2) {
        err << kUsage;
        return ExitCode::usage;
    }
    const std::string name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        out << kUsage << "\n" << kExitCodes;
        return ExitCode::ok;
    }
    if (name == "--version") {
        cli::print_version(out, "wsbench-report");
        return ExitCode::ok;
    }
    for (const Command& cmd : commands) {
        if (name == cmd.name) return run_command(cmd, argc - 1, argv + 1, out, err);
    }
    err << "wsbench-report: unknown command '" << name
        << "': expected summary, compare, merge or html (see --help)\n";
    return ExitCode::usage;
}

}  // namespace wsb::report
