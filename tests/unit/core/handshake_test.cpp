// Tests for the opening handshake (RFC 6455 §4): keys, request building, both sides' checks.
#include "wsbench/handshake.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "wsbench/base64.hpp"

namespace wsb {
namespace {

// RFC 6455 §1.3 and §4.2.2: the sample nonce and its accept value.
constexpr std::string_view kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kRfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

const std::string kGoodResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: chat\r\n"
    "\r\n";

ClientRequest rfc_request() {
    ClientRequest r;
    r.host = "server.example.com";
    r.port = 80;
    r.resource = "/chat";
    r.key = std::string(kRfcKey);
    r.subprotocols = {"chat", "superchat"};
    r.extensions = {"permessage-deflate; client_max_window_bits"};
    r.origin = "http://example.com";
    return r;
}

// ----------------------------------------------------------------------------- keys

TEST(Handshake, ComputeAcceptKeyMatchesRfc6455Example) {
    EXPECT_EQ(compute_accept_key(kRfcKey), kRfcAccept);
}

TEST(Handshake, ComputeAcceptKeyHandlesLongKeys) {
    // A broken peer may send anything; the result is still a 28-character SHA-1 in base64.
    const std::string key(500, 'A');
    EXPECT_EQ(compute_accept_key(key).size(), 28u);
    EXPECT_NE(compute_accept_key(key), compute_accept_key(std::string(499, 'A')));
}

TEST(Handshake, MakeClientKeyEncodesTheRfcNonce) {
    const std::string nonce = "the sample nonce";  // RFC 6455 §4.1 example, 16 bytes
    std::array<std::uint8_t, 16> bytes{};
    std::copy(nonce.begin(), nonce.end(), bytes.begin());
    EXPECT_EQ(make_client_key(bytes), kRfcKey);
}

TEST(Handshake, MakeRandomClientKeyIsDeterministicAndSixteenBytes) {
    std::mt19937_64 a(42);
    std::mt19937_64 b(42);
    const auto k1 = make_random_client_key(a);
    EXPECT_EQ(k1, make_random_client_key(b));
    EXPECT_NE(k1, make_random_client_key(a));
    ASSERT_EQ(k1.size(), 24u);
    EXPECT_EQ(base64_decode(k1)->size(), 16u);

    std::minstd_rand narrow(7);  // not full-range: goes through a distribution
    const auto k2 = make_random_client_key(narrow);
    ASSERT_TRUE(base64_decode(k2).has_value());
    EXPECT_EQ(base64_decode(k2)->size(), 16u);
}

// ----------------------------------------------------------------------------- request building

TEST(BuildClientRequest, WritesTheRfcExampleRequest) {
    EXPECT_EQ(build_client_request(rfc_request()),
              "GET /chat HTTP/1.1\r\n"
              "Host: server.example.com\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Sec-WebSocket-Version: 13\r\n"
              "Sec-WebSocket-Protocol: chat, superchat\r\n"
              "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
              "Origin: http://example.com\r\n"
              "\r\n");
}

TEST(BuildClientRequest, OmitsEmptyOptionalFieldsAndDefaultsResourceToSlash) {
    ClientRequest r;
    r.host = "h";
    r.resource.clear();
    r.key = "k";
    EXPECT_EQ(build_client_request(r),
              "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: k\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

struct HostCase {
    const char* host;
    std::uint16_t port;
    bool secure;
    const char* expected;
};

class BuildClientRequestHost : public ::testing::TestWithParam<HostCase> {};

TEST_P(BuildClientRequestHost, PutsPortOnlyWhenNotDefaultAndBracketsIpv6) {
    ClientRequest r;
    r.host = GetParam().host;
    r.port = GetParam().port;
    r.secure = GetParam().secure;
    const auto text = build_client_request(r);
    EXPECT_NE(text.find(std::string("\r\nHost: ") + GetParam().expected + "\r\n"),
              std::string::npos)
        << text;
}

INSTANTIATE_TEST_SUITE_P(Table, BuildClientRequestHost,
                         ::testing::Values(HostCase{"example.com", 80, false, "example.com"},
                                           HostCase{"example.com", 443, true, "example.com"},
                                           HostCase{"example.com", 443, false, "example.com:443"},
                                           HostCase{"example.com", 80, true, "example.com:80"},
                                           HostCase{"example.com", 9001, false, "example.com:9001"},
                                           HostCase{"example.com", 0, false, "example.com"},
                                           HostCase{"::1", 9001, false, "[::1]:9001"},
                                           HostCase{"::1", 80, false, "[::1]"},
                                           HostCase{"[fe80::1]", 443, true, "[fe80::1]"},
                                           HostCase{"127.0.0.1", 8080, true, "127.0.0.1:8080"}));

TEST(BuildClientRequest, ExtraHeadersReplaceDefaultsInPlaceAndOthersGoLast) {
    ClientRequest r = rfc_request();
    r.headers = {{"X-Trace", "1"}, {"host", "evil.example"}, {"ORIGIN", ""}};
    const auto text = build_client_request(r);
    EXPECT_EQ(text.find("Host: server.example.com"), std::string::npos);
    EXPECT_EQ(text.find("Origin: http://example.com"), std::string::npos);
    // The override keeps the default's position (right after the request line) and its case.
    EXPECT_EQ(text.find("GET /chat HTTP/1.1\r\nhost: evil.example\r\nUpgrade:"), 0u) << text;
    EXPECT_NE(text.find("\r\nORIGIN: \r\nX-Trace: 1\r\n\r\n"), std::string::npos) << text;
}

TEST(BuildClientRequest, BuildsDeliberatelyBrokenRequests) {
    ClientRequest r = rfc_request();
    r.method = "POST";
    r.http_version = "HTTP/1.0";
    r.omit = {"sec-websocket-version", "Origin"};
    r.headers = {{"Sec-WebSocket-Key", "one"}, {"Sec-WebSocket-Key", "two"}};
    const auto text = build_client_request(r);
    EXPECT_EQ(text.rfind("POST /chat HTTP/1.0\r\n", 0), 0u);
    EXPECT_EQ(text.find("Sec-WebSocket-Version"), std::string::npos);
    EXPECT_EQ(text.find("Origin"), std::string::npos);
    EXPECT_NE(text.find("Sec-WebSocket-Key: one\r\nSec-WebSocket-Key: two\r\n"), std::string::npos);
}

// ----------------------------------------------------------------------------- client check

struct ResponseCase {
    const char* name;
    std::string response;
    Errc expected;
};

class CheckServerResponse : public ::testing::TestWithParam<ResponseCase> {};

TEST_P(CheckServerResponse, Table) {
    HttpResponse resp;
    std::size_t head = 0;
    ASSERT_EQ(parse_http_response(GetParam().response, resp, head), Errc::ok);
    std::string selected = "unchanged";
    EXPECT_EQ(check_server_response(resp, rfc_request(), &selected), GetParam().expected);
}

std::string response_with(const std::string& fields) {
    return "HTTP/1.1 101 Switching Protocols\r\n" + fields + "\r\n";
}

const std::string kUpg = "Upgrade: websocket\r\n";
const std::string kConn = "Connection: Upgrade\r\n";
const std::string kAcc = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

INSTANTIATE_TEST_SUITE_P(
    Rfc6455Section4_1, CheckServerResponse,
    ::testing::Values(
        ResponseCase{"Valid", kGoodResponse, Errc::ok},
        ResponseCase{"ValidWithoutSubprotocol", response_with(kUpg + kConn + kAcc), Errc::ok},
        ResponseCase{
            "ValidMixedCaseAndTokenLists",
            response_with("uPgRaDe: WebSocket\r\nconnection: keep-alive, upgrade\r\n" + kAcc),
            Errc::ok},
        ResponseCase{"ValidOfferedExtensionWithOtherParams",
                     response_with(kUpg + kConn + kAcc +
                                   "Sec-WebSocket-Extensions: permessage-deflate; "
                                   "server_no_context_takeover\r\n"),
                     Errc::ok},
        ResponseCase{"StatusNot101", "HTTP/1.1 200 OK\r\n" + kUpg + kConn + kAcc + "\r\n",
                     Errc::handshake_bad_status},
        ResponseCase{"Status426", "HTTP/1.1 426 Upgrade Required\r\n\r\n",
                     Errc::handshake_bad_status},
        ResponseCase{"UpgradeMissing", response_with(kConn + kAcc),
                     Errc::handshake_missing_upgrade},
        ResponseCase{"UpgradeNotWebsocket", response_with("Upgrade: h2c\r\n" + kConn + kAcc),
                     Errc::handshake_missing_upgrade},
        ResponseCase{"ConnectionMissing", response_with(kUpg + kAcc),
                     Errc::handshake_missing_connection},
        ResponseCase{"ConnectionWithoutUpgradeToken",
                     response_with(kUpg + "Connection: keep-alive\r\n" + kAcc),
                     Errc::handshake_missing_connection},
        ResponseCase{"AcceptMissing", response_with(kUpg + kConn), Errc::handshake_bad_accept},
        ResponseCase{
            "AcceptWrong",
            response_with(kUpg + kConn + "Sec-WebSocket-Accept: S3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            Errc::handshake_bad_accept},
        ResponseCase{"AcceptRepeated", response_with(kUpg + kConn + kAcc + kAcc),
                     Errc::handshake_bad_accept},
        ResponseCase{"SubprotocolNotOffered",
                     response_with(kUpg + kConn + kAcc + "Sec-WebSocket-Protocol: mqtt\r\n"),
                     Errc::handshake_bad_subprotocol},
        ResponseCase{"SubprotocolDiffersInCase",
                     response_with(kUpg + kConn + kAcc + "Sec-WebSocket-Protocol: Chat\r\n"),
                     Errc::handshake_bad_subprotocol},
        ResponseCase{
            "SubprotocolTwoValues",
            response_with(kUpg + kConn + kAcc + "Sec-WebSocket-Protocol: chat, superchat\r\n"),
            Errc::handshake_bad_subprotocol},
        ResponseCase{"SubprotocolEmpty",
                     response_with(kUpg + kConn + kAcc + "Sec-WebSocket-Protocol: \r\n"),
                     Errc::handshake_bad_subprotocol},
        ResponseCase{"ExtensionNotOffered",
                     response_with(kUpg + kConn + kAcc +
                                   "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"),
                     Errc::handshake_bad_extension}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(CheckServerResponseSelection, ReportsTheSelectedSubprotocol) {
    HttpResponse resp;
    std::size_t head = 0;
    ASSERT_EQ(parse_http_response(kGoodResponse, resp, head), Errc::ok);
    std::string selected;
    ASSERT_EQ(check_server_response(resp, rfc_request(), &selected), Errc::ok);
    EXPECT_EQ(selected, "chat");
    EXPECT_EQ(check_server_response(resp, rfc_request()), Errc::ok);  // null pointer is fine

    ClientRequest none = rfc_request();
    none.subprotocols.clear();
    EXPECT_EQ(check_server_response(resp, none), Errc::handshake_bad_subprotocol);
}

// ----------------------------------------------------------------------------- server check

struct RequestCase {
    const char* name;
    void (*mutate)(ClientRequest&);
    Errc expected;
};

class CheckClientRequest : public ::testing::TestWithParam<RequestCase> {};

TEST_P(CheckClientRequest, Table) {
    ClientRequest r = rfc_request();
    GetParam().mutate(r);
    HttpRequest req;
    std::size_t head = 0;
    ASSERT_EQ(parse_http_request(build_client_request(r), req, head), Errc::ok);
    ServerHandshakeInfo info;
    EXPECT_EQ(check_client_request(req, info), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6455Section4_2_1, CheckClientRequest,
    ::testing::Values(
        RequestCase{"Valid", [](ClientRequest&) {}, Errc::ok},
        RequestCase{"ValidHttp2_0", [](ClientRequest& r) { r.http_version = "HTTP/2.0"; },
                    Errc::ok},
        RequestCase{
            "ValidTokenLists",
            [](ClientRequest& r) {
                r.headers = {{"Upgrade", "WebSocket"}, {"Connection", "keep-alive, Upgrade"}};
            },
            Errc::ok},
        RequestCase{"MethodPost", [](ClientRequest& r) { r.method = "POST"; },
                    Errc::handshake_bad_method},
        RequestCase{"MethodLowercase", [](ClientRequest& r) { r.method = "get"; },
                    Errc::handshake_bad_method},
        RequestCase{"Http1_0", [](ClientRequest& r) { r.http_version = "HTTP/1.0"; },
                    Errc::handshake_bad_http_version},
        RequestCase{"HostMissing", [](ClientRequest& r) { r.omit = {"Host"}; },
                    Errc::http_malformed},
        RequestCase{"HostRepeated",
                    [](ClientRequest& r) {
                        r.headers = {{"Host", "a"}, {"Host", "b"}};
                    },
                    Errc::http_malformed},
        RequestCase{"UpgradeMissing", [](ClientRequest& r) { r.omit = {"Upgrade"}; },
                    Errc::handshake_missing_upgrade},
        RequestCase{"UpgradeNotWebsocket",
                    [](ClientRequest& r) {
                        r.headers = {{"Upgrade", "h2c"}};
                    },
                    Errc::handshake_missing_upgrade},
        RequestCase{"ConnectionMissing", [](ClientRequest& r) { r.omit = {"Connection"}; },
                    Errc::handshake_missing_connection},
        RequestCase{"ConnectionKeepAliveOnly",
                    [](ClientRequest& r) {
                        r.headers = {{"Connection", "keep-alive"}};
                    },
                    Errc::handshake_missing_connection},
        RequestCase{"KeyMissing", [](ClientRequest& r) { r.omit = {"Sec-WebSocket-Key"}; },
                    Errc::handshake_missing_key},
        RequestCase{"KeyNotBase64", [](ClientRequest& r) { r.key = "not base64!"; },
                    Errc::handshake_bad_key},
        RequestCase{"KeyFifteenBytes", [](ClientRequest& r) { r.key = "AAAAAAAAAAAAAAAAAAAA"; },
                    Errc::handshake_bad_key},
        RequestCase{"KeyRepeated",
                    [](ClientRequest& r) {
                        r.headers = {{"Sec-WebSocket-Key", r.key}, {"Sec-WebSocket-Key", r.key}};
                    },
                    Errc::handshake_bad_key},
        RequestCase{"VersionMissing", [](ClientRequest& r) { r.omit = {"Sec-WebSocket-Version"}; },
                    Errc::handshake_bad_version},
        RequestCase{"Version8",
                    [](ClientRequest& r) {
                        r.headers = {{"Sec-WebSocket-Version", "8"}};
                    },
                    Errc::handshake_bad_version},
        RequestCase{"VersionList",
                    [](ClientRequest& r) {
                        r.headers = {{"Sec-WebSocket-Version", "13, 8"}};
                    },
                    Errc::handshake_bad_version}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Handshake, RequestRoundTripsThroughBuildParseCheckAndResponse) {
    std::mt19937_64 rng(1);
    ClientRequest sent;
    sent.host = "::1";
    sent.port = 9001;
    sent.resource = "/echo?room=7";
    sent.key = make_random_client_key(rng);
    sent.subprotocols = {"chat", "superchat"};
    sent.extensions = {"permessage-deflate"};
    sent.origin = "http://localhost";
    sent.headers = {{"User-Agent", "wsbench"}};

    HttpRequest req;
    std::size_t head = 0;
    const std::string request = build_client_request(sent);
    ASSERT_EQ(parse_http_request(request, req, head), Errc::ok);
    EXPECT_EQ(head, request.size());

    ServerHandshakeInfo info;
    ASSERT_EQ(check_client_request(req, info), Errc::ok);
    EXPECT_EQ(info.resource, "/echo?room=7");
    EXPECT_EQ(info.host, "[::1]:9001");
    EXPECT_EQ(info.key, sent.key);
    EXPECT_EQ(info.accept_key, compute_accept_key(sent.key));
    EXPECT_EQ(info.subprotocols, sent.subprotocols);
    EXPECT_EQ(info.extensions, sent.extensions);
    EXPECT_EQ(info.origin, "http://localhost");
    EXPECT_EQ(*req.headers.find("user-agent"), "wsbench");

    const std::string response =
        build_server_response(info.accept_key, info.subprotocols[1], {{"Server", "wsbench"}});
    HttpResponse resp;
    ASSERT_EQ(parse_http_response(response, resp, head), Errc::ok);
    EXPECT_EQ(head, response.size());
    EXPECT_EQ(*resp.headers.find("server"), "wsbench");
    std::string selected;
    EXPECT_EQ(check_server_response(resp, sent, &selected), Errc::ok);
    EXPECT_EQ(selected, "superchat");
}

TEST(BuildServerResponse, MatchesTheRfcExample) {
    EXPECT_EQ(build_server_response(kRfcAccept, "chat"), kGoodResponse);
}

TEST(BuildRejectResponse, Adds426VersionContentLengthAndClose) {
    const std::string text = build_reject_response(reject_status_for(Errc::handshake_bad_version));
    HttpResponse resp;
    std::size_t head = 0;
    ASSERT_EQ(parse_http_response(text, resp, head), Errc::ok);
    EXPECT_EQ(head, text.size());
    EXPECT_EQ(resp.status, 426);
    EXPECT_EQ(resp.reason, "Upgrade Required");
    EXPECT_EQ(*resp.headers.find("Sec-WebSocket-Version"), "13");
    EXPECT_EQ(*resp.headers.find("Content-Length"), "0");
    EXPECT_TRUE(resp.headers.has_token("Connection", "close"));
}

TEST(BuildRejectResponse, CarriesABodyAndExtraHeaders) {
    const std::string text = build_reject_response(403, "Go Away", {{"X-Why", "origin"}}, "no");
    HttpResponse resp;
    std::size_t head = 0;
    ASSERT_EQ(parse_http_response(text, resp, head), Errc::ok);
    EXPECT_EQ(resp.status, 403);
    EXPECT_EQ(resp.reason, "Go Away");
    EXPECT_EQ(resp.headers.find("Sec-WebSocket-Version"), nullptr);
    EXPECT_EQ(*resp.headers.find("Content-Length"), "2");
    EXPECT_EQ(*resp.headers.find("X-Why"), "origin");
    EXPECT_EQ(text.substr(head), "no");
}

TEST(BuildRejectResponse, StatusForEachFailure) {
    EXPECT_EQ(reject_status_for(Errc::handshake_bad_version), 426);
    EXPECT_EQ(reject_status_for(Errc::http_head_too_large), 431);
    EXPECT_EQ(reject_status_for(Errc::handshake_bad_key), 400);
    EXPECT_EQ(reject_status_for(Errc::http_malformed), 400);
}

}  // namespace
}  // namespace wsb
