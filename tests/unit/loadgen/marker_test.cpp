// Tests of the load generator's message marker: encoding, search in prefixed and wrapped
// replies, rejection of false and truncated candidates, and the payload filler.

#include "loadgen/marker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "wsbench/base64.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::loadgen {

void PrintTo(const Marker& m, std::ostream* os) {
    *os << "{connection " << m.connection << ", sequence " << m.sequence << ", send_ns "
        << m.send_ns << "}";
}

namespace {

constexpr std::uint32_t kMax32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

std::string marker_text(const Marker& m) {
    std::string s(kMarkerSize, '\0');
    write_marker(m, reinterpret_cast<std::uint8_t*>(s.data()));
    return s;
}

std::string filler(std::size_t size) {
    std::string s(size, '\0');
    fill_payload(reinterpret_cast<std::uint8_t*>(s.data()), size);
    return s;
}

bool find(const std::string& data, Marker& m, std::size_t* offset = nullptr) {
    return find_marker(reinterpret_cast<const std::uint8_t*>(data.data()), data.size(), m, offset);
}

// The marker as an independent encoder writes it: "~W" + base64url of the 16 little-endian
// bytes without padding, from libwsbench's standard base64 with the RFC 4648 §5 alphabet swap.
std::string reference_text(const Marker& m) {
    std::uint8_t raw[16];
    for (int i = 0; i < 4; ++i) raw[i] = static_cast<std::uint8_t>(m.connection >> (8 * i));
    for (int i = 0; i < 4; ++i) raw[4 + i] = static_cast<std::uint8_t>(m.sequence >> (8 * i));
    for (int i = 0; i < 8; ++i) raw[8 + i] = static_cast<std::uint8_t>(m.send_ns >> (8 * i));
    std::string b64 = base64_encode(raw, sizeof raw);
    b64.erase(b64.find_last_not_of('=') + 1);
    std::replace(b64.begin(), b64.end(), '+', '-');
    std::replace(b64.begin(), b64.end(), '/', '_');
    return "~W" + b64;
}

// ---------------------------------------------------------------------------------------------
// Encoding

class MarkerRoundTrip : public ::testing::TestWithParam<Marker> {};

TEST_P(MarkerRoundTrip, WritesBase64urlOfLittleEndianFieldsAndReadsItBack) {
    const Marker m = GetParam();
    const std::string text = marker_text(m);
    EXPECT_EQ(text, reference_text(m));
    Marker back;
    std::size_t offset = 99;
    ASSERT_TRUE(find(text, back, &offset));
    EXPECT_EQ(back, m);
    EXPECT_EQ(offset, 0u);
}

INSTANTIATE_TEST_SUITE_P(ExtremeValues, MarkerRoundTrip,
                         ::testing::Values(Marker{0, 0, 0}, Marker{kMax32, kMax32, kMax64},
                                           Marker{1, 0, 0}, Marker{0, 1, 0}, Marker{0, 0, 1},
                                           Marker{kMax32, 0, 0}, Marker{0, kMax32, 0},
                                           Marker{0, 0, kMax64},
                                           Marker{0x01234567, 0x89ABCDEF, 0x0123456789ABCDEFull},
                                           Marker{0x80000000u, 0x7FFFFFFFu, 0x8000000000000000ull},
                                           Marker{12345, 678910, 3'600'000'000'000ull}));

TEST(Marker, KnownEncodings) {
    EXPECT_EQ(marker_text({0, 0, 0}), "~W" + std::string(22, 'A'));
    EXPECT_EQ(marker_text({1, 0, 0}), "~WAQ" + std::string(20, 'A'));
    // All ones: the last character carries the final byte's two low bits, then four zeros.
    EXPECT_EQ(marker_text({kMax32, kMax32, kMax64}), "~W" + std::string(21, '_') + "w");
}

TEST(Marker, RandomMarkersRoundTripAtRandomOffsets) {
    std::mt19937_64 rng(20240601);
    for (int i = 0; i < 10000; ++i) {
        const Marker m{static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()), rng()};
        const std::size_t before = rng() % 40;
        const std::string data = filler(before) + marker_text(m) + filler(rng() % 40);
        Marker back;
        std::size_t offset = 0;
        ASSERT_TRUE(find(data, back, &offset)) << i;
        EXPECT_EQ(back, m);
        EXPECT_EQ(offset, before);
    }
}

TEST(Marker, WritesExactlyTwentyFourBytes) {
    std::string buf(40, '#');
    write_marker({1, 2, 3}, reinterpret_cast<std::uint8_t*>(buf.data()) + 8);
    EXPECT_EQ(buf.substr(0, 8), std::string(8, '#'));
    EXPECT_EQ(buf.substr(8 + kMarkerSize), std::string(40 - 8 - kMarkerSize, '#'));
}

// ---------------------------------------------------------------------------------------------
// Search

TEST(FindMarker, FindsMarkerAfterUtf8Prefix) {
    const Marker m{7, 42, 123456789};
    const std::string reply = "回答" + marker_text(m) + filler(40);
    Marker back;
    std::size_t offset = 0;
    ASSERT_TRUE(find(reply, back, &offset));
    EXPECT_EQ(back, m);
    EXPECT_EQ(offset, std::string("回答").size());
}

TEST(FindMarker, FindsMarkerInsideWrapping) {
    const Marker m{3, 9, 1000};
    const std::string reply = R"({"type":"echo","data":")" + marker_text(m) + filler(16) + R"("})";
    Marker back;
    ASSERT_TRUE(find(reply, back));
    EXPECT_EQ(back, m);
}

TEST(FindMarker, FindsMarkerEndingExactlyAtTheEndOfTheData) {
    const Marker m{5, 6, 7};
    const std::string reply = "prefix~" + marker_text(m);
    Marker back;
    std::size_t offset = 0;
    ASSERT_TRUE(find(reply, back, &offset));
    EXPECT_EQ(back, m);
    EXPECT_EQ(offset, 7u);
}

TEST(FindMarker, ReturnsTheFirstOfTwoMarkers) {
    const Marker first{1, 1, 1};
    const Marker second{2, 2, 2};
    const std::string reply = marker_text(first) + marker_text(second);
    Marker back;
    ASSERT_TRUE(find(reply, back));
    EXPECT_EQ(back, first);
}

TEST(FindMarker, AcceptsANullOffsetPointer) {
    Marker back;
    EXPECT_TRUE(find(marker_text({1, 2, 3}), back, nullptr));
}

struct FalseCandidate {
    const char* name;
    std::string before;  // bytes that look like the start of a marker but are not one
};

void PrintTo(const FalseCandidate& c, std::ostream* os) { *os << c.name; }

class FindMarkerSkips : public ::testing::TestWithParam<FalseCandidate> {};

TEST_P(FindMarkerSkips, FalseCandidateAndFindsTheRealMarkerAfterIt) {
    const Marker m{11, 22, 33};
    const std::string real = marker_text(m);
    const std::string reply = GetParam().before + real + "tail";
    Marker back;
    std::size_t offset = 0;
    ASSERT_TRUE(find(reply, back, &offset)) << GetParam().name;
    EXPECT_EQ(back, m);
    EXPECT_EQ(offset, GetParam().before.size());
    // And alone, the false candidate is not a marker.
    EXPECT_FALSE(find(GetParam().before + std::string(30, 'x'), back)) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, FindMarkerSkips,
    ::testing::Values(
        FalseCandidate{"LoneTilde", "~"},
        FalseCandidate{"TildeThenOtherLetter", "~X" + std::string(22, 'A')},
        FalseCandidate{"LowercaseW", "~w" + std::string(22, 'A')},
        FalseCandidate{"NonAlphabetCharacterAtTheEnd", "~W" + std::string(21, 'A') + "!"},
        FalseCandidate{"NonAlphabetCharacterInTheMiddle",
                       "~W" + std::string(10, 'A') + "=" + std::string(11, 'A')},
        FalseCandidate{"StandardBase64PlusSign", "~W" + std::string(21, 'A') + "+"},
        FalseCandidate{"Utf8InsideTheCandidate", "~W" + std::string(10, 'A') + "回答"},
        FalseCandidate{"NonCanonicalLastCharacter", "~W" + std::string(21, 'A') + "B"},
        FalseCandidate{"NonCanonicalLastCharacterLowBit", "~W" + std::string(21, '_') + "x"},
        FalseCandidate{"MarkerCutShortByAnotherTilde", "~W" + std::string(10, 'A')},
        FalseCandidate{"DoubleTildeW", "~W~W"}),
    [](const ::testing::TestParamInfo<FalseCandidate>& p) { return p.param.name; });

TEST(FindMarker, FindsMarkerRightAfterATildeOfItsOwn) {
    // "~~W..." : the first '~' is not followed by 'W'; the second starts the marker.
    const Marker m{1, 2, 3};
    const std::string reply = "~" + marker_text(m);
    Marker back;
    std::size_t offset = 0;
    ASSERT_TRUE(find(reply, back, &offset));
    EXPECT_EQ(back, m);
    EXPECT_EQ(offset, 1u);
}

TEST(FindMarker, DoesNotFindATruncatedMarker) {
    const std::string text = marker_text({0x01020304, 0x05060708, 0x090A0B0C0D0E0F10ull});
    Marker back{9, 9, 9};
    std::size_t offset = 77;
    for (std::size_t n = 0; n < kMarkerSize; ++n) {
        EXPECT_FALSE(find(text.substr(0, n), back, &offset)) << n << " bytes";
        EXPECT_FALSE(find("回答" + text.substr(0, n), back, &offset)) << n << " bytes";
    }
    EXPECT_EQ(back, (Marker{9, 9, 9})) << "out must stay unchanged";
    EXPECT_EQ(offset, 77u) << "offset must stay unchanged";
}

TEST(FindMarker, FindsNothingInEmptyOrMarkerFreeData) {
    Marker back;
    EXPECT_FALSE(find_marker(nullptr, 0, back));
    EXPECT_FALSE(find(filler(1000), back));
    EXPECT_FALSE(find(std::string(1000, '~'), back));
    std::string many_starts;
    for (int i = 0; i < 200; ++i) many_starts += "~W";
    EXPECT_FALSE(find(many_starts, back));
}

// ---------------------------------------------------------------------------------------------
// Payload filler

TEST(FillPayload, NeverWritesATilde) {
    for (std::size_t size : {0u, 1u, 25u, 26u, 27u, 259u, 260u, 261u, 1000u, 65536u}) {
        const std::string s = filler(size);
        ASSERT_EQ(s.size(), size);
        EXPECT_EQ(s.find('~'), std::string::npos) << size;
    }
}

TEST(FillPayload, WritesRepeatingLowercaseLettersAndNothingBeyondSize) {
    std::string buf(600, '#');
    fill_payload(reinterpret_cast<std::uint8_t*>(buf.data()), 560);
    for (std::size_t i = 0; i < 560; ++i) {
        ASSERT_EQ(buf[i], static_cast<char>('a' + i % 26)) << i;
    }
    EXPECT_EQ(buf.substr(560), std::string(40, '#'));
}

TEST(FillPayload, MessageOfMarkerAndFillerHoldsExactlyOneMarker) {
    const Marker m{4, 5, 6};
    const std::string msg = marker_text(m) + filler(1000);
    Marker back;
    std::size_t offset = 0;
    ASSERT_TRUE(find(msg, back, &offset));
    EXPECT_EQ(offset, 0u);
    EXPECT_FALSE(find(msg.substr(1), back)) << "the filler must not hold a second marker";
}

TEST(MarkerText, MarkerAndFillerAreValidUtf8ForTextMessages) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000; ++i) {
        const Marker m{static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()), rng()};
        const std::string msg = marker_text(m) + filler(rng() % 100);
        ASSERT_TRUE(is_valid_utf8(msg)) << i;
        for (char ch : msg) {
            ASSERT_TRUE(ch >= 0x21 && ch <= 0x7E) << "printable ASCII only, got " << int(ch);
        }
    }
}

}  // namespace
}  // namespace wsb::loadgen
