// Tests of wsb::Histogram: HdrHistogram layout and statistics, exact merges, coordinated-omission
// correction, and the V2 codec against hdr-histogram-js fixtures and malformed input.
#include "wsbench/histogram.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "wsbench/base64.hpp"
#include "wsbench/error.hpp"

// The largest single allocation since the last reset: tests of hostile input check that
// memory follows the input, not what a header claims. Replaces the global operator new of
// this test executable only.
static std::atomic<std::size_t> g_largest_allocation{0};

void* operator new(std::size_t size) {
    std::size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
    while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
    }
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
// Not inlined: GCC would see free() on a pointer from a new-expression and warn
// (-Wmismatched-new-delete), though this operator new is malloc.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using wsb::Errc;
using wsb::Histogram;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t hour_us = 3'600'000'000;
constexpr std::uint64_t int64_max = static_cast<std::uint64_t>(INT64_MAX);

// ---------------------------------------------------------------------------------------------
// Helpers

Bytes from_base64(const std::string& text) {
    auto bytes = wsb::base64_decode(text);
    EXPECT_TRUE(bytes.has_value()) << text;
    return bytes ? *bytes : Bytes{};
}

std::string to_base64(const Bytes& bytes) { return wsb::base64_encode(bytes.data(), bytes.size()); }

// Inflates the zlib stream of a compressed V2 encoding (after its 8-byte header).
Bytes inflate_payload(const Bytes& compressed) {
    Bytes out;
    if (compressed.size() < 8) {
        ADD_FAILURE() << "encoding shorter than its header";
        return out;
    }
    z_stream zs{};
    EXPECT_EQ(inflateInit(&zs), Z_OK);
    zs.next_in = const_cast<Bytef*>(compressed.data() + 8);
    zs.avail_in = static_cast<uInt>(compressed.size() - 8);
    std::uint8_t chunk[4096];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.insert(out.end(), chunk, chunk + (sizeof chunk - zs.avail_out));
    }
    EXPECT_EQ(rc, Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

// Wraps an uncompressed V2 encoding as HdrHistogram's compressed form.
Bytes compress_v2(const Bytes& raw, std::uint32_t cookie = 0x1c849314) {
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    Bytes out(8 + size);
    EXPECT_EQ(compress2(out.data() + 8, &size, raw.data(), static_cast<uLong>(raw.size()), 6),
              Z_OK);
    out.resize(8 + size);
    for (int k = 0; k < 4; ++k) {
        out[k] = static_cast<std::uint8_t>(cookie >> (24 - 8 * k));
        out[4 + k] = static_cast<std::uint8_t>(size >> (24 - 8 * k));
    }
    return out;
}

void put_be(Bytes& out, std::uint64_t v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

// A hand-made uncompressed V2 encoding; `payload_length` < 0 means "the real length".
Bytes make_v2(std::uint64_t lowest, std::uint64_t highest, std::uint32_t digits,
              const Bytes& counts, std::int64_t payload_length = -1,
              std::uint32_t cookie = 0x1c849313) {
    Bytes out;
    put_be(out, cookie, 4);
    put_be(out, payload_length < 0 ? counts.size() : static_cast<std::uint64_t>(payload_length), 4);
    put_be(out, 0, 4);
    put_be(out, digits, 4);
    put_be(out, lowest, 8);
    put_be(out, highest, 8);
    put_be(out, 0x3ff0000000000000, 8);
    out.insert(out.end(), counts.begin(), counts.end());
    return out;
}

Errc decode_bytes(const Bytes& bytes, Histogram& out) {
    return Histogram::decode(bytes.data(), bytes.size(), out);
}

// Every statistic the reports use, for comparing two histograms value by value.
void expect_same_statistics(const Histogram& a, const Histogram& b) {
    EXPECT_EQ(a.total_count(), b.total_count());
    EXPECT_EQ(a.min(), b.min());
    EXPECT_EQ(a.max(), b.max());
    EXPECT_DOUBLE_EQ(a.mean(), b.mean());
    EXPECT_DOUBLE_EQ(a.stddev(), b.stddev());
    for (double p : {0.0, 1.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 99.999, 100.0}) {
        EXPECT_EQ(a.value_at_percentile(p), b.value_at_percentile(p)) << "p" << p;
    }
}

// Log-uniform-ish values from 1 to about `top`, deterministic.
std::vector<std::uint64_t> spread_values(std::size_t n, std::uint64_t top, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> exponent(0.0, std::log2(static_cast<double>(top)));
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) {
        v = static_cast<std::uint64_t>(std::exp2(exponent(rng)));
    }
    return values;
}

// ---------------------------------------------------------------------------------------------
// hdr-histogram-js fixtures (tests/fixtures/hdr/generate.js)

nlohmann::json load_fixtures() {
    std::ifstream in(std::string(WSBENCH_FIXTURES_DIR) + "/hdr/hdr_js_fixtures.json");
    EXPECT_TRUE(in.good()) << "missing tests/fixtures/hdr/hdr_js_fixtures.json";
    nlohmann::json j;
    if (in.good()) {
        in >> j;
    }
    return j;
}

const nlohmann::json& fixtures() {
    static const nlohmann::json j = load_fixtures();
    return j;
}

// Regenerates a case's values as [value, count] records, like generate.js's expand().
std::vector<std::pair<std::uint64_t, std::uint64_t>> expand(const nlohmann::json& values) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    const std::string kind = values.at("kind");
    if (kind == "records") {
        for (const auto& r : values.at("records")) {
            out.emplace_back(r.at(0).get<std::uint64_t>(), r.at(1).get<std::uint64_t>());
        }
        return out;
    }
    std::uint32_t state = values.at("seed").get<std::uint32_t>();
    auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state;
    };
    const auto count = values.at("count").get<std::size_t>();
    const auto modulus = values.at("modulus").get<std::uint64_t>();
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t v = 0;
        if (kind == "uniform") {
            v = next() % modulus;
        } else if (kind == "log_spread") {
            const std::uint32_t r1 = next();
            const std::uint32_t r2 = next();
            const auto scale = values.at("scale").get<std::uint64_t>();
            v = (std::uint64_t{r2 >> (r1 >> 27)} * scale + r1 % scale) % modulus;
        } else {
            ADD_FAILURE() << "unknown value kind " << kind;
        }
        out.emplace_back(v, 1);
    }
    return out;
}

Histogram make_configured(const nlohmann::json& c) {
    const auto& cfg = c.at("config");
    return Histogram(cfg.at("lowest").get<std::uint64_t>(), cfg.at("highest").get<std::uint64_t>(),
                     cfg.at("digits").get<int>());
}

Histogram record_case(const nlohmann::json& c) {
    Histogram h = make_configured(c);
    const std::uint64_t interval = c.value("expected_interval", std::uint64_t{0});
    for (const auto& [value, count] : expand(c.at("values"))) {
        if (interval != 0) {
            EXPECT_TRUE(h.record_corrected(value, interval));
        } else {
            EXPECT_TRUE(h.record(value, count));
        }
    }
    return h;
}

void expect_js_statistics(const Histogram& h, const nlohmann::json& c) {
    EXPECT_EQ(h.total_count(), c.at("total_count").get<std::uint64_t>());
    EXPECT_EQ(h.min(), c.at("min").get<std::uint64_t>());
    EXPECT_EQ(h.max(), c.at("max").get<std::uint64_t>());
    EXPECT_DOUBLE_EQ(h.mean(), c.at("mean").get<double>());
    EXPECT_DOUBLE_EQ(h.stddev(), c.at("stddev").get<double>());
    for (const auto& p : c.at("percentiles")) {
        EXPECT_EQ(h.value_at_percentile(p.at(0).get<double>()), p.at(1).get<std::uint64_t>())
            << "percentile " << p.at(0);
    }
}

TEST(HdrJsFixture, FileHasEveryShape) {
    ASSERT_TRUE(fixtures().contains("cases"));
    EXPECT_GE(fixtures().at("cases").size(), 5u);
}

TEST(HdrJsFixture, RegeneratedValuesMatchJsChecksum) {
    for (const auto& c : fixtures().at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        std::uint64_t value_sum = 0;  // modulo 2^64, as generate.js writes it
        std::uint64_t count_sum = 0;
        for (const auto& [value, count] : expand(c.at("values"))) {
            value_sum += value * count;
            count_sum += count;
        }
        EXPECT_EQ(std::to_string(value_sum), c.at("checksum").at("value_sum").get<std::string>());
        EXPECT_EQ(std::to_string(count_sum), c.at("checksum").at("count_sum").get<std::string>());
    }
}

TEST(HdrJsFixture, DecodingJsEncodingGivesJsStatistics) {
    for (const auto& c : fixtures().at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        Histogram h;
        ASSERT_EQ(Histogram::decode_base64(c.at("encoded").get<std::string>(), h), Errc::ok);
        EXPECT_EQ(h.lowest_discernible_value(), c.at("config").at("lowest").get<std::uint64_t>());
        EXPECT_EQ(h.highest_trackable_value(), c.at("config").at("highest").get<std::uint64_t>());
        EXPECT_EQ(h.significant_digits(), c.at("config").at("digits").get<int>());
        expect_js_statistics(h, c);
    }
}

TEST(HdrJsFixture, RecordingSameValuesGivesJsStatistics) {
    for (const auto& c : fixtures().at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        expect_js_statistics(record_case(c), c);
    }
}

TEST(HdrJsFixture, RecordingSameValuesGivesSameCountsAsJsDecoded) {
    for (const auto& c : fixtures().at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        Histogram decoded;
        ASSERT_EQ(Histogram::decode_base64(c.at("encoded").get<std::string>(), decoded), Errc::ok);
        EXPECT_EQ(record_case(c), decoded);
    }
}

// hdr-histogram-js writes normalizingIndexOffset = 1 and the int64 1 as the integer-to-double
// ratio; Java and C write 0 and the double 1.0, which we follow. Every other byte must match.
TEST(HdrJsFixture, InflatedEncodingMatchesJsPayloadExceptJsHeaderQuirks) {
    for (const auto& c : fixtures().at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const Bytes js = inflate_payload(from_base64(c.at("encoded").get<std::string>()));
        const Bytes ours = inflate_payload(from_base64(record_case(c).encode_base64()));
        ASSERT_EQ(ours.size(), js.size());
        ASSERT_GE(js.size(), 40u);
        for (std::size_t i = 0; i < js.size(); ++i) {
            if ((i >= 8 && i < 12) || (i >= 32 && i < 40)) {
                continue;
            }
            ASSERT_EQ(ours[i], js[i]) << "byte " << i;
        }
        EXPECT_EQ(Bytes(js.begin() + 8, js.begin() + 12), (Bytes{0, 0, 0, 1}));
        EXPECT_EQ(Bytes(js.begin() + 32, js.begin() + 40), (Bytes{0, 0, 0, 0, 0, 0, 0, 1}));
        EXPECT_EQ(Bytes(ours.begin() + 8, ours.begin() + 12), (Bytes{0, 0, 0, 0}));
        EXPECT_EQ(Bytes(ours.begin() + 32, ours.begin() + 40),
                  (Bytes{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
        // The uncompressed form we expose is the same bytes as the inflated compressed one.
        EXPECT_EQ(record_case(c).encode_v2(), ours);
    }
}

TEST(HdrJsFixture, DecodeOfEncodeRoundTripsExactly) {
    for (const auto& c : fixtures().at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        const Histogram h = record_case(c);
        Histogram back;
        ASSERT_EQ(Histogram::decode_base64(h.encode_base64(), back), Errc::ok);
        EXPECT_EQ(back, h);
        expect_same_statistics(back, h);
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration and layout

TEST(Histogram, DefaultsAreOneToOneHourInMicrosecondsWithThreeDigits) {
    const Histogram h;
    EXPECT_EQ(h.lowest_discernible_value(), 1u);
    EXPECT_EQ(h.highest_trackable_value(), hour_us);
    EXPECT_EQ(h.significant_digits(), 3);
    EXPECT_EQ(h.total_count(), 0u);
}

TEST(Histogram, CreateRejectsConfigurationsHdrHistogramRejects) {
    Histogram h;
    EXPECT_EQ(Histogram::create(0, 1000, 3, h), Errc::invalid_argument);   // lowest < 1
    EXPECT_EQ(Histogram::create(10, 19, 3, h), Errc::invalid_argument);    // highest < 2*lowest
    EXPECT_EQ(Histogram::create(1, 1000, 6, h), Errc::invalid_argument);   // digits > 5
    EXPECT_EQ(Histogram::create(1, 1000, -1, h), Errc::invalid_argument);  // digits < 0
    EXPECT_EQ(Histogram::create(1, int64_max + 1, 3, h), Errc::invalid_argument);
    EXPECT_EQ(Histogram::create(std::uint64_t{1} << 61, int64_max, 5, h),
              Errc::invalid_argument);  // five digits do not fit above 2^61
    EXPECT_EQ(h.highest_trackable_value(), hour_us) << "out is untouched on error";
    EXPECT_THROW(Histogram(1, 1, 3), std::invalid_argument);
    EXPECT_EQ(Histogram::create(10, 20, 0, h), Errc::ok);
    EXPECT_EQ(h.highest_trackable_value(), 20u);
}

TEST(Histogram, ValuesUpToTwiceTenToTheDigitsAreExact) {
    const Histogram h;  // 3 digits: single-unit resolution up to 2047
    for (std::uint64_t v = 0; v < 2048; ++v) {
        ASSERT_EQ(h.lowest_equivalent_value(v), v);
        ASSERT_EQ(h.highest_equivalent_value(v), v);
    }
}

TEST(Histogram, BucketBoundariesFollowHdrHistogramLayout) {
    const Histogram h;
    EXPECT_EQ(h.size_of_equivalent_value_range(2047), 1u);
    EXPECT_EQ(h.size_of_equivalent_value_range(2048), 2u);
    EXPECT_EQ(h.lowest_equivalent_value(2049), 2048u);
    EXPECT_EQ(h.highest_equivalent_value(2048), 2049u);
    EXPECT_EQ(h.lowest_equivalent_value(4095), 4094u);
    EXPECT_EQ(h.size_of_equivalent_value_range(4096), 4u);
    EXPECT_EQ(h.highest_equivalent_value(4096), 4099u);
    EXPECT_EQ(h.median_equivalent_value(4096), 4098u);
    EXPECT_EQ(h.size_of_equivalent_value_range(1'000'000), 512u);
    EXPECT_EQ(h.lowest_equivalent_value(1'000'000), 999'936u);

    // lowest 1000 rounds down to 512: values below 512 are equivalent to 0.
    const Histogram ns(1000, 3'600'000'000'000, 3);
    EXPECT_EQ(ns.lowest_equivalent_value(511), 0u);
    EXPECT_EQ(ns.highest_equivalent_value(0), 511u);
    EXPECT_EQ(ns.lowest_equivalent_value(512), 512u);
    EXPECT_EQ(ns.size_of_equivalent_value_range(2047 * 512), 512u);
    EXPECT_EQ(ns.size_of_equivalent_value_range(2048 * 512), 1024u);
}

TEST(Histogram, HighestTrackableValueIsRecorded) {
    Histogram h;
    EXPECT_TRUE(h.record(hour_us));
    EXPECT_EQ(h.total_count(), 1u);
    EXPECT_EQ(h.count_at_value(hour_us), 1u);
    EXPECT_EQ(h.max(), h.highest_equivalent_value(hour_us));
    EXPECT_GE(h.max(), hour_us);
    EXPECT_EQ(h.min(), h.lowest_equivalent_value(hour_us));
}

TEST(Histogram, ValueAboveHighestTrackableIsRejected) {
    Histogram h;
    EXPECT_FALSE(h.record(hour_us + 1));
    EXPECT_FALSE(h.record(hour_us + 1, 5));
    EXPECT_FALSE(h.record(std::numeric_limits<std::uint64_t>::max()));
    EXPECT_FALSE(h.record_corrected(hour_us + 1, 1000));
    EXPECT_EQ(h.total_count(), 0u);
    EXPECT_EQ(h.max(), 0u);
}

TEST(Histogram, LargestRangeWithFiveDigitsIsSupported) {
    Histogram h;
    ASSERT_EQ(Histogram::create(1, int64_max, 5, h), Errc::ok);
    EXPECT_TRUE(h.record(int64_max));
    EXPECT_TRUE(h.record(1));
    EXPECT_EQ(h.max(), int64_max);
    EXPECT_EQ(h.value_at_percentile(100), int64_max);
    Histogram back;
    ASSERT_EQ(Histogram::decode_base64(h.encode_base64(), back), Errc::ok);
    EXPECT_EQ(back, h);
}

// ---------------------------------------------------------------------------------------------
// Recording

TEST(Histogram, RecordWithCountAddsThatManyValues) {
    Histogram h;
    EXPECT_TRUE(h.record(100, 7));
    EXPECT_TRUE(h.record(100));
    EXPECT_EQ(h.count_at_value(100), 8u);
    EXPECT_EQ(h.total_count(), 8u);
    EXPECT_TRUE(h.record(5000, 0)) << "a zero count is accepted and records nothing";
    EXPECT_EQ(h.total_count(), 8u);
    EXPECT_EQ(h.max(), 100u);
}

TEST(Histogram, MinIsZeroWhenAZeroEquivalentValueIsRecorded) {
    Histogram h;
    h.record(500);
    EXPECT_EQ(h.min(), 500u);
    h.record(0);
    EXPECT_EQ(h.min(), 0u);

    Histogram ns(1000, 3'600'000'000'000, 3);
    ns.record(300);  // below 512: equivalent to 0
    ns.record(5000);
    EXPECT_EQ(ns.min(), 0u);
}

// Found by histogram_decode_fuzz: with a lowest discernible value above 1, a histogram holding
// only values equivalent to 0 reported max() 0 while value_at_percentile(100) was the highest
// value equivalent to 0 (511 here), breaking "max() always equals value_at_percentile(100)".
// A decoded histogram of the same counts (where the recorded value is unknown) did the same.
TEST(Histogram, MaxIsPercentileHundredWhenOnlyZeroEquivalentValuesAreRecorded) {
    Histogram ns(1000, 3'600'000'000'000, 3);
    ns.record(0);
    ns.record(300);
    const std::uint64_t top_of_zero = ns.highest_equivalent_value(0);
    ASSERT_EQ(top_of_zero, 511u);
    EXPECT_EQ(ns.max(), top_of_zero);
    EXPECT_EQ(ns.value_at_percentile(100), top_of_zero);
    Histogram decoded;
    ASSERT_EQ(Histogram::decode_base64(ns.encode_base64(), decoded), Errc::ok);
    EXPECT_EQ(decoded.max(), top_of_zero);
    EXPECT_EQ(decoded.value_at_percentile(100), top_of_zero);

    Histogram empty(1000, 3'600'000'000'000, 3);
    EXPECT_EQ(empty.max(), 0u);
    Histogram us;  // lowest 1: 0 is its own bucket, so max() stays 0
    us.record(0);
    EXPECT_EQ(us.max(), 0u);
    EXPECT_EQ(us.value_at_percentile(100), 0u);
}

// Found by histogram_decode_fuzz: with more than 2^53 values the percentile count is computed
// in doubles and fell short of the total, so value_at_percentile(100) answered a lower bucket
// than max() (here the bucket of 1 instead of that of 1000).
TEST(Histogram, PercentileHundredIsMaxPastTwoToTheFiftyThreeValues) {
    Histogram h;
    h.record(1, (std::uint64_t{1} << 60) + 1);
    h.record(1000, 9);
    EXPECT_EQ(h.max(), 1000u);
    EXPECT_EQ(h.value_at_percentile(100), 1000u);
    EXPECT_EQ(h.value_at_percentile(50), 1u);
}

TEST(Histogram, CorrectedRecordingAddsMissingValuesDownToTheInterval) {
    Histogram h;
    EXPECT_TRUE(h.record_corrected(1000, 100));  // 1000, 900, ..., 100
    EXPECT_EQ(h.total_count(), 10u);
    for (std::uint64_t v = 100; v <= 1000; v += 100) {
        EXPECT_EQ(h.count_at_value(v), 1u) << v;
    }
    EXPECT_EQ(h.min(), 100u);

    Histogram edge;
    EXPECT_TRUE(edge.record_corrected(50, 100));   // below the interval: nothing missing
    EXPECT_TRUE(edge.record_corrected(100, 100));  // 100 - 100 = 0 < interval
    EXPECT_TRUE(edge.record_corrected(250, 100));  // 250, 150
    EXPECT_TRUE(edge.record_corrected(777, 0));    // no interval: no correction
    EXPECT_EQ(edge.total_count(), 5u);
    EXPECT_EQ(edge.count_at_value(150), 1u);
}

TEST(Histogram, ResetForgetsValuesAndKeepsConfiguration) {
    Histogram h(1, 1'000'000, 2);
    h.record(12345, 3);
    h.reset();
    EXPECT_EQ(h.total_count(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.value_at_percentile(50), 0u);
    EXPECT_EQ(h.highest_trackable_value(), 1'000'000u);
    EXPECT_EQ(h.significant_digits(), 2);
    EXPECT_EQ(h, Histogram(1, 1'000'000, 2));
}

TEST(Histogram, RecordedVisitsNonEmptyBucketsInIncreasingOrder) {
    Histogram h;
    h.record(3000, 2);  // bucket [3000, 3001]
    h.record(5);
    h.record(0, 4);
    std::vector<wsb::HistogramBucket> seen(h.recorded().begin(), h.recorded().end());
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].value, 0u);
    EXPECT_EQ(seen[0].count, 4u);
    EXPECT_EQ(seen[1].value, 5u);
    EXPECT_EQ(seen[1].lowest, 5u);
    EXPECT_EQ(seen[2].lowest, 3000u);
    EXPECT_EQ(seen[2].value, 3001u);
    EXPECT_EQ(seen[2].count, 2u);
    const Histogram empty;
    EXPECT_TRUE(empty.recorded().begin() == empty.recorded().end());
}

// ---------------------------------------------------------------------------------------------
// Statistics

TEST(Histogram, EmptyHistogramReportsZeroEverywhere) {
    const Histogram h;
    for (double p : {0.0, 50.0, 99.9, 100.0}) {
        EXPECT_EQ(h.value_at_percentile(p), 0u) << p;
    }
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.stddev(), 0.0);
}

TEST(Histogram, PercentileZeroIsMinAndHundredIsMax) {
    Histogram h;
    h.record(3000);  // lowest equivalent 3000, highest 3001
    h.record(7'000'000);
    EXPECT_EQ(h.value_at_percentile(0), 3000u);
    EXPECT_EQ(h.value_at_percentile(0), h.min());
    EXPECT_EQ(h.value_at_percentile(100), h.max());
    EXPECT_EQ(h.value_at_percentile(100), h.highest_equivalent_value(7'000'000));
    EXPECT_EQ(h.value_at_percentile(1e-9), 3001u) << "just above 0 gives the highest equivalent";
    EXPECT_EQ(h.value_at_percentile(-5), h.value_at_percentile(0)) << "clamped";
    EXPECT_EQ(h.value_at_percentile(150), h.value_at_percentile(100)) << "clamped";
    EXPECT_EQ(h.value_at_percentile(std::nan("")), h.value_at_percentile(0));
}

TEST(Histogram, PercentileRoundsTheCountUpWithoutFloatingPointOverrun) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 1000; ++v) {
        h.record(v);
    }
    EXPECT_EQ(h.value_at_percentile(50), 500u);
    EXPECT_EQ(h.value_at_percentile(50.05), 501u);
    EXPECT_EQ(h.value_at_percentile(99.9), 999u);  // 0.999 * 1000 is 999.0000000000001
    EXPECT_EQ(h.value_at_percentile(0.1), 1u);
    EXPECT_EQ(h.value_at_percentile(0.10001), 2u);
}

TEST(Histogram, MeanAndStddevUseBucketMedians) {
    Histogram h;
    h.record(1);
    h.record(3);
    EXPECT_DOUBLE_EQ(h.mean(), 2.0);
    EXPECT_DOUBLE_EQ(h.stddev(), 1.0);
    Histogram wide;
    wide.record(4096);  // bucket [4096, 4099], median 4098
    EXPECT_DOUBLE_EQ(wide.mean(), 4098.0);
    EXPECT_DOUBLE_EQ(wide.stddev(), 0.0);
}

// ---------------------------------------------------------------------------------------------
// Merging

TEST(Histogram, MergedPercentilesEqualSingleHistogram) {
    const auto values = spread_values(30'000, hour_us, 7);
    Histogram all;
    Histogram parts[3];
    for (std::size_t i = 0; i < values.size(); ++i) {
        ASSERT_TRUE(all.record(values[i]));
        ASSERT_TRUE(parts[i % 3].record(values[i]));
    }
    Histogram merged;
    for (const auto& part : parts) {
        ASSERT_EQ(merged.add(part), Errc::ok);
    }
    EXPECT_EQ(merged, all);
    expect_same_statistics(merged, all);
}

TEST(Histogram, MergeAcrossEncodingIsExact) {
    const auto values = spread_values(10'000, hour_us, 11);
    Histogram all;
    Histogram a;
    Histogram b;
    for (std::size_t i = 0; i < values.size(); ++i) {
        all.record(values[i]);
        (i % 2 ? a : b).record(values[i]);
    }
    Histogram a2;
    Histogram b2;
    ASSERT_EQ(Histogram::decode_base64(a.encode_base64(), a2), Errc::ok);
    ASSERT_EQ(Histogram::decode_base64(b.encode_base64(), b2), Errc::ok);
    ASSERT_EQ(a2.add(b2), Errc::ok);
    EXPECT_EQ(a2, all);
    expect_same_statistics(a2, all);
}

TEST(Histogram, AddRejectsDifferentPrecisionAndLeavesTargetUnchanged) {
    Histogram three;
    three.record(1234);
    Histogram two(1, hour_us, 2);
    two.record(99);
    const Histogram before = three;
    EXPECT_EQ(three.add(two), Errc::histogram_incompatible);
    Histogram ns(1000, hour_us, 3);  // unit magnitude 9 instead of 0
    EXPECT_EQ(three.add(ns), Errc::histogram_incompatible);
    EXPECT_EQ(three, before);
}

TEST(Histogram, AddAcceptsSmallerRangeAndRejectsValuesBeyondOwnRange) {
    Histogram big;
    Histogram small(1, 1'000'000, 3);
    small.record(999'999, 2);
    ASSERT_EQ(big.add(small), Errc::ok);
    EXPECT_EQ(big.count_at_value(999'999), 2u);
    EXPECT_EQ(big.max(), small.max());

    Histogram target(1, 1'000'000, 3);
    Histogram source;
    source.record(hour_us);
    const Histogram before = target;
    EXPECT_EQ(target.add(source), Errc::histogram_value_out_of_range);
    EXPECT_EQ(target, before);
    Histogram empty_source;
    EXPECT_EQ(target.add(empty_source), Errc::ok);
}

// ---------------------------------------------------------------------------------------------
// Encoding

Histogram sample_histogram() {
    Histogram h;
    for (std::uint64_t v : spread_values(2'000, hour_us, 3)) {
        h.record(v);
    }
    h.record(0, 2);
    h.record(hour_us);
    return h;
}

TEST(HistogramEncoding, StartsWithHdrHistogramCompressedCookie) {
    const std::string text = sample_histogram().encode_base64();
    EXPECT_EQ(text.rfind("HISTFAAA", 0), 0u) << text.substr(0, 16);
    const Bytes bytes = from_base64(text);
    ASSERT_GE(bytes.size(), 8u);
    const std::uint32_t length = (std::uint32_t{bytes[4]} << 24) | (std::uint32_t{bytes[5]} << 16) |
                                 (std::uint32_t{bytes[6]} << 8) | bytes[7];
    EXPECT_EQ(length, bytes.size() - 8);
    EXPECT_EQ(bytes[8], 0x78) << "a zlib stream follows";
}

TEST(HistogramEncoding, EmptyHistogramRoundTrips) {
    const Histogram h(1, 2, 0);
    Histogram back;
    ASSERT_EQ(Histogram::decode_base64(h.encode_base64(), back), Errc::ok);
    EXPECT_EQ(back, h);
    EXPECT_EQ(back.total_count(), 0u);
}

TEST(HistogramEncoding, RoundTripsEveryConfigurationExactly) {
    struct Config {
        std::uint64_t lowest;
        std::uint64_t highest;
        int digits;
    };
    for (const Config cfg :
         {Config{1, hour_us, 3}, Config{1, hour_us, 5}, Config{1000, int64_max, 2},
          Config{1, 127, 0}, Config{3, 1 << 20, 4}}) {
        SCOPED_TRACE(cfg.digits);
        Histogram h(cfg.lowest, cfg.highest, cfg.digits);
        for (std::uint64_t v : spread_values(500, cfg.highest, 5)) {
            ASSERT_TRUE(h.record(std::min(v, cfg.highest), v % 7 + 1));
        }
        Histogram back;
        ASSERT_EQ(Histogram::decode_base64(h.encode_base64(), back), Errc::ok);
        EXPECT_EQ(back, h);
        expect_same_statistics(back, h);
    }
}

TEST(HistogramEncoding, LargestCountsUseNineByteVarints) {
    Histogram h;
    h.record(10, static_cast<std::uint64_t>(INT64_MAX));  // ZigZag 2^64 - 2: all nine bytes
    Histogram back;
    ASSERT_EQ(Histogram::decode_base64(h.encode_base64(), back), Errc::ok);
    EXPECT_EQ(back.count_at_value(10), static_cast<std::uint64_t>(INT64_MAX));
    const Bytes raw = h.encode_v2();
    EXPECT_EQ(raw.size(), 40u + 1 /* -10 zeros */ + 9);
    EXPECT_EQ(raw.back(), 0xff);
}

TEST(HistogramEncoding, UncompressedV2FormIsAccepted) {
    const Histogram h = sample_histogram();
    Histogram back;
    ASSERT_EQ(Histogram::decode_base64(to_base64(h.encode_v2()), back), Errc::ok);
    EXPECT_EQ(back, h);
    // Any word-size nibble in the cookie is accepted, as HdrHistogram does for V2.
    Bytes raw = h.encode_v2();
    raw[3] = 0x03;
    ASSERT_EQ(decode_bytes(raw, back), Errc::ok);
    EXPECT_EQ(back, h);
}

TEST(HistogramEncoding, EveryTruncationIsRejected) {
    const Histogram h = sample_histogram();
    const std::string text = h.encode_base64();
    const Bytes compressed = from_base64(text);
    const Bytes raw = h.encode_v2();
    Histogram out;
    for (std::size_t n = 0; n < text.size(); ++n) {
        ASSERT_NE(Histogram::decode_base64(std::string_view(text).substr(0, n), out), Errc::ok)
            << n;
    }
    for (std::size_t n = 0; n < compressed.size(); ++n) {
        ASSERT_EQ(Histogram::decode(compressed.data(), n, out), Errc::histogram_bad_encoding) << n;
        // Also with the length field patched to the truncated size: the zlib stream is cut.
        if (n >= 8) {
            Bytes cut(compressed.begin(), compressed.begin() + static_cast<std::ptrdiff_t>(n));
            const auto len = static_cast<std::uint32_t>(n - 8);
            for (int k = 0; k < 4; ++k) {
                cut[4 + k] = static_cast<std::uint8_t>(len >> (24 - 8 * k));
            }
            ASSERT_EQ(decode_bytes(cut, out), Errc::histogram_bad_encoding) << n;
        }
    }
    for (std::size_t n = 0; n < raw.size(); ++n) {
        ASSERT_EQ(Histogram::decode(raw.data(), n, out), Errc::histogram_bad_encoding) << n;
    }
    EXPECT_EQ(out, Histogram()) << "output untouched by failed decodes";
}

TEST(HistogramEncoding, CorruptedBytesNeverCrash) {
    const Bytes compressed = from_base64(sample_histogram().encode_base64());
    const Bytes raw = sample_histogram().encode_v2();
    for (const Bytes* original : {&compressed, &raw}) {
        for (std::size_t i = 0; i < original->size(); ++i) {
            for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
                Bytes bad = *original;
                bad[i] ^= mask;
                Histogram out;
                if (decode_bytes(bad, out) == Errc::ok) {
                    // Whatever decoded must be self-consistent.
                    std::uint64_t total = 0;
                    for (const auto& bucket : out.recorded()) {
                        total += bucket.count;
                    }
                    ASSERT_EQ(total, out.total_count());
                }
            }
        }
    }
}

TEST(HistogramEncoding, WrongCookieIsRejected) {
    Histogram out;
    const Bytes compressed = from_base64(sample_histogram().encode_base64());
    for (std::uint32_t cookie :
         {0x1c849302u, 0x1c849301u, 0x1c849308u, 0x1c849305u, 0u, 0x1c849314u ^ 0x01000000u}) {
        Bytes bad = compressed;
        for (int k = 0; k < 4; ++k) {
            bad[k] = static_cast<std::uint8_t>(cookie >> (24 - 8 * k));
        }
        EXPECT_EQ(decode_bytes(bad, out), Errc::histogram_bad_encoding) << std::hex << cookie;
    }
    // The compressed wrapper must hold the uncompressed V2 cookie, not another wrapper.
    Bytes inner = sample_histogram().encode_v2();
    inner[3] = 0x14;
    EXPECT_EQ(decode_bytes(compress_v2(inner), out), Errc::histogram_bad_encoding);
}

TEST(HistogramEncoding, BadBase64IsRejected) {
    const std::string good = sample_histogram().encode_base64();
    Histogram out;
    EXPECT_EQ(Histogram::decode_base64("", out), Errc::histogram_bad_encoding);
    EXPECT_EQ(Histogram::decode_base64("HIST!AAA", out), Errc::histogram_bad_encoding);
    EXPECT_EQ(Histogram::decode_base64(good + "=", out), Errc::histogram_bad_encoding);
    EXPECT_EQ(Histogram::decode_base64(" " + good, out), Errc::histogram_bad_encoding);
    EXPECT_EQ(Histogram::decode_base64(good.substr(0, 20) + "\n" + good.substr(20), out),
              Errc::histogram_bad_encoding);
    EXPECT_EQ(Histogram::decode_base64(good, out), Errc::ok);
}

TEST(HistogramEncoding, AbsurdLengthsAndHeadersAreRejected) {
    Histogram out;
    const Bytes one_count = {0x02};  // ZigZag(1)
    ASSERT_EQ(decode_bytes(make_v2(1, hour_us, 3, one_count), out), Errc::ok);
    EXPECT_EQ(out.total_count(), 1u);

    // Compressed length field larger, smaller, negative.
    Bytes compressed = compress_v2(make_v2(1, hour_us, 3, one_count));
    for (std::uint32_t len : {0x7fffffffu, 0xffffffffu, 0x80000000u, 0u, 1u}) {
        Bytes bad = compressed;
        for (int k = 0; k < 4; ++k) {
            bad[4 + k] = static_cast<std::uint8_t>(len >> (24 - 8 * k));
        }
        EXPECT_EQ(decode_bytes(bad, out), Errc::histogram_bad_encoding) << len;
    }
    Bytes trailing = compressed;
    trailing.push_back(0);
    EXPECT_EQ(decode_bytes(trailing, out), Errc::histogram_bad_encoding);

    // Payload length that disagrees with the data, in both forms.
    for (std::int64_t len :
         {std::int64_t{0}, std::int64_t{2}, std::int64_t{0x7fffffff}, std::int64_t{0xffffffff}}) {
        const Bytes bad = make_v2(1, hour_us, 3, one_count, len);
        EXPECT_EQ(decode_bytes(bad, out), Errc::histogram_bad_encoding) << len;
        EXPECT_EQ(decode_bytes(compress_v2(bad), out), Errc::histogram_bad_encoding) << len;
    }

    // Invalid configurations in the header.
    for (const Bytes& bad :
         {make_v2(0, hour_us, 3, one_count), make_v2(10, 19, 3, one_count),
          make_v2(1, hour_us, 6, one_count), make_v2(1, hour_us, 0xffffffff, one_count),
          make_v2(1, int64_max + 1, 3, one_count),
          make_v2(std::uint64_t{1} << 60, int64_max, 5, one_count)}) {
        EXPECT_EQ(decode_bytes(bad, out), Errc::histogram_bad_encoding);
        EXPECT_EQ(decode_bytes(compress_v2(bad), out), Errc::histogram_bad_encoding);
    }

    // Counts beyond the counts array (3 counts for 0 digits from 1 to 2): a zero run past the
    // end, a count after a run to the end.
    EXPECT_EQ(decode_bytes(make_v2(1, 2, 0, {0x05 /* -3 */}), out), Errc::ok);
    EXPECT_EQ(decode_bytes(make_v2(1, 2, 0, {0x07 /* -4 */}), out), Errc::histogram_bad_encoding);
    EXPECT_EQ(decode_bytes(make_v2(1, 2, 0, {0x05, 0x02}), out), Errc::histogram_bad_encoding);
    // A zero run of 2^63 (ZigZag of INT64_MIN: nine 0xff bytes).
    EXPECT_EQ(decode_bytes(make_v2(1, hour_us, 3, Bytes(9, 0xff)), out),
              Errc::histogram_bad_encoding);
    // Counts whose total passes 2^64.
    Bytes huge = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};  // INT64_MAX
    Bytes three = huge;
    three.insert(three.end(), huge.begin(), huge.end());
    three.insert(three.end(), huge.begin(), huge.end());
    EXPECT_EQ(decode_bytes(make_v2(1, hour_us, 3, three), out), Errc::histogram_bad_encoding);
    // A varint cut short at the end of the payload.
    EXPECT_EQ(decode_bytes(make_v2(1, hour_us, 3, {0x02, 0x80}), out),
              Errc::histogram_bad_encoding);
    // A decompression bomb: the header's payload length bounds what is inflated.
    Bytes bomb_counts(1 << 20, 0x00);  // a million single zeros: beyond 23552 counts
    EXPECT_EQ(decode_bytes(compress_v2(make_v2(1, hour_us, 3, bomb_counts)), out),
              Errc::histogram_bad_encoding);
}

// Found by histogram_decode_fuzz (with -malloc_limit_mb): a 37-byte compressed encoding whose
// inflated header claims the largest payload its layout allows (5 digits, 1 to INT64_MAX:
// 6160384 counts of up to 9 bytes) made the decoder allocate and zero 55 MB before finding
// that the zlib stream holds only the header. Deflate cannot expand more than 1032:1, so
// such a length is now refused before any buffer is sized by it.
TEST(HistogramEncoding, ClaimedPayloadLengthDoesNotDriveAllocationBeyondTheInput) {
    const std::uint32_t claimed = 6160384u * 9u;
    const Bytes bomb = compress_v2(make_v2(1, int64_max, 5, {}, claimed));
    ASSERT_LT(bomb.size(), 64u);
    Histogram out;
    g_largest_allocation = 0;
    EXPECT_EQ(decode_bytes(bomb, out), Errc::histogram_bad_encoding);
    EXPECT_LT(g_largest_allocation.load(), std::size_t{1} << 20);

    // The tightest real case stays inside the bound: a count of 1 in every bucket is a payload
    // of identical bytes, which zlib compresses about 1020:1.
    Histogram ones(1, hour_us, 5);
    for (std::uint64_t v = 0; v <= hour_us; v += ones.size_of_equivalent_value_range(v)) {
        ones.record(v);
    }
    Histogram back;
    ASSERT_EQ(Histogram::decode_base64(ones.encode_base64(), back), Errc::ok);
    EXPECT_EQ(back, ones);
}

TEST(HistogramEncoding, IgnoresNormalizingOffsetAndRatioLikeHdrHistogramJs) {
    const Histogram h = sample_histogram();
    Bytes raw = h.encode_v2();
    raw[11] = 1;  // normalizing index offset 1, as hdr-histogram-js writes
    raw[32] = 0;  // ratio: the int64 1, as hdr-histogram-js writes
    raw[33] = 0;
    raw[39] = 1;
    Histogram back;
    ASSERT_EQ(decode_bytes(compress_v2(raw), back), Errc::ok);
    EXPECT_EQ(back, h);
}

}  // namespace
