// The serve-mode case table: section C (the client's duties in the opening handshake, each a
// bent response followed by a text message) and the adaptation of the client-role table.
#include "conformance/cases/serve_table.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <utility>

#include "conformance/runner.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::conformance {
namespace {

using Response = std::function<std::string(const ServerHandshakeInfo&)>;

/// Any response a client MUST fail (§4.1), when the case says no more.
const char* const kMustFail =
    "The client fails the connection (closes TCP, or sends a close frame): a client MUST "
    "_Fail the WebSocket Connection_ on this response (RFC 6455 §4.1). It never echoes "
    "the text message sent after the response.";

/// One C.x case: `response` instead of a correct 101, then a text message the client must
/// never echo; an empty `expectation` is kMustFail.
CaseSpec served_case(std::string id, std::string desc, std::string expectation, Response response) {
    CaseSpec c;
    c.id = std::move(id);
    c.description = std::move(desc) + " Then send a text message.";
    c.expectation = expectation.empty() ? kMustFail : std::move(expectation);
    c.on_open = [](CaseContext& ctx) {
        ctx.send_frame(1, "Hello, world!");
        ctx.kill_after(1);
    };
    c.expected[Behavior::ok] = {};
    c.expected_close = ExpectedClose{false, {1002, 1010}, false, true};
    c.serve_response = std::move(response);
    return c;
}

/// C.2.3's answer: a subprotocol that is none of `offered` (the first offer with a suffix,
/// so a client that compares prefixes is caught too), or wsbench.never-offered.
std::string unoffered_subprotocol(const std::vector<std::string>& offered) {
    std::string p = offered.empty() ? "wsbench.never-offered" : offered.front() + ".not-offered";
    while (std::find(offered.begin(), offered.end(), p) != offered.end()) p += "x";
    return p;
}

/// True when one of the offered extension elements is permessage-deflate with a
/// client_max_window_bits parameter (extension names compare case-insensitively).
bool offered_client_max_window_bits(const std::vector<std::string>& offered) {
    for (const std::string& e : offered) {
        std::string lower = e;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (lower.rfind("permessage-deflate", 0) == 0 &&
            lower.find("client_max_window_bits") != std::string::npos) {
            return true;
        }
    }
    return false;
}

/// C.1.x: the response is not a valid 101 (§4.1).
void add_section_c1(std::vector<CaseSpec>& out) {
    // §4.1: "If the status code received from the server is not 101, the client handles the
    // response per HTTP procedures"; the WebSocket connection is never established.
    const std::string not_open =
        "The client does not take the connection as open: it closes TCP (or fails it with a "
        "close frame) and never echoes the text message sent after the response. \"If the "
        "status code received from the server is not 101, the client handles the response "
        "per HTTP procedures\" (RFC 6455 §4.1); only a validated 101 establishes the "
        "WebSocket connection.";
    out.push_back(served_case(
        "C.1.1", "Answer with a wrong Sec-WebSocket-Accept (the accept of another key).", "",
        [](const ServerHandshakeInfo&) {
            return build_server_response(compute_accept_key("dGhlIHNhbXBsZSBub25jZQ=="));
        }));
    out.push_back(served_case(
        "C.1.2", "Answer 101 without Sec-WebSocket-Accept.", "", [](const ServerHandshakeInfo&) {
            return std::string(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                "Upgrade\r\n\r\n");
        }));
    out.push_back(served_case(
        "C.1.3", "Answer 101 without an Upgrade header.", "", [](const ServerHandshakeInfo& r) {
            return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " +
                   r.accept_key + "\r\n\r\n";
        }));
    out.push_back(served_case(
        "C.1.4", "Answer 101 without a Connection header.", "", [](const ServerHandshakeInfo& r) {
            return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Accept: " +
                   r.accept_key + "\r\n\r\n";
        }));
    out.push_back(served_case(
        "C.1.5",
        "Answer 200 OK with Upgrade, Connection and the right Sec-WebSocket-Accept, and "
        "Content-Length: 0.",
        not_open, [](const ServerHandshakeInfo& r) {
            return "HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " +
                   r.accept_key + "\r\nContent-Length: 0\r\n\r\n";
        }));
    out.push_back(served_case("C.1.6", "Answer 403 Forbidden with a 10-octet body.", not_open,
                              [](const ServerHandshakeInfo&) {
                                  return build_reject_response(403, {}, {}, "forbidden\n");
                              }));
    out.push_back(
        served_case("C.1.7", "Answer 101 with Upgrade: h2c (and the right Sec-WebSocket-Accept).",
                    "", [](const ServerHandshakeInfo& r) {
                        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: "
                               "Upgrade\r\nSec-WebSocket-Accept: " +
                               r.accept_key + "\r\n\r\n";
                    }));
}

/// C.2.x: a subprotocol or an extension the client did not offer (§4.1).
void add_section_c2(std::vector<CaseSpec>& out) {
    out.push_back(served_case(
        "C.2.1", "Answer with a subprotocol the client did not offer (wsbench.never-offered).", "",
        [](const ServerHandshakeInfo& r) {
            return build_server_response(r.accept_key, "wsbench.never-offered");
        }));
    out.push_back(served_case(
        "C.2.2", "Answer with an extension the client did not offer (x-wsbench-never-offered).", "",
        [](const ServerHandshakeInfo& r) {
            return build_server_response(r.accept_key, {},
                                         {{"Sec-WebSocket-Extensions", "x-wsbench-never-offered"}});
        }));
    out.push_back(served_case(
        "C.2.3",
        "Answer with a subprotocol other than the ones the client offered: its first offer "
        "with '.not-offered' appended (a client that offered none gets "
        "'wsbench.never-offered', as in C.2.1).",
        "The client fails the connection (closes TCP, or sends a close frame) and never echoes "
        "the text message: \"If the response includes a |Sec-WebSocket-Protocol| header field "
        "and this header field indicates the use of a subprotocol that was not present in the "
        "client's handshake [...], the client MUST _Fail the WebSocket Connection_\" (RFC 6455 "
        "§4.1). Fair whatever the client offered: the answer is never one of its offers.",
        [](const ServerHandshakeInfo& r) {
            return build_server_response(r.accept_key, unoffered_subprotocol(r.subprotocols));
        }));
}

/// C.3.x: permessage-deflate accepted with a response RFC 7692 §7 forbids.
void add_section_c3(std::vector<CaseSpec>& out) {
    // RFC 7692 §7: a client MUST fail the connection when the server accepted permessage-deflate
    // with a response that has a parameter not defined for a response, a parameter with an
    // invalid value, or the same parameter twice. A client that did not offer
    // permessage-deflate MUST fail it too: an extension it did not offer (RFC 6455 §4.1).
    const std::string deflate_rule =
        " (RFC 7692 §7: \"A client MUST _Fail the WebSocket Connection_ if the peer server "
        "accepted an extension negotiation offer for this extension with an extension "
        "negotiation response meeting any of the following conditions\"). A client that did "
        "not offer permessage-deflate MUST fail the connection all the same: the server "
        "indicated an extension it did not request (RFC 6455 §4.1).";
    auto deflate_case = [&](std::string id, const std::string& value, std::string why) {
        out.push_back(served_case(
            std::move(id), "Answer with Sec-WebSocket-Extensions: " + value + ".",
            "The client fails the connection (closes TCP, or sends a close frame, 1002 or 1010) "
            "and never echoes the text message: " +
                why + deflate_rule,
            [value](const ServerHandshakeInfo& r) {
                return build_server_response(r.accept_key, {},
                                             {{"Sec-WebSocket-Extensions", value}});
            }));
    };
    deflate_case("C.3.1", "permessage-deflate; server_max_window_bits=7",
                 "server_max_window_bits=7 is an invalid value (8 to 15, RFC 7692 §7.1.2.1)");
    deflate_case("C.3.2", "permessage-deflate; x=1",
                 "x is an extension parameter not defined for use in a response");
    deflate_case("C.3.3",
                 "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                 "the response has two extension parameters with the same name");
    out.push_back(served_case(
        "C.3.4",
        "Answer with Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10 "
        "when the client's offer had no client_max_window_bits (when it had, "
        "client_max_window_bits=16, out of range).",
        "The client fails the connection (closes TCP, or sends a close frame, 1002 or 1010) and "
        "never echoes the text message: \"If a received extension negotiation offer doesn't "
        "have the client_max_window_bits extension parameter, the corresponding extension "
        "negotiation response to the offer MUST NOT include the client_max_window_bits "
        "extension parameter\" (RFC 7692 §7.1.2.2); 16 is an invalid value" +
            deflate_rule,
        [](const ServerHandshakeInfo& r) {
            const std::string value = offered_client_max_window_bits(r.extensions)
                                          ? "permessage-deflate; client_max_window_bits=16"
                                          : "permessage-deflate; client_max_window_bits=10";
            return build_server_response(r.accept_key, {}, {{"Sec-WebSocket-Extensions", value}});
        }));
}

bool matches_any(const std::vector<std::string>& globs, const std::string& id) {
    for (const std::string& g : globs) {
        if (glob_match(g, id)) return true;
    }
    return false;
}

}  // namespace

std::vector<CaseSpec> client_handshake_cases() {
    std::vector<CaseSpec> out;
    add_section_c1(out);
    add_section_c2(out);
    add_section_c3(out);
    return out;
}

std::vector<CaseSpec> serve_cases(const std::vector<const CaseSpec*>& selected,
                                  const std::vector<std::string>& includes,
                                  const std::vector<std::string>& excludes) {
    // Session swaps the masking of every frame in serve mode; the M.x texts say so.
    const std::vector<CaseSpec> masking = masking_cases(Role::server);
    std::vector<CaseSpec> out;
    for (const CaseSpec* c : selected) {
        if (c->handshake || !c->deflate_offers.empty()) continue;  // 12-13: server mode only
        auto served = std::find_if(masking.begin(), masking.end(),
                                   [c](const CaseSpec& m) { return m.id == c->id; });
        out.push_back(served != masking.end() ? *served : *c);
    }
    for (CaseSpec& c : client_handshake_cases()) {
        if (matches_any(includes, c.id) && !matches_any(excludes, c.id)) {
            out.push_back(std::move(c));
        }
    }
    return out;
}

}  // namespace wsb::conformance
