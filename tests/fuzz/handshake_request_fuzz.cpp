// libFuzzer target for the server side of the opening handshake: parse_http_request() whole
// and resumed chunk by chunk (they must agree), then check_client_request(); a request the
// server accepts must yield a 101 response that the client-side check accepts in turn.
#include <cstddef>
#include <cstdint>
#include <string>

#include "handshake_fuzz.hpp"
#include "wsbench/handshake.hpp"

namespace {

void check(const wsb::HttpRequest& req) {
    wsb::ServerHandshakeInfo info;
    const wsb::Errc e = wsb::check_client_request(req, info);
    if (e != wsb::Errc::ok) {
        const int status = wsb::reject_status_for(e);
        FUZZ_CHECK(status == 400 || status == 426 || status == 431);
        const std::string reject = wsb::build_reject_response(status);
        wsb::HttpResponse resp;
        std::size_t head_size = 0;
        FUZZ_CHECK(wsb::parse_http_response(reject, resp, head_size) == wsb::Errc::ok);
        FUZZ_CHECK(resp.status == status);
        return;
    }
    FUZZ_CHECK(info.accept_key == wsb::compute_accept_key(info.key));
    FUZZ_CHECK(info.key.size() == 24);
    FUZZ_CHECK(info.resource == req.target);

    // Round trip: the server answers with the first subprotocol offered; the client that
    // sent this key and these subprotocols must accept that answer.
    wsb::ClientRequest sent;
    sent.key = info.key;
    sent.subprotocols = info.subprotocols;
    const std::string chosen = info.subprotocols.empty() ? "" : info.subprotocols.front();
    const std::string response = wsb::build_server_response(info.accept_key, chosen);
    wsb::HttpResponse resp;
    std::size_t head_size = 0;
    FUZZ_CHECK(wsb::parse_http_response(response, resp, head_size) == wsb::Errc::ok);
    FUZZ_CHECK(head_size == response.size());
    std::string selected;
    FUZZ_CHECK(wsb::check_server_response(resp, sent, &selected) == wsb::Errc::ok);
    FUZZ_CHECK(selected == chosen);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using Parse = wsb::Errc (*)(std::string_view, wsb::HttpRequest&, std::size_t&, std::size_t);
    using Resume =
        wsb::Errc (*)(std::string_view, wsb::HttpRequest&, std::size_t&, wsb::HttpHeadScanner&);
    wsb::fuzz::fuzz_head<wsb::HttpRequest>(data, size, static_cast<Parse>(wsb::parse_http_request),
                                           static_cast<Resume>(wsb::parse_http_request), check);
    return 0;
}
