// wsbench-conformance serve's pure parts: the fuzzing server's request-target parsing, the
// cases it serves (no H.x; M.x texts rewritten for the swapped roles; section C), the texts
// of its verdicts and its report config.
#include "conformance/serve.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/cases/serve_table.hpp"
#include "conformance/judge.hpp"
#include "conformance/runner.hpp"
#include "conformance/serve.hpp"
#include "conformance/serve_server.hpp"
#include "conformance/writers.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::conformance {
namespace {

TEST(ServeTarget, SplitsPathAndDecodesQuery) {
    const Target t = parse_target("/runCase?case=12&agent=my%20client+1&flag");
    EXPECT_EQ(t.path, "/runCase");
    EXPECT_EQ(t.query.at("case"), "12");
    EXPECT_EQ(t.query.at("agent"), "my client 1");
    EXPECT_EQ(t.query.at("flag"), "");
}

TEST(ServeTarget, PathWithoutQueryAndBrokenEscapesKeptAsIs) {
    EXPECT_EQ(parse_target("/getCaseCount").path, "/getCaseCount");
    EXPECT_TRUE(parse_target("/getCaseCount").query.empty());
    EXPECT_EQ(parse_target("/x?agent=a%2").query.at("agent"), "a%2");
    EXPECT_EQ(parse_target("/x?agent=a%zz").query.at("agent"), "a%zz");
}

TEST(ServeCases, LeavesOutHandshakeProbesAndKeepsOrder) {
    const Selection sel = select_cases(all_cases(), {"*"}, {});
    const std::vector<CaseSpec> served = serve_cases(sel.cases);
    std::size_t h = 0;
    for (const CaseSpec* c : sel.cases) h += section_of(c->id) == "H" || !c->deflate_offers.empty();
    ASSERT_GT(h, 216u);
    ASSERT_EQ(served.size(), sel.cases.size() - h);
    std::size_t j = 0;
    for (const CaseSpec* c : sel.cases) {
        if (section_of(c->id) == "H" || !c->deflate_offers.empty()) continue;
        EXPECT_EQ(served[j++].id, c->id);
    }
}

TEST(ServeCases, MaskingCasesDescribeTheServersMaskedFrames) {
    const Selection sel = select_cases(all_cases(), {"M.*"}, {});
    const std::vector<CaseSpec> served = serve_cases(sel.cases);
    ASSERT_EQ(served.size(), 4u);
    EXPECT_EQ(served[0].description, "Send a masked text message.");
    EXPECT_EQ(served[2].description,
              "Send an unmasked text message, then the same text masked, then a ping.");
    EXPECT_NE(served[1].expectation.find("a client MUST close a connection if it detects a "
                                         "masked frame (§5.1). No pong."),
              std::string::npos)
        << served[1].expectation;
}

const CaseSpec& c_case(const std::vector<CaseSpec>& cases, const std::string& id) {
    for (const CaseSpec& c : cases) {
        if (c.id == id) return c;
    }
    throw std::runtime_error("no case " + id);
}

// What a client sent: a request offering `subprotocols` and `extensions`, checked as serve
// mode checks it, and the ClientRequest the client kept to check the answer with.
struct Offer {
    ClientRequest sent;
    ServerHandshakeInfo info;
};
Offer offer(std::vector<std::string> subprotocols, std::vector<std::string> extensions) {
    Offer o;
    o.sent.host = "127.0.0.1";
    o.sent.port = 9001;
    o.sent.resource = "/runCase?case=1&agent=a";
    o.sent.key = "AQIDBAUGBwgJCgsMDQ4PEA==";
    o.sent.subprotocols = std::move(subprotocols);
    o.sent.extensions = std::move(extensions);
    HttpRequest req;
    std::size_t size = 0;
    HttpHeadScanner scanner;
    const std::string text = build_client_request(o.sent);
    EXPECT_EQ(parse_http_request(text, req, size, scanner), Errc::ok);
    EXPECT_EQ(check_client_request(req, o.info), Errc::ok);
    return o;
}
HttpResponse parsed(const std::string& text) {
    HttpResponse resp;
    std::size_t size = 0;
    HttpHeadScanner scanner;
    EXPECT_EQ(parse_http_response(text, resp, size, scanner), Errc::ok) << text;
    return resp;
}

TEST(ClientHandshakeCases, ContinueTheCNumberingWithTheClientsDuties) {
    std::vector<std::string> ids;
    for (const CaseSpec& c : client_handshake_cases()) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"C.1.1", "C.1.2", "C.1.3", "C.1.4", "C.1.5", "C.1.6",
                                             "C.1.7", "C.2.1", "C.2.2", "C.2.3", "C.3.1", "C.3.2",
                                             "C.3.3", "C.3.4"}));
    for (const CaseSpec& c : client_handshake_cases()) {
        // Judged alike: nothing may be echoed, the client closes first, 1002 or 1010 if any.
        EXPECT_TRUE(c.expected.at(Behavior::ok).empty()) << c.id;
        EXPECT_FALSE(c.expected_close.closed_by_me) << c.id;
        EXPECT_EQ(c.expected_close.codes, (std::vector<std::uint16_t>{1002, 1010})) << c.id;
        EXPECT_NE(c.expectation.find("RFC"), std::string::npos) << c.id;
    }
}

TEST(ClientHandshakeCases, EveryResponseFailsACheckingClientThatOfferedNothing) {
    // A client that offered no subprotocol and no extension must refuse every C.x answer;
    // the library's own check (what WsClient does) catches each for the right reason.
    const Offer o = offer({}, {});
    const std::map<std::string, Errc> why = {
        {"C.1.1", Errc::handshake_bad_accept},      {"C.1.2", Errc::handshake_bad_accept},
        {"C.1.3", Errc::handshake_missing_upgrade}, {"C.1.4", Errc::handshake_missing_connection},
        {"C.1.5", Errc::handshake_bad_status},      {"C.1.6", Errc::handshake_bad_status},
        {"C.1.7", Errc::handshake_missing_upgrade}, {"C.2.1", Errc::handshake_bad_subprotocol},
        {"C.2.2", Errc::handshake_bad_extension},   {"C.2.3", Errc::handshake_bad_subprotocol},
        {"C.3.1", Errc::handshake_bad_extension},   {"C.3.2", Errc::handshake_bad_extension},
        {"C.3.3", Errc::handshake_bad_extension},   {"C.3.4", Errc::handshake_bad_extension}};
    for (const CaseSpec& c : client_handshake_cases()) {
        const HttpResponse resp = parsed(c.serve_response(o.info));
        EXPECT_EQ(check_server_response(resp, o.sent), why.at(c.id)) << c.id;
    }
}

TEST(ClientHandshakeCases, NonSwitchingStatusesAreCompleteHttpResponses) {
    const Offer o = offer({}, {});
    const auto cases = client_handshake_cases();
    const HttpResponse ok = parsed(c_case(cases, "C.1.5").serve_response(o.info));
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(*ok.headers.find("Content-Length"), "0");
    EXPECT_EQ(*ok.headers.find("Sec-WebSocket-Accept"), o.info.accept_key);
    const HttpResponse forbidden = parsed(c_case(cases, "C.1.6").serve_response(o.info));
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(*forbidden.headers.find("Content-Length"), "10");
}

TEST(ClientHandshakeCases, SubprotocolAnswerIsNeverOneTheClientOffered) {
    const auto cases = client_handshake_cases();
    const CaseSpec& c = c_case(cases, "C.2.3");
    const Offer two = offer({"chat", "chat.not-offered"}, {});
    const HttpResponse r = parsed(c.serve_response(two.info));
    EXPECT_EQ(*r.headers.find("Sec-WebSocket-Protocol"), "chat.not-offeredx");
    EXPECT_EQ(check_server_response(r, two.sent), Errc::handshake_bad_subprotocol);
    const Offer none = offer({}, {});
    EXPECT_EQ(*parsed(c.serve_response(none.info)).headers.find("Sec-WebSocket-Protocol"),
              "wsbench.never-offered");
}

TEST(ClientHandshakeCases, DeflateParametersAreWrongWhateverTheClientOffered) {
    const auto cases = client_handshake_cases();
    auto extensions = [&](const std::string& id, const Offer& o) {
        return *parsed(c_case(cases, id).serve_response(o.info))
                    .headers.find("Sec-WebSocket-Extensions");
    };
    const Offer plain = offer({}, {"permessage-deflate"});
    const Offer bits = offer({}, {"permessage-deflate; client_max_window_bits"});
    EXPECT_EQ(extensions("C.3.1", plain), "permessage-deflate; server_max_window_bits=7");
    EXPECT_EQ(extensions("C.3.2", plain), "permessage-deflate; x=1");
    EXPECT_EQ(extensions("C.3.3", plain),
              "permessage-deflate; server_no_context_takeover; server_no_context_takeover");
    // client_max_window_bits only when asked for (RFC 7692 §7.1.2.2); else a value out of range.
    EXPECT_EQ(extensions("C.3.4", plain), "permessage-deflate; client_max_window_bits=10");
    EXPECT_EQ(extensions("C.3.4", bits), "permessage-deflate; client_max_window_bits=16");
    // A client that checks extension names only (check_server_response) takes them all: the
    // parameters are for the client's own permessage-deflate negotiation to refuse.
    for (const char* id : {"C.3.1", "C.3.2", "C.3.3", "C.3.4"}) {
        EXPECT_EQ(
            check_server_response(parsed(c_case(cases, id).serve_response(plain.info)), plain.sent),
            Errc::ok)
            << id;
    }
}

TEST(ServeVerdicts, TextsNameTheServerAndTheClient) {
    const auto cases = client_handshake_cases();
    const CaseSpec& c = c_case(cases, "C.1.1");
    // The client sat silent; the server's kill timer closed.
    Observation o;
    o.served = true;
    o.handshake_done = true;
    o.closed_by_me = true;
    o.failed_by_me = true;
    o.close_sent = true;
    Verdict v = judge(c, o);
    EXPECT_EQ(v.behavior_close, CloseBehavior::failed);
    EXPECT_EQ(v.result_close,
              "The connection was failed by the wrong endpoint (expected the client to close "
              "first).");
    EXPECT_EQ(v.result, "The client did not fail the connection (it was closed by the server).");
    // The client never answered the server's close.
    const Selection sel = select_cases(all_cases(), {"1.1.1"}, {});
    Observation d;
    d.served = true;
    d.handshake_done = true;
    d.received = {Event::text("")};
    d.closed_by_me = true;
    d.close_sent = true;
    d.dropped_by_me = true;
    d.not_clean_reason = "peer did not respond (in time) in closing handshake";
    CaseSpec spec = *sel.cases.front();
    spec.expected_close.require_clean = false;
    v = judge(spec, d);
    EXPECT_EQ(v.behavior_close, CloseBehavior::failed_by_client);
    EXPECT_EQ(v.result_close,
              "The client did not answer the server's close frame in time, so the server "
              "dropped the TCP connection.");
    // Against servers the words stay Autobahn's.
    d.served = false;
    EXPECT_EQ(judge(spec, d).result_close,
              "It is preferred that the server close the TCP connection.");
    o.served = false;
    EXPECT_NE(judge(c, o).result_close.find("expected the server to close first"),
              std::string::npos);
}

TEST(ServeReport, ConfigRecordsTheServerSide) {
    Config config;
    config.url_text = "wss://127.0.0.1:4443";
    config.cases = {"1.*", "C.*"};
    config.exclude_cases = {"C.3.*"};
    config.agent = "my-client";
    config.timeout_scale = 2;
    ServeSide side;
    side.host = "127.0.0.1";
    side.port = 4443;
    side.port_asked = 0;
    side.tls = true;
    side.tls_cert = "cert.pem";
    side.tls_key = "key.pem";
    side.once = true;
    config.serve = side;
    RunResult run;
    run.agent = "my-client";
    const nlohmann::json c = report_json(config, run)["config"];
    EXPECT_EQ(c["mode"], "serve");
    EXPECT_EQ(c["url"], "wss://127.0.0.1:4443");
    EXPECT_EQ(c["agent"], "my-client");
    EXPECT_EQ(c["cases"], nlohmann::json::array({"1.*", "C.*"}));
    EXPECT_EQ(c["exclude_cases"], nlohmann::json::array({"C.3.*"}));
    EXPECT_EQ(c["timers"]["open_handshake_s"], 10.0);
    EXPECT_EQ(c["timers"]["close_handshake_s"], 2.0);
    EXPECT_FALSE(c["timers"].contains("server_drop_s"));
    EXPECT_EQ(c["serve"]["host"], "127.0.0.1");
    EXPECT_EQ(c["serve"]["port"], 4443);
    EXPECT_EQ(c["serve"]["port_asked"], 0);
    EXPECT_EQ(c["serve"]["tls"], true);
    EXPECT_EQ(c["serve"]["tls_cert"], "cert.pem");
    EXPECT_EQ(c["serve"]["once"], true);
    EXPECT_EQ(c["serve"]["agent_name_from_url"], false);
    EXPECT_FALSE(c.contains("parallel"));  // the clients decide what runs when
    EXPECT_FALSE(c.contains("insecure"));

    config.serve.reset();
    const nlohmann::json r = report_json(config, run)["config"];
    EXPECT_EQ(r["mode"], "run");
    EXPECT_TRUE(r.contains("parallel"));
    EXPECT_FALSE(r.contains("serve"));
    EXPECT_EQ(r["timers"]["server_drop_s"], 2.0);
}

TEST(ServeCli, TlsCertAndKeyGoTogether) {
    std::ostringstream out, err;
    const char* both[] = {"serve", "--tls-cert", "c.pem", "--tls-key", "k.pem"};
    const ServeCliResult r = parse_serve_cli(5, both, out, err);
    EXPECT_TRUE(r.run) << err.str();
    EXPECT_TRUE(r.config.tls());
    EXPECT_EQ(r.config.tls_key, "k.pem");
    const char* one[] = {"serve", "--tls-cert", "c.pem"};
    const ServeCliResult bad = parse_serve_cli(3, one, out, err);
    EXPECT_FALSE(bad.run);
    EXPECT_EQ(bad.exit_code, wsb::ExitCode::usage);
    EXPECT_NE(err.str().find("--tls-cert and --tls-key go together"), std::string::npos);
}

TEST(ServeCases, ClientHandshakeCasesAreServedOnlyWhenSelected) {
    const Selection sel = select_cases(all_cases(), {"1.1.1", "C.1.*"}, {});
    const std::vector<CaseSpec> served = serve_cases(sel.cases, {"1.1.1", "C.1.*"}, {"C.1.2"});
    std::vector<std::string> ids;
    for (const CaseSpec& c : served) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"1.1.1", "C.1.1", "C.1.3", "C.1.4", "C.1.5", "C.1.6",
                                             "C.1.7"}));
    for (const CaseSpec& c : client_handshake_cases()) {
        EXPECT_TRUE(c.serve_response) << c.id;
        EXPECT_EQ(section_of(c.id), "C");
    }
    for (const CaseSpec& c : all_cases()) EXPECT_NE(section_of(c.id), "C") << c.id;
}

}  // namespace
}  // namespace wsb::conformance
