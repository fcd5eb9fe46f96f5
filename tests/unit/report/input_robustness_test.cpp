// The report reader against damaged input: a real report truncated at every byte, and every
// value of it replaced by values of the wrong type. Every command must either work or refuse
// with an InputError; nothing else may escape (the tool would abort instead of exiting 2).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "report/autobahn.hpp"
#include "report/compare.hpp"
#include "report/html.hpp"
#include "report/merge.hpp"

namespace wsb::report {
namespace {

using test::echo_run;
using test::json;

// A small but complete report: every section, a sharded run, a timeline with histograms.
json sample_report() {
    LoadgenReport r = echo_run({100, 200, 5000});
    r.config.shard = ShardId{1, 2};
    r.config.connections = 4;
    r.shard = ShardPart{1, 2, 2, 2, 500, 0};
    r.connections.target = 2;
    Histogram second;
    second.record(150);
    r.timeline = {{1.0, 3, 3, 2, 1, 150, 150, second.encode_base64()}};
    r.errors["read"] = 1;
    r.warnings = {"w"};
    return json(r);
}

// The other shard of sample_report(), read once.
const LoadgenFile& other_shard() {
    static const LoadgenFile other = [] {
        Input in;
        in.path = "other.json";
        in.doc = sample_report();
        in.doc["config"]["shard"]["index"] = 0;
        return to_loadgen(in);
    }();
    return other;
}

// Runs everything a report feeds: reading, summary, compare, merge (with its other shard), html.
// Returns "" or what escaped other than InputError.
std::string exercise(const json& doc) {
    Input in;
    in.path = "damaged.json";
    in.doc = doc;
    try {
        const std::vector<LoadgenFile> reports{to_loadgen(in), other_shard()};
        summary_table(reports[0].report);
        compare_loadgen(reports[0], reports[1], Thresholds{});
        std::vector<std::string> warnings;
        merge_loadgen(reports, warnings);
        render_html({reports[0]});
    } catch (const InputError&) {
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

// Calls `visit` with the JSON pointer of every value in `doc`, leaves and containers.
void every_path(const json& doc, const json::json_pointer& at,
                const std::function<void(const json::json_pointer&)>& visit) {
    visit(at);
    if (doc.is_object()) {
        for (const auto& [key, value] : doc.items()) every_path(value, at / key, visit);
    } else if (doc.is_array()) {
        for (std::size_t i = 0; i < doc.size(); ++i) every_path(doc[i], at / i, visit);
    }
}

TEST(ReportInputRobustness, TheSampleItselfPassesEveryCommand) {
    EXPECT_EQ(exercise(sample_report()), "");
}

TEST(ReportInputRobustness, EveryValueReplacedByTheWrongTypeIsRefusedOrRead) {
    const json original = sample_report();
    const json replacements[] = {nullptr, "x", -1, json::object()};
    std::size_t cases = 0;
    every_path(original, json::json_pointer(), [&](const json::json_pointer& at) {
        if (at.empty()) return;
        for (const json& bad : replacements) {
            json doc = original;
            doc[at] = bad;
            const std::string escaped = exercise(doc);
            EXPECT_EQ(escaped, "") << at.to_string() << " = " << bad.dump();
            ++cases;
        }
        json removed = original;
        removed[at.parent_pointer()].is_object()
            ? static_cast<void>(removed[at.parent_pointer()].erase(at.back()))
            : static_cast<void>(0);
        EXPECT_EQ(exercise(removed), "") << at.to_string() << " removed";
    });
    EXPECT_GT(cases, 500u) << cases;
}

TEST(ReportInputRobustness, TruncatedAtEveryByteIsRefusedWithTheFileName) {
    const std::string text = sample_report().dump();
    for (std::size_t n = 0; n < text.size(); ++n) {
        const test::TempFile file("truncated.json", text.substr(0, n));
        try {
            read_input(file.path);
            ADD_FAILURE() << "accepted the first " << n << " bytes";
        } catch (const InputError& e) {
            EXPECT_EQ(std::string(e.what()).rfind(file.path + ": ", 0), 0u) << e.what();
        }
    }
}

// Found by report_reader_fuzz in CI: valid JSON with a number beyond double's range made
// nlohmann throw out_of_range, which escaped as an abort instead of exit 2.
TEST(ReportInputRobustness, NumbersBeyondDoubleAreRefusedWithTheFileName) {
    for (const char* text : {R"({"schema":"wsbench.loadgen/1","histograms":{"latency":1e400}})",
                             R"({"x":-1e400})", R"([1E+999])"}) {
        try {
            parse_input("huge.json", text);
            ADD_FAILURE() << "accepted " << text;
        } catch (const InputError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("huge.json: unreadable JSON: ", 0), 0u)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
        }
    }
}

TEST(ReportInputRobustness, AutobahnIndexWithWrongTypesIsRefusedOrRead) {
    const Input base = read_input(WSBENCH_FIXTURES_DIR "/autobahn/base-index.json");
    const json replacements[] = {nullptr, "x", -1, json::object(), json::array()};
    every_path(base.doc, json::json_pointer(), [&](const json::json_pointer& at) {
        if (at.empty()) return;
        for (const json& bad : replacements) {
            Input in = base;
            in.path = "damaged-index.json";
            in.doc[at] = bad;
            try {
                // read_input() decides the kind from the shape; a damaged file may not be one.
                if (in.doc.is_object()) {
                    render_autobahn_html({in});
                    autobahn_summary_text(read_autobahn(in));
                    compare_inputs(base, in, Thresholds{});
                }
            } catch (const InputError&) {
            } catch (const std::exception& e) {
                ADD_FAILURE() << at.to_string() << " = " << bad.dump() << ": " << e.what();
            }
        }
    });
}

}  // namespace
}  // namespace wsb::report
