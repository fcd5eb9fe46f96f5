// The WebSocket opening handshake (RFC 6455 §4): the client request, Sec-WebSocket-Accept, and
// the checks each side applies to the other's head (the HTTP/1.1 head parsing is http.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "wsbench/error.hpp"
#include "wsbench/http.hpp"

namespace wsb {

// ---------------------------------------------------------------------------------------------
// Keys (RFC 6455 §4.1, §4.2.2)

/// Sec-WebSocket-Accept for `client_key` (§4.2.2 step 5.4): base64(SHA-1(key +
/// "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")). The key is used exactly as given (already
/// trimmed of OWS by the parser). Never fails.
std::string compute_accept_key(std::string_view client_key);

/// Sec-WebSocket-Key for a 16-byte nonce (§4.1: "a randomly selected 16-byte value that has
/// been base64-encoded"); always 24 characters.
std::string make_client_key(const std::array<std::uint8_t, 16>& nonce);

/// Sec-WebSocket-Key from 16 bytes drawn from `rng`, any UniformRandomBitGenerator
/// (std::mt19937_64 seeded per worker is plenty: the nonce protects against caching
/// intermediaries, not attackers). Deterministic for a given generator state.
template <class URBG>
std::string make_random_client_key(URBG& rng) {
    using R = typename URBG::result_type;
    std::array<std::uint8_t, 16> nonce{};
    if constexpr (URBG::min() == 0 && URBG::max() == std::numeric_limits<R>::max() &&
                  std::is_unsigned_v<R> && sizeof(R) >= 4) {
        // Full-range generator: take every byte of each draw.
        std::size_t i = 0;
        while (i < nonce.size()) {
            R v = rng();
            for (std::size_t b = 0; b < sizeof(R) && i < nonce.size(); ++b, v >>= 8) {
                nonce[i++] = static_cast<std::uint8_t>(v & 0xFF);
            }
        }
    } else {
        std::uniform_int_distribution<unsigned> byte(0, 255);
        for (auto& b : nonce) b = static_cast<std::uint8_t>(byte(rng));
    }
    return make_client_key(nonce);
}

// ---------------------------------------------------------------------------------------------
// Client side (RFC 6455 §4.1)

/// What a client sends in its opening handshake. The defaults give a conformant request;
/// the conformance runner bends it with `method`, `http_version`, `headers` and `omit`.
struct ClientRequest {
    std::string host;                       ///< name or address; IPv6 with or without brackets
    std::uint16_t port = 80;                ///< left out of Host when 80 (ws) / 443 (wss) or 0
    bool secure = false;                    ///< wss: changes only the default port
    std::string resource = "/";             ///< path?query as sent; empty means "/"
    std::string key;                        ///< Sec-WebSocket-Key, see make_client_key()
    std::vector<std::string> subprotocols;  ///< Sec-WebSocket-Protocol, omitted when empty
    std::vector<std::string> extensions;    ///< Sec-WebSocket-Extensions, omitted when empty
    std::string origin;                     ///< Origin, omitted when empty
    HeaderList headers;                     ///< extra fields; see build_client_request()
    std::vector<std::string> omit;          ///< default fields not to send, by name
    std::string method = "GET";             ///< anything else is a broken request
    std::string http_version = "HTTP/1.1";  ///< anything else is a broken request
};

/// Writes the request head (RFC 6455 §4.1, §4.2.1): request line, then Host, Upgrade:
/// websocket, Connection: Upgrade, Sec-WebSocket-Key, Sec-WebSocket-Version: 13,
/// Sec-WebSocket-Protocol, Sec-WebSocket-Extensions, Origin, then the extra headers, then the
/// empty line. Host carries the port only when it is not the scheme's default, and brackets
/// IPv6 addresses. Override rule: when an extra header has the name of a default field
/// (ASCII case-insensitively), the default is not written and every extra header of that
/// name is written in its place, in their order (so a field can be replaced, repeated or sent
/// empty); a default field named in `omit` and not overridden is not written at all. Never
/// fails: nothing is validated, so deliberately broken requests can be built.
std::string build_client_request(const ClientRequest& req);

/// Checks the server's response to `sent` (RFC 6455 §4.1, the client's "MUST _Fail the
/// WebSocket Connection_" list), in this order: status 101 (Errc::handshake_bad_status);
/// Upgrade exactly "websocket", case-insensitively (handshake_missing_upgrade); Connection
/// with an "Upgrade" token (handshake_missing_connection); a single Sec-WebSocket-Accept
/// equal to compute_accept_key(sent.key) (handshake_bad_accept); at most one
/// Sec-WebSocket-Protocol value, one the client offered, compared case-sensitively per
/// RFC 7936 (handshake_bad_subprotocol); every Sec-WebSocket-Extensions element's name one
/// the client offered, case-insensitively (handshake_bad_extension). On ok, writes the
/// selected subprotocol (empty when none) to `*selected_subprotocol` when it is not null.
Errc check_server_response(const HttpResponse& resp, const ClientRequest& sent,
                           std::string* selected_subprotocol = nullptr);

// ---------------------------------------------------------------------------------------------
// Server side (RFC 6455 §4.2)

/// What a server learns from a valid opening handshake.
struct ServerHandshakeInfo {
    std::string resource;                   ///< request-target
    std::string host;                       ///< Host value
    std::string key;                        ///< Sec-WebSocket-Key
    std::string accept_key;                 ///< compute_accept_key(key), ready to send
    std::vector<std::string> subprotocols;  ///< offered, in the client's order of preference
    std::vector<std::string> extensions;    ///< offered elements, with their parameters
    std::string origin;                     ///< Origin, empty when absent
};

/// Checks a client's opening handshake (RFC 6455 §4.2.1), in this order: method GET
/// (Errc::handshake_bad_method); HTTP/1.1 or later (handshake_bad_http_version); exactly one
/// Host field (http_malformed: RFC 7230 §5.4 makes a missing Host a bad request); Upgrade
/// with a "websocket" token (handshake_missing_upgrade); Connection with an "Upgrade" token
/// (handshake_missing_connection); Sec-WebSocket-Key present (handshake_missing_key), single
/// and the base64 of exactly 16 bytes (handshake_bad_key); Sec-WebSocket-Version exactly 13
/// (handshake_bad_version: answer build_reject_response(426, ...)). On ok fills `out`; on
/// failure `out` is unspecified.
Errc check_client_request(const HttpRequest& req, ServerHandshakeInfo& out);

/// The 101 Switching Protocols response (RFC 6455 §4.2.2 step 5): Upgrade, Connection,
/// Sec-WebSocket-Accept, Sec-WebSocket-Protocol when `subprotocol` is not empty, then
/// `extra` (e.g. an accepted Sec-WebSocket-Extensions), then the empty line.
std::string build_server_response(std::string_view accept_key, std::string_view subprotocol = {},
                                  const HeaderList& extra = {});

/// A response refusing the handshake (RFC 6455 §4.2.2 "fail the handshake"): status line
/// (`reason` empty picks the standard phrase), Sec-WebSocket-Version: 13 when status is 426
/// (§4.2.2 step 4), Connection: close, Content-Length of `body`, Content-Type: text/plain
/// when `body` is not empty, then `extra`, the empty line and `body`.
std::string build_reject_response(int status, std::string_view reason = {},
                                  const HeaderList& extra = {}, std::string_view body = {});

/// The status a server answers a failed handshake with: 426 for
/// Errc::handshake_bad_version, 431 for Errc::http_head_too_large, 400 otherwise.
int reject_status_for(Errc e) noexcept;

}  // namespace wsb
