// WebSocket URLs (RFC 6455 §3): parsing ws:// and wss:// targets given on the command line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wsbench/error.hpp"

namespace wsb {

/// A parsed ws:// or wss:// URL (RFC 6455 §3).
struct Url {
    std::string scheme;         ///< "ws" or "wss", lower case
    bool secure = false;        ///< true for wss
    std::string host;           ///< without brackets for IPv6; case as given
    std::uint16_t port = 0;     ///< explicit port, else 80 (ws) or 443 (wss)
    std::string path = "/";     ///< "/" when the URL has none; percent-encoding kept
    std::string query;          ///< without the '?'; empty when absent (or just "?")
    bool host_is_ipv6 = false;  ///< host was a bracketed IPv6 literal

    /// The resource name of RFC 6455 §3: path, then "?" and the query when it is not empty.
    /// This is the request-target of the opening handshake.
    std::string resource() const;
    /// host (bracketed when IPv6), then ":port" when not the scheme's default; the value of
    /// the Host header (RFC 6455 §4.1 point 4).
    std::string authority() const;
    /// scheme "://" authority() resource(): a normalised form that parse_url() reads back to
    /// an equal Url.
    std::string str() const;
};

/// Default port of a scheme: 443 when `secure`, else 80 (RFC 6455 §3).
constexpr std::uint16_t default_port(bool secure) noexcept { return secure ? 443 : 80; }

/// Parses `text` as `scheme://host[:port][/path][?query]` (RFC 6455 §3, RFC 3986 §3). The
/// scheme is ws or wss, ASCII case-insensitively; the host is a registered name (letters,
/// digits, '-', '.', '_', '~') or a bracketed IPv6 literal (hex digits, ':' and '.'; zone
/// identifiers are not supported). Only printable ASCII is accepted: spaces, control
/// characters and non-ASCII bytes (unencoded IDNs included) must be percent-encoded.
/// Returns Errc::ok and fills `out`, or one of these, leaving `out` unchanged:
/// - Errc::url_bad_scheme: a scheme other than ws/wss ("http://...", "://x");
/// - Errc::url_malformed: no "://", a fragment ('#' anywhere, which RFC 6455 §3 forbids),
///   userinfo ("user@host"), a character outside printable ASCII, a bad percent-escape,
///   or junk after an IPv6 literal;
/// - Errc::url_bad_host: an empty host, an unterminated or invalid IPv6 literal, a name with
///   characters outside the set above, or an unbracketed host with more than one ':';
/// - Errc::url_bad_port: a port that is empty, not all digits, 0 or above 65535.
Errc parse_url(std::string_view text, Url& out);

}  // namespace wsb
