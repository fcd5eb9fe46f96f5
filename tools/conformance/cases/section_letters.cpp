// Letter sections beyond Autobahn: H (the opening handshake, RFC 6455 §4.1-4.2) and M
// (the server's duty to fail unmasked client frames, §5.1). Judged by the RFC's words: a
// MUST broken is FAILED; a bad request refused with the suggested status is OK; another 4xx,
// or a SHOULD not followed, is NON-STRICT.
#include <algorithm>
#include <cctype>
#include <string>

#include "conformance/cases/common.hpp"
#include "conformance/judge.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::conformance {

using namespace cases;

namespace {

struct Field {
    std::string name;
    std::string value;
};

// A request head: `GET resource HTTP/1.1`, Host, then `fields` (in place of the defaults
// named there; a field with an empty value is left out).
std::string request_text(const std::string& method, const std::string& version,
                         const std::string& authority, const std::string& resource,
                         const std::string& key, const std::vector<Field>& changes) {
    std::vector<Field> fields = {{"Host", authority},
                                 {"Upgrade", "websocket"},
                                 {"Connection", "Upgrade"},
                                 {"Sec-WebSocket-Key", key},
                                 {"Sec-WebSocket-Version", "13"}};
    for (const Field& c : changes) {
        bool replaced = false;
        for (Field& f : fields) {
            if (f.name == c.name) {
                f.value = c.value;
                replaced = true;
            }
        }
        if (!replaced) fields.push_back(c);
    }
    std::string s = method + " " + resource + " " + version + "\r\n";
    for (const Field& f : fields) {
        if (!f.value.empty()) s += f.name + ": " + f.value + "\r\n";
    }
    return s + "\r\n";
}

const std::string* header(const Observation& obs, const std::string& name) {
    for (const auto& [n, v] : obs.response_headers) {
        if (n.size() != name.size()) continue;
        bool eq = true;
        for (std::size_t i = 0; i < n.size() && eq; ++i) {
            eq = std::tolower(static_cast<unsigned char>(n[i])) ==
                 std::tolower(static_cast<unsigned char>(name[i]));
        }
        if (eq) return &v;
    }
    return nullptr;
}

std::string status_text(const Observation& obs) {
    if (obs.http_status == 0) {
        return "no HTTP response came (" +
               (obs.handshake_error.empty() ? std::string("none") : obs.handshake_error) + ")";
    }
    return "the server answered " + std::to_string(obs.http_status);
}

// A request the server must refuse (§4.2.1: "MUST stop processing the client's handshake and
// return an HTTP response with an appropriate error code (such as 400 Bad Request)").
CaseSpec refuse_case(std::string id, std::string description, std::string method,
                     std::string version, std::vector<Field> changes,
                     std::vector<int> suggested = {400}, bool version_header = false,
                     bool plain_http_ok = false) {
    CaseSpec c;
    c.id = std::move(id);
    c.description = std::move(description);
    std::string sug;
    for (int s : suggested) sug += (sug.empty() ? "" : " or ") + std::to_string(s);
    c.expectation = "The server refuses the handshake with " + sug +
                    (version_header ? " and a Sec-WebSocket-Version header" : "") +
                    (plain_http_ok ? ", or answers it as a plain HTTP request (2xx/3xx)" : "") +
                    " (another 4xx: NON-STRICT); accepting it (101) or answering with another "
                    "status is FAILED.";
    c.expected[Behavior::ok] = {};
    c.expected_close = ExpectedClose{true, {1000}, false, false};
    // Accepted after all (FAILED): close the WebSocket again.
    c.on_open = [](CaseContext& ctx) { ctx.send_close(1000); };
    HandshakeProbe p;
    p.request = [method, version, changes](const std::string& authority,
                                           const std::string& resource, const std::string& key) {
        return request_text(method, version, authority, resource, key, changes);
    };
    p.judge = [suggested, version_header, plain_http_ok](const Observation& obs, Behavior& b,
                                                         std::string& why) {
        const int st = obs.http_status;
        const bool suggested_status =
            std::find(suggested.begin(), suggested.end(), st) != suggested.end();
        if (st == 101) {
            b = Behavior::failed;
            why = "The server accepted a handshake it MUST refuse (101).";
            return false;
        }
        if (plain_http_ok && st >= 200 && st < 400) {
            // Without Upgrade/Connection the request is no WebSocket handshake at all; a server
            // that also serves HTTP may answer it as one.
            b = Behavior::ok;
            why = "Answered " + std::to_string(st) + " as a plain HTTP request, without upgrading.";
            return false;
        }
        if (!suggested_status && (st < 400 || st > 499)) {
            b = Behavior::failed;
            why = "The server MUST refuse the handshake with an HTTP error status; " +
                  status_text(obs) + ".";
            return false;
        }
        const bool has_version = header(obs, "Sec-WebSocket-Version") != nullptr;
        if (version_header && !has_version) {
            b = Behavior::failed;
            why = "Refused with " + std::to_string(st) +
                  " but without the Sec-WebSocket-Version header the server MUST send with it, "
                  "naming the versions it understands (§4.2.2 step 4).";
            return false;
        }
        if (!suggested_status) {
            b = Behavior::non_strict;
            why = "Refused with " + std::to_string(st) + " rather than the suggested status.";
            return false;
        }
        b = Behavior::ok;
        why = "Refused with " + std::to_string(st) + ".";
        return false;
    };
    c.handshake = std::move(p);
    return c;
}

// A request the server must accept; the connection then echoes one message and closes.
CaseSpec accept_case(std::string id, std::string description, std::vector<Field> changes,
                     std::size_t chop, std::vector<std::string> offered) {
    CaseSpec c = make_case(
        std::move(id), std::move(description),
        "The server accepts the handshake (101 with the right Sec-WebSocket-Accept" +
            std::string(offered.empty() ? ", and no Sec-WebSocket-Protocol since none was offered"
                                        : ", selecting no subprotocol or an offered one") +
            "), echoes a message and closes cleanly.",
        [](CaseContext& ctx) {
            ctx.send_message(false, "Hello, handshake!");
            ctx.kill_after(1);
        },
        {Event::text("Hello, handshake!")}, runner_closes());
    HandshakeProbe p;
    p.chop = chop;
    p.request = [changes](const std::string& authority, const std::string& resource,
                          const std::string& key) {
        return request_text("GET", "HTTP/1.1", authority, resource, key, changes);
    };
    p.judge = [offered](const Observation& obs, Behavior& b, std::string& why) {
        if (obs.http_status != 101) {
            b = Behavior::failed;
            why = "The server MUST accept this valid handshake; " + status_text(obs) + ".";
            return false;
        }
        const std::string marker = "Sec-WebSocket-Key: ";
        const auto at = obs.http_request.find(marker);
        const std::string key =
            at == std::string::npos
                ? std::string()
                : obs.http_request.substr(at + marker.size(),
                                          obs.http_request.find('\r', at) - at - marker.size());
        const std::string* accept = header(obs, "Sec-WebSocket-Accept");
        if (!accept || *accept != compute_accept_key(key)) {
            b = Behavior::failed;
            why = "Sec-WebSocket-Accept is missing or wrong (§4.2.2 step 5.4).";
            return true;
        }
        if (const std::string* proto = header(obs, "Sec-WebSocket-Protocol")) {
            if (std::find(offered.begin(), offered.end(), *proto) == offered.end()) {
                b = Behavior::failed;
                why = "The server selected the subprotocol '" + *proto +
                      "', which the client did not offer (§4.2.2 step 5.5: MUST be one of the "
                      "offered values).";
                return true;
            }
        }
        b = Behavior::ok;
        why = "Accepted.";
        return true;
    };
    c.handshake = std::move(p);
    return c;
}

}  // namespace

void add_section_handshake(std::vector<CaseSpec>& out) {
    const std::string get = "GET", v11 = "HTTP/1.1";
    out.push_back(refuse_case("H.1.1", "Opening handshake without Sec-WebSocket-Key.", get, v11,
                              {{"Sec-WebSocket-Key", ""}}));
    out.push_back(refuse_case("H.1.2",
                              "Opening handshake with a Sec-WebSocket-Key that is not base64 "
                              "('not a valid key!').",
                              get, v11, {{"Sec-WebSocket-Key", "not a valid key!"}}));
    out.push_back(refuse_case("H.1.3",
                              "Opening handshake with a Sec-WebSocket-Key of 10 bytes instead of "
                              "16 ('dGhlIHNhbXBsZQ==').",
                              get, v11, {{"Sec-WebSocket-Key", "dGhlIHNhbXBsZQ=="}}));
    out.push_back(refuse_case("H.2.1", "Opening handshake without Sec-WebSocket-Version.", get, v11,
                              {{"Sec-WebSocket-Version", ""}}, {426, 400}, false));
    out.push_back(refuse_case("H.2.2",
                              "Opening handshake with Sec-WebSocket-Version: 14 (no such version).",
                              get, v11, {{"Sec-WebSocket-Version", "14"}}, {426}, true));
    out.push_back(refuse_case("H.2.3",
                              "Opening handshake with Sec-WebSocket-Version: 99 (no such version).",
                              get, v11, {{"Sec-WebSocket-Version", "99"}}, {426}, true));
    out.push_back(refuse_case("H.3.1", "Opening handshake with the method POST instead of GET.",
                              "POST", v11, {{"Content-Length", "0"}}, {400, 405}));
    out.push_back(
        refuse_case("H.3.2", "Opening handshake over HTTP/1.0.", get, "HTTP/1.0", {}, {400, 505}));
    out.push_back(refuse_case("H.4.1", "Opening handshake without the Upgrade header.", get, v11,
                              {{"Upgrade", ""}}, {400, 426}, false, true));
    out.push_back(refuse_case("H.4.2", "Opening handshake with Upgrade: h2c.", get, v11,
                              {{"Upgrade", "h2c"}}, {400, 426}, false, true));
    out.push_back(refuse_case("H.4.3", "Opening handshake without the Connection header.", get, v11,
                              {{"Connection", ""}}, {400, 426}, false, true));
    out.push_back(refuse_case("H.4.4",
                              "Opening handshake with Connection: keep-alive (no Upgrade token).",
                              get, v11, {{"Connection", "keep-alive"}}, {400, 426}, false, true));
    out.push_back(accept_case("H.5.1",
                              "Opening handshake with 'Upgrade: WebSocket' and 'Connection: "
                              "keep-alive, upgrade' (tokens are case-insensitive, §4.2.1).",
                              {{"Upgrade", "WebSocket"}, {"Connection", "keep-alive, upgrade"}}, 0,
                              {}));
    out.push_back(accept_case("H.6.1",
                              "Opening handshake offering the subprotocol "
                              "'wsbench.never-heard-of' only.",
                              {{"Sec-WebSocket-Protocol", "wsbench.never-heard-of"}}, 0,
                              {"wsbench.never-heard-of"}));
    out.push_back(accept_case("H.6.2", "Opening handshake offering no subprotocol.", {}, 0, {}));
    out.push_back(
        accept_case("H.7.1", "Opening handshake request written one octet per write.", {}, 1, {}));
    out.push_back(
        accept_case("H.7.2", "Opening handshake request written in chops of 7 octets.", {}, 7, {}));
}

namespace {

/// The words of the M.x texts that depend on the role wsbench plays. As the client (testing a
/// server) the offending frames are unmasked; as the server (serve mode, testing a client)
/// Session swaps the masking of every frame, so they are masked (§5.1).
struct MaskingWords {
    std::string a_wrong;    ///< an offending frame, with its article
    std::string wrong;      ///< the same, without
    std::string a_right;    ///< a well-formed frame, with its article
    std::string peer_must;  ///< the §5.1 duty of the endpoint under test
};

MaskingWords masking_words(Role ours) {
    if (ours == Role::client) {
        return {"an unmasked", "unmasked", "a masked",
                "a server MUST close the connection upon receiving a frame that is not masked"};
    }
    return {"a masked", "masked", "an unmasked",
            "a client MUST close a connection if it detects a masked frame"};
}

}  // namespace

std::vector<CaseSpec> masking_cases(Role ours) {
    const MaskingWords w = masking_words(ours);
    SendOptions unmasked;
    unmasked.masked = false;
    const std::string fail_exp =
        "The connection is failed (1002/Protocol Error or TCP dropped): " + w.peer_must +
        " (§5.1).";
    std::vector<CaseSpec> out;
    out.push_back(make_case(
        "M.1.1", "Send " + w.a_wrong + " text message.", fail_exp,
        [unmasked](CaseContext& c) {
            c.send_frame(kText, "Hello, world!", unmasked);
            c.kill_after(1);
        },
        {}, server_fails()));
    out.push_back(make_case(
        "M.1.2", "Send " + w.a_wrong + " ping.", fail_exp + " No pong.",
        [unmasked](CaseContext& c) {
            c.send_frame(kPing, "Hello, world!", unmasked);
            c.kill_after(1);
        },
        {}, server_fails()));
    {
        CaseSpec c = make_case(
            "M.1.3",
            "Send " + w.a_right + " text message, then the same text " + w.wrong + ", then a ping.",
            "Echo of the first message, then the connection is failed; no pong.",
            [unmasked](CaseContext& ctx) {
                ctx.send_frame(kText, "Hello, world!");
                ctx.send_frame(kText, "Hello, world!", unmasked);
                ctx.send_frame(kPing, "");
                ctx.kill_after(1);
            },
            {Event::text("Hello, world!")}, server_fails());
        c.expected[Behavior::non_strict] = {};
        out.push_back(std::move(c));
    }
    out.push_back(make_case(
        "M.1.4", "Send " + w.a_wrong + " binary message of 200 octets, in 1-octet chops.", fail_exp,
        [unmasked](CaseContext& c) {
            SendOptions o = unmasked;
            o.chop = 1;
            c.send_frame(kBinary, std::string(200, '\x5A'), o);
            c.kill_after(1);
        },
        {}, server_fails()));
    return out;
}

void add_section_masking(std::vector<CaseSpec>& out) {
    for (CaseSpec& c : masking_cases(Role::client)) out.push_back(std::move(c));
}

}  // namespace wsb::conformance
