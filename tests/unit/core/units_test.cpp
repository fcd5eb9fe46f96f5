// Tests for count, size, duration and rate parsing and formatting, driven by tables.
#include "wsbench/units.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

namespace wsb {
namespace {

using namespace std::chrono_literals;

template <class T>
struct Good {
    const char* text;
    T value;
};

struct Bad {
    const char* text;
    Errc expected;
};

// ----------------------------------------------------------------------------- counts

class ParseCountGood : public ::testing::TestWithParam<Good<std::uint64_t>> {};
TEST_P(ParseCountGood, Parses) {
    std::uint64_t v = 0;
    ASSERT_EQ(parse_count(GetParam().text, v), Errc::ok) << GetParam().text;
    EXPECT_EQ(v, GetParam().value) << GetParam().text;
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseCountGood,
    ::testing::Values(Good<std::uint64_t>{"0", 0}, Good<std::uint64_t>{"1", 1},
                      Good<std::uint64_t>{"007", 7}, Good<std::uint64_t>{"10k", 10000},
                      Good<std::uint64_t>{"10K", 10000}, Good<std::uint64_t>{"1.5k", 1500},
                      Good<std::uint64_t>{".5k", 500}, Good<std::uint64_t>{"1.000k", 1000},
                      Good<std::uint64_t>{"2M", 2000000}, Good<std::uint64_t>{"0.001M", 1000},
                      Good<std::uint64_t>{"1G", 1000000000},
                      Good<std::uint64_t>{"1T", 1000000000000}, Good<std::uint64_t>{"1 k", 1000},
                      Good<std::uint64_t>{"18446744073709551615",
                                          std::numeric_limits<std::uint64_t>::max()}));

class ParseCountBad : public ::testing::TestWithParam<Bad> {};
TEST_P(ParseCountBad, Rejects) {
    std::uint64_t v = 42;
    EXPECT_EQ(parse_count(GetParam().text, v), GetParam().expected) << GetParam().text;
    EXPECT_EQ(v, 42u) << "output must stay unchanged";
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseCountBad,
    ::testing::Values(Bad{"", Errc::unit_malformed}, Bad{"k", Errc::unit_malformed},
                      Bad{"1.5", Errc::unit_malformed}, Bad{"1.0001k", Errc::unit_malformed},
                      Bad{"-1", Errc::unit_malformed}, Bad{"+1", Errc::unit_malformed},
                      Bad{"1e3", Errc::unit_malformed}, Bad{"1.", Errc::unit_malformed},
                      Bad{"1.k", Errc::unit_malformed}, Bad{"1.2.3", Errc::unit_malformed},
                      Bad{" 1", Errc::unit_malformed}, Bad{"1 ", Errc::unit_malformed},
                      Bad{"1  k", Errc::unit_malformed}, Bad{"10k!", Errc::unit_malformed},
                      Bad{"10x", Errc::unit_bad_suffix}, Bad{"10m", Errc::unit_bad_suffix},
                      Bad{"10KiB", Errc::unit_bad_suffix}, Bad{"10kk", Errc::unit_bad_suffix},
                      Bad{"18446744073709551616", Errc::unit_out_of_range},
                      Bad{"18446744073709552k", Errc::unit_out_of_range},
                      Bad{"99999999999999999999999", Errc::unit_out_of_range}));

// ----------------------------------------------------------------------------- sizes

class ParseSizeGood : public ::testing::TestWithParam<Good<std::uint64_t>> {};
TEST_P(ParseSizeGood, Parses) {
    std::uint64_t v = 0;
    ASSERT_EQ(parse_size(GetParam().text, v), Errc::ok) << GetParam().text;
    EXPECT_EQ(v, GetParam().value) << GetParam().text;
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSizeGood,
    ::testing::Values(Good<std::uint64_t>{"100", 100}, Good<std::uint64_t>{"100B", 100},
                      Good<std::uint64_t>{"64k", 64000}, Good<std::uint64_t>{"64K", 64000},
                      Good<std::uint64_t>{"2kB", 2000}, Good<std::uint64_t>{"2KB", 2000},
                      Good<std::uint64_t>{"3M", 3000000}, Good<std::uint64_t>{"3MB", 3000000},
                      Good<std::uint64_t>{"1GB", 1000000000},
                      Good<std::uint64_t>{"1TB", 1000000000000},
                      Good<std::uint64_t>{"64KiB", 65536}, Good<std::uint64_t>{"1.5KiB", 1536},
                      Good<std::uint64_t>{"0.5MiB", 524288}, Good<std::uint64_t>{"1MiB", 1048576},
                      Good<std::uint64_t>{"1 GiB", 1073741824},
                      Good<std::uint64_t>{"1TiB", 1099511627776},
                      Good<std::uint64_t>{"0.0009765625KiB", 1}));

class ParseSizeBad : public ::testing::TestWithParam<Bad> {};
TEST_P(ParseSizeBad, Rejects) {
    std::uint64_t v = 42;
    EXPECT_EQ(parse_size(GetParam().text, v), GetParam().expected) << GetParam().text;
    EXPECT_EQ(v, 42u);
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSizeBad,
    ::testing::Values(Bad{"", Errc::unit_malformed}, Bad{"KiB", Errc::unit_malformed},
                      Bad{"0.5B", Errc::unit_malformed}, Bad{"1.1KiB", Errc::unit_malformed},
                      Bad{"-1KiB", Errc::unit_malformed}, Bad{"5mb", Errc::unit_bad_suffix},
                      Bad{"5b", Errc::unit_bad_suffix}, Bad{"5Kib", Errc::unit_bad_suffix},
                      Bad{"5kiB", Errc::unit_bad_suffix}, Bad{"5 bytes", Errc::unit_bad_suffix},
                      Bad{"17179869184GiB", Errc::unit_out_of_range},
                      Bad{"18446744073709551616B", Errc::unit_out_of_range}));

// ----------------------------------------------------------------------------- durations

class ParseDurationGood : public ::testing::TestWithParam<Good<std::chrono::nanoseconds>> {};
TEST_P(ParseDurationGood, Parses) {
    std::chrono::nanoseconds v{};
    ASSERT_EQ(parse_duration(GetParam().text, v), Errc::ok) << GetParam().text;
    EXPECT_EQ(v.count(), GetParam().value.count()) << GetParam().text;
}
using D = Good<std::chrono::nanoseconds>;
INSTANTIATE_TEST_SUITE_P(
    Table, ParseDurationGood,
    ::testing::Values(D{"0", 0ns}, D{"30", 30s}, D{"1.5", 1500ms}, D{"1.5s", 1500ms},
                      D{"1.5 s", 1500ms}, D{"500ms", 500ms}, D{"0.25ms", 250us}, D{"250us", 250us},
                      D{"250\xc2\xb5s", 250us}, D{"100ns", 100ns}, D{"2m", 120s}, D{"1h", 3600s},
                      D{"1m30s", 90s}, D{"1h2m3.5s", 3723500ms}, D{"1s500ms", 1500ms},
                      D{"9223372036854775807ns", std::chrono::nanoseconds::max()}));

class ParseDurationBad : public ::testing::TestWithParam<Bad> {};
TEST_P(ParseDurationBad, Rejects) {
    std::chrono::nanoseconds v = 42ns;
    EXPECT_EQ(parse_duration(GetParam().text, v), GetParam().expected) << GetParam().text;
    EXPECT_EQ(v, 42ns);
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseDurationBad,
    ::testing::Values(Bad{"", Errc::unit_malformed}, Bad{"s", Errc::unit_malformed},
                      Bad{"-1s", Errc::unit_malformed}, Bad{"1m30", Errc::unit_malformed},
                      Bad{"30s1m", Errc::unit_malformed}, Bad{"1s1s", Errc::unit_malformed},
                      Bad{"1m 30s", Errc::unit_malformed}, Bad{"0.5ns", Errc::unit_malformed},
                      Bad{"1s!", Errc::unit_malformed}, Bad{"10x", Errc::unit_bad_suffix},
                      Bad{"10sec", Errc::unit_bad_suffix}, Bad{"5 d", Errc::unit_bad_suffix},
                      Bad{"1m30x", Errc::unit_bad_suffix},
                      Bad{"10000000h", Errc::unit_out_of_range},
                      Bad{"9223372036854775808ns", Errc::unit_out_of_range},
                      Bad{"106752d", Errc::unit_bad_suffix}));

// ----------------------------------------------------------------------------- rates

class ParseRateGood : public ::testing::TestWithParam<Good<double>> {};
TEST_P(ParseRateGood, Parses) {
    double v = -1;
    ASSERT_EQ(parse_rate(GetParam().text, v), Errc::ok) << GetParam().text;
    EXPECT_DOUBLE_EQ(v, GetParam().value) << GetParam().text;
}
INSTANTIATE_TEST_SUITE_P(Table, ParseRateGood,
                         ::testing::Values(Good<double>{"0", 0}, Good<double>{"5000", 5000},
                                           Good<double>{"2.5", 2.5}, Good<double>{"5k", 5000},
                                           Good<double>{"5k/s", 5000},
                                           Good<double>{"1.5M/s", 1.5e6}, Good<double>{"300/m", 5},
                                           Good<double>{"3600/h", 1}, Good<double>{"10/ms", 10000},
                                           Good<double>{"1/us", 1e6}, Good<double>{"1/500ms", 2},
                                           Good<double>{"100/10s", 10},
                                           Good<double>{"90/1m30s", 1}));

class ParseRateBad : public ::testing::TestWithParam<Bad> {};
TEST_P(ParseRateBad, Rejects) {
    double v = 42;
    EXPECT_EQ(parse_rate(GetParam().text, v), GetParam().expected) << GetParam().text;
    EXPECT_EQ(v, 42);
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseRateBad,
    ::testing::Values(Bad{"", Errc::unit_malformed}, Bad{"/s", Errc::unit_malformed},
                      Bad{"5/", Errc::unit_malformed}, Bad{"-5/s", Errc::unit_malformed},
                      Bad{"5k/s/s", Errc::unit_malformed}, Bad{"5x", Errc::unit_bad_suffix},
                      Bad{"5k/x", Errc::unit_bad_suffix}, Bad{"5/sec", Errc::unit_bad_suffix},
                      Bad{"1/0s", Errc::unit_out_of_range}, Bad{"1/0", Errc::unit_out_of_range}));

// ----------------------------------------------------------------------------- formatting

TEST(FormatCount, UsesOneDecimalAndRollsOverAtThousand) {
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1000), "1.0k");
    EXPECT_EQ(format_count(12345), "12.3k");
    EXPECT_EQ(format_count(999949), "999.9k");
    EXPECT_EQ(format_count(999950), "1.0M");
    EXPECT_EQ(format_count(1500000), "1.5M");
    EXPECT_EQ(format_count(std::numeric_limits<std::uint64_t>::max()), "18.4E");
}

TEST(FormatSize, UsesBinaryUnits) {
    EXPECT_EQ(format_size(0), "0 B");
    EXPECT_EQ(format_size(1023), "1023 B");
    EXPECT_EQ(format_size(1024), "1.0 KiB");
    EXPECT_EQ(format_size(1536), "1.5 KiB");
    EXPECT_EQ(format_size(1048575), "1.0 MiB");
    EXPECT_EQ(format_size(1610612736), "1.5 GiB");
}

TEST(FormatDurationUs, PicksTheLargestFittingUnit) {
    EXPECT_EQ(format_duration_us(0), "0.00 us");
    EXPECT_EQ(format_duration_us(0.5), "0.50 us");
    EXPECT_EQ(format_duration_us(850), "850.00 us");
    EXPECT_EQ(format_duration_us(1500), "1.50 ms");
    EXPECT_EQ(format_duration_us(999999), "1.00 s");
    EXPECT_EQ(format_duration_us(2.25e6), "2.25 s");
    EXPECT_EQ(format_duration_us(9e7), "1.50 m");
    EXPECT_EQ(format_duration_us(7.2e9), "2.00 h");
    EXPECT_EQ(format_duration_us(-1500), "-1.50 ms");
}

TEST(FormatRate, UsesOneDecimalPerSecond) {
    EXPECT_EQ(format_rate(0), "0.0/s");
    EXPECT_EQ(format_rate(5), "5.0/s");
    EXPECT_EQ(format_rate(999.9), "999.9/s");
    EXPECT_EQ(format_rate(12345), "12.3k/s");
    EXPECT_EQ(format_rate(2.5e6), "2.5M/s");
}

TEST(Units, ParsersReadWhatFormattersWrite) {
    std::uint64_t size = 0;
    ASSERT_EQ(parse_size(format_size(1536), size), Errc::ok);
    EXPECT_EQ(size, 1536u);
    ASSERT_EQ(parse_size(format_size(512), size), Errc::ok);
    EXPECT_EQ(size, 512u);
    std::chrono::nanoseconds d{};
    ASSERT_EQ(parse_duration(format_duration_us(1500), d), Errc::ok);
    EXPECT_EQ(d, 1500us);
    std::uint64_t count = 0;
    ASSERT_EQ(parse_count(format_count(1500), count), Errc::ok);
    EXPECT_EQ(count, 1500u);
    double rate = 0;
    ASSERT_EQ(parse_rate(format_rate(2.5e6), rate), Errc::ok);
    EXPECT_DOUBLE_EQ(rate, 2.5e6);
}

}  // namespace
}  // namespace wsb
