// Tests for ws:// and wss:// URL parsing (RFC 6455 §3).
#include "wsbench/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsb {
namespace {

TEST(ParseUrl, MinimalWsUrlGetsDefaultPortAndSlashPath) {
    Url u;
    ASSERT_EQ(parse_url("ws://example.com", u), Errc::ok);
    EXPECT_EQ(u.scheme, "ws");
    EXPECT_FALSE(u.secure);
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port, 80);
    EXPECT_EQ(u.path, "/");
    EXPECT_EQ(u.query, "");
    EXPECT_FALSE(u.host_is_ipv6);
    EXPECT_EQ(u.resource(), "/");
    EXPECT_EQ(u.authority(), "example.com");
    EXPECT_EQ(u.str(), "ws://example.com/");
}

TEST(ParseUrl, WssDefaultsTo443AndSchemeIsCaseInsensitive) {
    Url u;
    ASSERT_EQ(parse_url("WsS://Example.COM/", u), Errc::ok);
    EXPECT_EQ(u.scheme, "wss");
    EXPECT_TRUE(u.secure);
    EXPECT_EQ(u.port, 443);
    EXPECT_EQ(u.host, "Example.COM");
    EXPECT_EQ(u.str(), "wss://Example.COM/");
}

TEST(ParseUrl, ExplicitPortPathAndQuery) {
    Url u;
    ASSERT_EQ(parse_url("ws://127.0.0.1:9001/runCase?case=1&agent=wsbench%20x", u), Errc::ok);
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, 9001);
    EXPECT_EQ(u.path, "/runCase");
    EXPECT_EQ(u.query, "case=1&agent=wsbench%20x");
    EXPECT_EQ(u.resource(), "/runCase?case=1&agent=wsbench%20x");
    EXPECT_EQ(u.authority(), "127.0.0.1:9001");
}

TEST(ParseUrl, QueryWithoutPathGetsSlashPath) {
    Url u;
    ASSERT_EQ(parse_url("ws://h:8080?x=1", u), Errc::ok);
    EXPECT_EQ(u.path, "/");
    EXPECT_EQ(u.query, "x=1");
    EXPECT_EQ(u.resource(), "/?x=1");
}

TEST(ParseUrl, DefaultPortWrittenExplicitlyIsLeftOutOfAuthority) {
    Url u;
    ASSERT_EQ(parse_url("wss://h:443/a", u), Errc::ok);
    EXPECT_EQ(u.port, 443);
    EXPECT_EQ(u.authority(), "h");
    ASSERT_EQ(parse_url("ws://h:443/a", u), Errc::ok);
    EXPECT_EQ(u.authority(), "h:443");
}

TEST(ParseUrl, Ipv6LiteralsAreUnbracketedWithAndWithoutPort) {
    Url u;
    ASSERT_EQ(parse_url("ws://[::1]:9001/echo", u), Errc::ok);
    EXPECT_TRUE(u.host_is_ipv6);
    EXPECT_EQ(u.host, "::1");
    EXPECT_EQ(u.port, 9001);
    EXPECT_EQ(u.authority(), "[::1]:9001");
    EXPECT_EQ(u.str(), "ws://[::1]:9001/echo");

    ASSERT_EQ(parse_url("wss://[2001:db8::ffff:192.0.2.1]", u), Errc::ok);
    EXPECT_EQ(u.host, "2001:db8::ffff:192.0.2.1");
    EXPECT_EQ(u.port, 443);
    EXPECT_EQ(u.authority(), "[2001:db8::ffff:192.0.2.1]");
}

TEST(ParseUrl, FailureLeavesTheOutputUnchanged) {
    Url u;
    ASSERT_EQ(parse_url("ws://keep:1/me", u), Errc::ok);
    EXPECT_EQ(parse_url("ws://other:0/", u), Errc::url_bad_port);
    EXPECT_EQ(u.str(), "ws://keep:1/me");
}

class ParseUrlRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseUrlRoundTrip, StrParsesBackToTheSameUrl) {
    Url a;
    Url b;
    ASSERT_EQ(parse_url(GetParam(), a), Errc::ok);
    ASSERT_EQ(parse_url(a.str(), b), Errc::ok) << a.str();
    EXPECT_EQ(a.str(), b.str());
    EXPECT_EQ(a.host, b.host);
    EXPECT_EQ(a.port, b.port);
    EXPECT_EQ(a.resource(), b.resource());
}

INSTANTIATE_TEST_SUITE_P(Table, ParseUrlRoundTrip,
                         ::testing::Values("ws://a", "wss://a.b.c:8443/x/y?z", "WS://[::1]",
                                           "ws://[fe80::1]:80/p%2Fq", "ws://h_1~x:65535/?",
                                           "wss://localhost:1?a=b?c"));

struct BadUrl {
    const char* text;
    Errc expected;
};

class ParseUrlRejects : public ::testing::TestWithParam<BadUrl> {};

TEST_P(ParseUrlRejects, WithTheRightCode) {
    Url u;
    EXPECT_EQ(parse_url(GetParam().text, u), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Scheme, ParseUrlRejects,
                         ::testing::Values(BadUrl{"http://example.com/", Errc::url_bad_scheme},
                                           BadUrl{"https://example.com/", Errc::url_bad_scheme},
                                           BadUrl{"wsx://example.com/", Errc::url_bad_scheme},
                                           BadUrl{"://example.com/", Errc::url_bad_scheme},
                                           BadUrl{"ws ://example.com/", Errc::url_bad_scheme}));

INSTANTIATE_TEST_SUITE_P(Malformed, ParseUrlRejects,
                         ::testing::Values(BadUrl{"example.com", Errc::url_malformed},
                                           BadUrl{"ws:/example.com", Errc::url_malformed},
                                           BadUrl{"", Errc::url_malformed},
                                           BadUrl{"ws://example.com/#frag", Errc::url_malformed},
                                           BadUrl{"ws://example.com#", Errc::url_malformed},
                                           BadUrl{"ws://example.com/?q#f", Errc::url_malformed},
                                           BadUrl{"ws://user:pw@example.com/", Errc::url_malformed},
                                           BadUrl{"ws://user@example.com/", Errc::url_malformed},
                                           BadUrl{"ws://example.com/a b", Errc::url_malformed},
                                           BadUrl{"ws://example.com/\x01", Errc::url_malformed},
                                           BadUrl{"ws://example.com/caf\xc3\xa9",
                                                  Errc::url_malformed},
                                           BadUrl{"ws://example.com/%zz", Errc::url_malformed},
                                           BadUrl{"ws://example.com/?a=%4", Errc::url_malformed},
                                           BadUrl{"ws://[::1]x/", Errc::url_malformed}));

INSTANTIATE_TEST_SUITE_P(Host, ParseUrlRejects,
                         ::testing::Values(BadUrl{"ws://", Errc::url_bad_host},
                                           BadUrl{"ws:///path", Errc::url_bad_host},
                                           BadUrl{"ws://:9001/", Errc::url_bad_host},
                                           BadUrl{"ws://[::1/", Errc::url_bad_host},
                                           BadUrl{"ws://[]/", Errc::url_bad_host},
                                           BadUrl{"ws://[example.com]/", Errc::url_bad_host},
                                           BadUrl{"ws://[fe80::1%25eth0]/", Errc::url_bad_host},
                                           BadUrl{"ws://::1:9001/", Errc::url_bad_host},
                                           BadUrl{"ws://ex!ample.com/", Errc::url_bad_host}));

INSTANTIATE_TEST_SUITE_P(
    Port, ParseUrlRejects,
    ::testing::Values(
        BadUrl{"ws://h:0/", Errc::url_bad_port}, BadUrl{"ws://h:65536/", Errc::url_bad_port},
        BadUrl{"ws://h:99999999999999999999/", Errc::url_bad_port},
        BadUrl{"ws://h:http/", Errc::url_bad_port}, BadUrl{"ws://h:/", Errc::url_bad_port},
        BadUrl{"ws://h:-1/", Errc::url_bad_port}, BadUrl{"ws://h:+80/", Errc::url_bad_port},
        BadUrl{"ws://[::1]:0/", Errc::url_bad_port}, BadUrl{"ws://[::1]:/", Errc::url_bad_port}));

}  // namespace
}  // namespace wsb
