// libFuzzer target for the HdrHistogram decoder, which reads histograms from report files users
// pass around. Decodes arbitrary base64 text, raw bytes, and the base64 of raw bytes (so zlib
// and V2 content is reached without base64 in the way). A histogram that decodes must survive
// re-encoding (compressed and uncompressed) unchanged and keep its own invariants.
//
// Input: [mode][bytes...]  mode % 3: 0 base64 text, 1 raw bytes, 2 raw bytes through base64.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/base64.hpp"
#include "wsbench/histogram.hpp"

namespace {

void check_decoded(const wsb::Histogram& h) {
    // Round trips: the compressed form reports carry, and the plain V2 form.
    wsb::Histogram again;
    FUZZ_CHECK(wsb::Histogram::decode_base64(h.encode_base64(), again) == wsb::Errc::ok);
    FUZZ_CHECK(again == h);
    const std::vector<std::uint8_t> plain = h.encode_v2();
    wsb::Histogram from_plain;
    FUZZ_CHECK(wsb::Histogram::decode(plain.data(), plain.size(), from_plain) == wsb::Errc::ok);
    FUZZ_CHECK(from_plain == h);

    // The buckets add up to the total and agree with the lookups.
    std::uint64_t total = 0;
    std::uint64_t last = 0;
    bool first = true;
    for (const wsb::HistogramBucket b : h.recorded()) {
        FUZZ_CHECK(b.count > 0);
        FUZZ_CHECK(b.lowest <= b.value);
        FUZZ_CHECK(first || b.lowest > last);
        FUZZ_CHECK(h.count_at_value(b.value) == b.count);
        total += b.count;
        last = b.value;
        first = false;
    }
    FUZZ_CHECK(total == h.total_count());
    if (h.total_count() == 0) {
        FUZZ_CHECK(h.min() == 0 && h.max() == 0 && h.mean() == 0);
    } else {
        FUZZ_CHECK(h.max() == last);
        FUZZ_CHECK(h.min() <= h.max());
        // Percentiles climb from min() to max().
        std::uint64_t previous = h.value_at_percentile(0);
        FUZZ_CHECK(previous == h.min());
        for (const double p : {25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 99.999999, 100.0}) {
            const std::uint64_t v = h.value_at_percentile(p);
            FUZZ_CHECK(v >= previous);
            previous = v;
        }
        FUZZ_CHECK(previous == h.max());
        FUZZ_CHECK(std::isfinite(h.mean()) && std::isfinite(h.stddev()) && h.stddev() >= 0);
    }

    // Merging into an empty histogram of the same layout gives the same histogram.
    wsb::Histogram merged;
    FUZZ_CHECK(wsb::Histogram::create(h.lowest_discernible_value(), h.highest_trackable_value(),
                                      h.significant_digits(), merged) == wsb::Errc::ok);
    FUZZ_CHECK(merged.add(h) == wsb::Errc::ok);
    FUZZ_CHECK(merged == h);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0] % 3;
    const std::uint8_t* bytes = data + 1;
    const std::size_t n = size - 1;

    wsb::Histogram h(1, 2, 0);  // small: decoding must replace it only on success
    const wsb::Histogram before = h;
    wsb::Errc e = wsb::Errc::ok;
    if (mode == 0) {
        e = wsb::Histogram::decode_base64(std::string_view(reinterpret_cast<const char*>(bytes), n),
                                          h);
    } else if (mode == 1) {
        e = wsb::Histogram::decode(n == 0 ? nullptr : bytes, n, h);
    } else {
        e = wsb::Histogram::decode_base64(wsb::base64_encode(bytes, n), h);
    }
    if (e != wsb::Errc::ok) {
        FUZZ_CHECK(e == wsb::Errc::histogram_bad_encoding);
        FUZZ_CHECK(h == before);  // `out` is only written on success
        return 0;
    }
    check_decoded(h);
    return 0;
}
