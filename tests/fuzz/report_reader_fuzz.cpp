// libFuzzer target for reading reports, files users pass around and feed back to wsbench.
// Two readers: wsbench-report's own (parse_input, then to_loadgen or read_autobahn), which
// must refuse anything malformed with InputError and nothing else; and the raw view below,
// where nlohmann::json parses the text and every histogram in it (`histograms` {name: V2
// compressed base64}) is decoded, summarised, merged and re-encoded.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "report/autobahn.hpp"
#include "report/input.hpp"
#include "wsbench/histogram.hpp"
#include "wsbench/report.hpp"

namespace {

/// What reading a report gives: the JSON, and the histograms that decoded, by name.
struct ReadReport {
    bool parsed = false;
    nlohmann::json json;
    std::map<std::string, wsb::Histogram> histograms;
    std::size_t bad_histograms = 0;  // present but not a valid encoding
};

/// The seam for the report tool's reader.
ReadReport read_report(std::string_view text) {
    ReadReport r;
    r.json = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (r.json.is_discarded()) return r;
    r.parsed = true;
    if (!r.json.is_object()) return r;
    const auto it = r.json.find("histograms");
    if (it == r.json.end() || !it->is_object()) return r;
    for (const auto& [name, value] : it->items()) {
        if (!value.is_string()) {
            ++r.bad_histograms;
            continue;
        }
        wsb::Histogram h;
        if (wsb::Histogram::decode_base64(value.get_ref<const std::string&>(), h) ==
            wsb::Errc::ok) {
            r.histograms.emplace(name, std::move(h));
        } else {
            ++r.bad_histograms;
        }
    }
    return r;
}

}  // namespace

/// wsbench-report's reader: a report it accepts is one it can use; anything else must be an
/// InputError (exit 2 naming the file), never another exception or a crash.
void read_with_report_tool(std::string_view text) {
    try {
        const wsb::report::Input input = wsb::report::parse_input("fuzz.json", text);
        if (input.kind == wsb::report::ReportKind::loadgen) {
            const wsb::report::LoadgenFile r = wsb::report::to_loadgen(input);
            FUZZ_CHECK(!r.report.envelope.schema.empty());
        } else if (input.kind == wsb::report::ReportKind::autobahn) {
            (void)wsb::report::read_autobahn(input);
        }
    } catch (const wsb::report::InputError&) {
        // refused with a message: fine
    }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    read_with_report_tool(text);
    const ReadReport r = read_report(text);
    if (!r.parsed) return 0;

    // What was read writes back as JSON that reads the same (reports are rewritten by merge).
    const std::string dumped =
        r.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const nlohmann::json again = nlohmann::json::parse(dumped, nullptr, false);
    FUZZ_CHECK(!again.is_discarded());
    FUZZ_CHECK(again == r.json);

    // Every histogram that decoded summarises and merges like the report tool will need.
    for (const auto& [name, h] : r.histograms) {
        const nlohmann::json summary = wsb::latency_summary(h);
        FUZZ_CHECK(summary.at("count").get<std::uint64_t>() == h.total_count());
        FUZZ_CHECK(summary.at("max").get<std::uint64_t>() == h.max());
        FUZZ_CHECK(summary.at("p99").get<std::uint64_t>() <= h.max());
        wsb::Histogram merged;
        FUZZ_CHECK(wsb::Histogram::create(h.lowest_discernible_value(), h.highest_trackable_value(),
                                          h.significant_digits(), merged) == wsb::Errc::ok);
        FUZZ_CHECK(merged.add(h) == wsb::Errc::ok && merged == h);
        wsb::Histogram back;
        FUZZ_CHECK(wsb::Histogram::decode_base64(h.encode_base64(), back) == wsb::Errc::ok);
        FUZZ_CHECK(back == h);
    }
    return 0;
}
