// Tests of close codes and close payloads (RFC 6455 §5.5.1, §7.4) against the RFC and the
// Autobahn 7.x cases.
#include "wsbench/close.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "wsbench/utf8.hpp"

namespace wsb {

std::ostream& operator<<(std::ostream& os, Errc e) { return os << to_string(e); }

namespace {

std::vector<std::uint8_t> payload(std::uint16_t code, const std::string& reason) {
    std::vector<std::uint8_t> p(2 + reason.size());
    p[0] = static_cast<std::uint8_t>(code >> 8);
    p[1] = static_cast<std::uint8_t>(code & 0xFF);
    std::copy(reason.begin(), reason.end(), p.begin() + 2);
    return p;
}

Errc parse(const std::vector<std::uint8_t>& p, ClosePayload& out) {
    return parse_close_payload(p.data(), p.size(), out);
}

// κόσμε + ED A0 80 (a surrogate) + "edited": the invalid reason of Autobahn 7.5.1.
const std::string kInvalidReason =
    "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80"
    "edited";

static_assert(static_cast<std::uint16_t>(CloseCode::normal) == 1000);
static_assert(static_cast<std::uint16_t>(CloseCode::invalid_payload) == 1007);
static_assert(static_cast<std::uint16_t>(CloseCode::tls_handshake) == 1015);
static_assert(is_valid_wire_close_code(static_cast<std::uint16_t>(CloseCode::normal)));
static_assert(!is_valid_wire_close_code(static_cast<std::uint16_t>(CloseCode::no_status)));

// ---------------------------------------------------------------------------------------------
// Which codes may be on the wire.

struct CodeCase {
    std::uint16_t code;
    bool valid;
    const char* source;
};

void PrintTo(const CodeCase& c, std::ostream* os) { *os << c.code << " (" << c.source << ")"; }

const CodeCase kCodes[] = {
    {0, false, "Autobahn 7.9.1; RFC 6455 7.4.2 0-999 not used"},
    {999, false, "Autobahn 7.9.2; RFC 6455 7.4.2 0-999 not used"},
    {1000, true, "Autobahn 7.7.1; RFC 6455 7.4.1 normal"},
    {1001, true, "Autobahn 7.7.2; RFC 6455 7.4.1 going away"},
    {1002, true, "Autobahn 7.7.3; RFC 6455 7.4.1 protocol error"},
    {1003, true, "Autobahn 7.7.4; RFC 6455 7.4.1 unsupported data"},
    {1004, false, "Autobahn 7.9.3; RFC 6455 7.4.1 reserved"},
    {1005, false, "Autobahn 7.9.4; RFC 6455 7.4.1 must not be sent"},
    {1006, false, "Autobahn 7.9.5; RFC 6455 7.4.1 must not be sent"},
    {1007, true, "Autobahn 7.7.5; RFC 6455 7.4.1 invalid payload"},
    {1008, true, "Autobahn 7.7.6; RFC 6455 7.4.1 policy violation"},
    {1009, true, "Autobahn 7.7.7; RFC 6455 7.4.1 message too big"},
    {1010, true, "Autobahn 7.7.8; RFC 6455 7.4.1 mandatory extension"},
    {1011, true, "Autobahn 7.7.9; RFC 6455 7.4.1 internal error"},
    {1012, true, "IANA registry (RFC 6455 11.7) service restart"},
    {1013, true, "IANA registry (RFC 6455 11.7) try again later"},
    {1014, true, "IANA registry (RFC 6455 11.7) bad gateway"},
    {1015, false, "RFC 6455 7.4.1 TLS handshake, must not be sent"},
    {1016, false, "Autobahn 7.9.6; RFC 6455 7.4.2 reserved for this protocol"},
    {1100, false, "Autobahn 7.9.7; RFC 6455 7.4.2 reserved for this protocol"},
    {2000, false, "Autobahn 7.9.8; RFC 6455 7.4.2 reserved for extensions"},
    {2999, false, "Autobahn 7.9.9; RFC 6455 7.4.2 reserved for extensions"},
    {3000, true, "Autobahn 7.7.10; RFC 6455 7.4.2 registered libraries"},
    {3999, true, "Autobahn 7.7.11; RFC 6455 7.4.2 registered libraries"},
    {4000, true, "Autobahn 7.7.12; RFC 6455 7.4.2 private use"},
    {4999, true, "Autobahn 7.7.13; RFC 6455 7.4.2 private use"},
    {5000, false, "Autobahn 7.13.1 (informational); RFC 6455 7.4.2 defines none"},
    {65535, false, "Autobahn 7.13.2 (informational); RFC 6455 7.4.2 defines none"},
};

class WireCloseCodes : public testing::TestWithParam<CodeCase> {};

TEST_P(WireCloseCodes, ValidityMatchesRfcAndAutobahn) {
    EXPECT_EQ(is_valid_wire_close_code(GetParam().code), GetParam().valid);
}

TEST_P(WireCloseCodes, ParseAcceptsValidCodesAndRejectsOthersWith1002) {
    const CodeCase& c = GetParam();
    ClosePayload out;
    const Errc e = parse(payload(c.code, "bye"), out);
    EXPECT_EQ(e, c.valid ? Errc::ok : Errc::invalid_close_code);
    EXPECT_TRUE(out.has_code);
    EXPECT_EQ(out.code, c.code);
    if (!c.valid) {
        EXPECT_EQ(close_code_for(e), 1002);
    }
}

INSTANTIATE_TEST_SUITE_P(Rfc6455Section7_4, WireCloseCodes, testing::ValuesIn(kCodes),
                         [](const testing::TestParamInfo<CodeCase>& i) {
                             return "Code" + std::to_string(i.param.code);
                         });

TEST(IsValidWireCloseCode, AcceptsExactly2012CodesInThreeRanges) {
    int valid = 0;
    for (unsigned code = 0; code <= 0xFFFF; ++code) {
        const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                              (code >= 3000 && code <= 4999);
        ASSERT_EQ(is_valid_wire_close_code(static_cast<std::uint16_t>(code)), expected) << code;
        valid += expected;
    }
    EXPECT_EQ(valid, 4 + 8 + 2000);
}

// ---------------------------------------------------------------------------------------------
// parse_close_payload, one test per class of payload (Autobahn 7.3, 7.5).

TEST(ParseClosePayload, EmptyPayloadIsOkWithoutCodeAutobahn7_3_1) {
    ClosePayload out;
    out.has_code = true;  // must be overwritten
    EXPECT_EQ(parse_close_payload(nullptr, 0, out), Errc::ok);
    EXPECT_FALSE(out.has_code);
    EXPECT_TRUE(out.reason.empty());
}

TEST(ParseClosePayload, OneBytePayloadIsInvalidAutobahn7_3_2) {
    const std::uint8_t a = 'a';
    ClosePayload out;
    const Errc e = parse_close_payload(&a, 1, out);
    EXPECT_EQ(e, Errc::invalid_close_payload);
    EXPECT_EQ(close_code_for(e), 1002);
}

TEST(ParseClosePayload, CodeWithoutReasonAutobahn7_3_3) {
    ClosePayload out;
    EXPECT_EQ(parse(payload(1000, ""), out), Errc::ok);
    EXPECT_TRUE(out.has_code);
    EXPECT_EQ(out.code, 1000);
    EXPECT_TRUE(out.reason.empty());
}

TEST(ParseClosePayload, CodeIsBigEndianAndReasonPointsIntoPayloadAutobahn7_3_4) {
    const std::vector<std::uint8_t> p = payload(0x0FA0 /* 4000 */, "Hello World!");
    ClosePayload out;
    EXPECT_EQ(parse(p, out), Errc::ok);
    EXPECT_EQ(out.code, 4000);
    EXPECT_EQ(out.reason, "Hello World!");
    EXPECT_EQ(static_cast<const void*>(out.reason.data()), static_cast<const void*>(p.data() + 2));
}

TEST(ParseClosePayload, Accepts125BytesAndRejects126Autobahn7_3_5And7_3_6) {
    ClosePayload out;
    EXPECT_EQ(parse(payload(1000, std::string(123, '*')), out), Errc::ok);
    EXPECT_EQ(out.reason.size(), 123u);
    const Errc e = parse(payload(1000, std::string(124, '*')), out);
    EXPECT_EQ(e, Errc::control_frame_too_long);
    EXPECT_EQ(close_code_for(e), 1002);
}

TEST(ParseClosePayload, RejectsInvalidUtf8ReasonAutobahn7_5_1) {
    ClosePayload out;
    const Errc e = parse(payload(1000, kInvalidReason), out);
    EXPECT_EQ(e, Errc::invalid_utf8);
    EXPECT_EQ(close_code_for(e), 1007);  // Autobahn 7.5.1 accepts 1002 or 1007
}

TEST(ParseClosePayload, RejectsReasonEndingInsideACodePoint) {
    ClosePayload out;
    EXPECT_EQ(parse(payload(1000, "caf\xC3"), out), Errc::invalid_utf8);
    EXPECT_EQ(parse(payload(1000, "caf\xC3\xA9"), out), Errc::ok);
}

TEST(ParseClosePayload, ReportsTheCodeBeforeTheReason) {
    ClosePayload out;
    EXPECT_EQ(parse(payload(1005, kInvalidReason), out), Errc::invalid_close_code);
}

// ---------------------------------------------------------------------------------------------
// format_close_payload.

TEST(FormatClosePayload, WritesCodeInNetworkByteOrderThenReason) {
    std::uint8_t buf[kMaxClosePayload];
    const std::size_t n = format_close_payload(1001, "going", buf, sizeof buf);
    ASSERT_EQ(n, 7u);
    EXPECT_EQ(buf[0], 0x03);
    EXPECT_EQ(buf[1], 0xE9);
    EXPECT_EQ(std::string(buf + 2, buf + n), "going");
}

TEST(FormatClosePayload, CutsALongReasonToFit125Bytes) {
    std::uint8_t buf[200];
    EXPECT_EQ(format_close_payload(1000, std::string(123, 'r'), buf, sizeof buf), 125u);
    EXPECT_EQ(format_close_payload(1000, std::string(124, 'r'), buf, sizeof buf), 125u);
    EXPECT_EQ(format_close_payload(1000, std::string(1000, 'r'), buf, sizeof buf), 125u);
}

TEST(FormatClosePayload, CutsAtACodePointBoundaryWhereverTheLimitFalls) {
    const std::string chars[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
    for (const std::string& ch : chars) {
        // Shift the multi-byte character across the 123-byte reason limit, one byte at a time.
        for (std::size_t pad = 118; pad <= 123; ++pad) {
            const std::string reason = std::string(pad, 'a') + ch + "tail";
            std::uint8_t buf[kMaxClosePayload];
            const std::size_t n = format_close_payload(1000, reason, buf, sizeof buf);
            const std::size_t expected_reason =
                pad + ch.size() <= kMaxCloseReason ? kMaxCloseReason : pad;
            ASSERT_EQ(n, 2 + std::min(expected_reason, reason.size()))
                << "pad " << pad << " char " << ch.size();
            EXPECT_TRUE(is_valid_utf8(buf + 2, n - 2));
            EXPECT_EQ(std::string(buf + 2, buf + n), reason.substr(0, n - 2));
        }
    }
}

TEST(FormatClosePayload, ReturnsZeroWhenCapacityIsTooSmall) {
    std::uint8_t buf[kMaxClosePayload];
    EXPECT_EQ(format_close_payload(1000, "", buf, 1), 0u);
    EXPECT_EQ(format_close_payload(1000, "", buf, 2), 2u);
    EXPECT_EQ(format_close_payload(1000, "abc", buf, 4), 0u);
    EXPECT_EQ(format_close_payload(1000, "abc", buf, 5), 5u);
    EXPECT_EQ(format_close_payload(1000, std::string(200, 'x'), buf, 124), 0u);
}

TEST(FormatClosePayload, WritesCodesThatAreInvalidOnTheWire) {
    std::uint8_t buf[8];
    for (std::uint16_t code : {std::uint16_t{0}, std::uint16_t{1005}, std::uint16_t{1006},
                               std::uint16_t{1015}, std::uint16_t{65535}}) {
        ASSERT_EQ(format_close_payload(code, "x", buf, sizeof buf), 3u);
        EXPECT_EQ((buf[0] << 8) | buf[1], code);
    }
}

TEST(ClosePayloadRoundTrip, FormatThenParseGivesCodeAndReasonBack) {
    const std::string reasons[] = {
        "",
        "Hello World!",
        "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5",
        std::string(123, 'm'),
    };
    std::uint8_t buf[kMaxClosePayload];
    for (const CodeCase& c : kCodes) {
        if (!c.valid) continue;
        for (const std::string& reason : reasons) {
            const std::size_t n = format_close_payload(c.code, reason, buf, sizeof buf);
            ClosePayload out;
            ASSERT_EQ(parse_close_payload(buf, n, out), Errc::ok) << c.code;
            EXPECT_TRUE(out.has_code);
            EXPECT_EQ(out.code, c.code);
            EXPECT_EQ(out.reason, reason);
        }
    }
    // A long multi-byte reason comes back as its longest prefix that fits, still valid.
    std::string long_reason;
    for (int i = 0; i < 50; ++i) long_reason += "\xE2\x82\xAC";  // 150 bytes of U+20AC
    const std::size_t n = format_close_payload(1000, long_reason, buf, sizeof buf);
    ClosePayload out;
    ASSERT_EQ(parse_close_payload(buf, n, out), Errc::ok);
    EXPECT_EQ(out.reason, long_reason.substr(0, 123));  // 41 whole characters
}

}  // namespace
}  // namespace wsb
