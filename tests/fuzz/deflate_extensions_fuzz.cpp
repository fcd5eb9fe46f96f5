// libFuzzer target for the permessage-deflate extension header (RFC 7692 §7.1): arbitrary
// Sec-WebSocket-Extensions values through the server's and the client's parsers. Invariants:
// an offer the server answers is one the client accepts, with the same parameters, and a
// formatted offer parses back to itself.
//
// Input: the header value, as bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/deflate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string header(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> elements = wsb::split_extensions(header);
    std::vector<wsb::DeflateOffer> offers;
    for (const std::string& element : elements) {
        FUZZ_CHECK(!element.empty());
        wsb::DeflateOffer offer;
        if (!wsb::parse_deflate_offer(element, offer)) continue;
        offers.push_back(offer);
        wsb::DeflateOffer back;
        FUZZ_CHECK(wsb::parse_deflate_offer(wsb::format_deflate_offer(offer), back));
        FUZZ_CHECK(back.server_no_context_takeover == offer.server_no_context_takeover);
        FUZZ_CHECK(back.client_no_context_takeover == offer.client_no_context_takeover);
        FUZZ_CHECK(back.server_max_window_bits == offer.server_max_window_bits);
        FUZZ_CHECK(back.client_max_window_bits == offer.client_max_window_bits);

        wsb::DeflateParams server;
        std::string response;
        if (!wsb::negotiate_deflate(element, server, response)) continue;
        wsb::DeflateParams client;
        std::string error;
        const bool accepted = wsb::accept_deflate_response(response, {offer}, client, error);
        // The one answer a client may refuse: a client window of 8 bits (zlib cannot).
        FUZZ_CHECK(accepted || offer.client_max_window_bits == 8);
        if (!accepted) continue;
        FUZZ_CHECK(client.server_max_window_bits == server.server_max_window_bits);
        FUZZ_CHECK(client.client_max_window_bits == server.client_max_window_bits);
        FUZZ_CHECK(client.server_no_context_takeover == server.server_no_context_takeover);
        FUZZ_CHECK(client.client_no_context_takeover == server.client_no_context_takeover);
    }
    // The whole value as a server's answer to whatever was offered, or to a plain offer.
    if (offers.empty()) offers.emplace_back();
    wsb::DeflateParams p;
    std::string error;
    if (wsb::accept_deflate_response(header, offers, p, error)) {
        FUZZ_CHECK(error.empty());
        FUZZ_CHECK(p.server_max_window_bits >= 8 && p.server_max_window_bits <= 15);
        FUZZ_CHECK(p.client_max_window_bits >= 9 && p.client_max_window_bits <= 15);
    } else {
        FUZZ_CHECK(!error.empty());
    }
    return 0;
}
