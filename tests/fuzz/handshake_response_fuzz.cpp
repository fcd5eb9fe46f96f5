// libFuzzer target for the client side of the opening handshake: parse_http_response() whole
// and resumed chunk by chunk (they must agree), then check_server_response() against a client
// that offered subprotocols and permessage-deflate; an accepted response must carry what the
// checks promise.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "handshake_fuzz.hpp"
#include "wsbench/handshake.hpp"

namespace {

void check(const wsb::HttpResponse& resp) {
    wsb::ClientRequest sent;
    sent.host = "example.com";
    sent.key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3
    sent.subprotocols = {"chat", "superchat"};
    sent.extensions = {"permessage-deflate; client_max_window_bits"};
    std::string selected = "unchanged";
    const wsb::Errc e = wsb::check_server_response(resp, sent, &selected);
    if (e != wsb::Errc::ok) {
        FUZZ_CHECK(selected == "unchanged");
        return;
    }
    FUZZ_CHECK(resp.status == 101);
    const std::string* accept = resp.headers.find("Sec-WebSocket-Accept");
    FUZZ_CHECK(accept != nullptr && *accept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    FUZZ_CHECK(resp.headers.count("Sec-WebSocket-Accept") == 1);
    FUZZ_CHECK(selected.empty() || std::find(sent.subprotocols.begin(), sent.subprotocols.end(),
                                             selected) != sent.subprotocols.end());
    (void)resp.headers.list("Sec-WebSocket-Extensions");
    (void)resp.headers.combined("Sec-WebSocket-Protocol");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using Parse = wsb::Errc (*)(std::string_view, wsb::HttpResponse&, std::size_t&, std::size_t);
    using Resume =
        wsb::Errc (*)(std::string_view, wsb::HttpResponse&, std::size_t&, wsb::HttpHeadScanner&);
    wsb::fuzz::fuzz_head<wsb::HttpResponse>(data, size,
                                            static_cast<Parse>(wsb::parse_http_response),
                                            static_cast<Resume>(wsb::parse_http_response), check);
    return 0;
}
