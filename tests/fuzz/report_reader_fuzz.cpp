// libFuzzer target for reading reports, files users pass around and feed back to wsbench.
// The report tool's reader (wsbench-report) is not written yet, so this reads what a loadgen
// report holds with what exists: nlohmann::json parses the text, and every histogram in it
// (`histograms` {name: V2 compressed base64}) is decoded and summarised as the report tool
// will. When tools/report lands, read_report() below becomes a call to its reader and the
// checks stay.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
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
