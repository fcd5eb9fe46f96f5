// Parsing and printing of ws:// and wss:// URLs (RFC 6455 §3, RFC 3986 §3).
#include "wsbench/url.hpp"

#include <algorithm>

namespace wsb {
namespace {

constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_printable(char c) noexcept { return c > ' ' && c < 0x7F; }
constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// reg-name characters we accept (RFC 3986 §3.2.2 unreserved, without percent-encoding).
constexpr bool is_host_char(char c) noexcept {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Every '%' starts a two-hex-digit escape (RFC 3986 §2.1).
bool valid_percent_escapes(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') continue;
        if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
        i += 2;
    }
    return true;
}

Errc parse_port(std::string_view digits, std::uint16_t& port) noexcept {
    if (digits.empty() || digits.size() > 5) return Errc::url_bad_port;
    std::uint32_t v = 0;
    for (const char c : digits) {
        if (!is_digit(c)) return Errc::url_bad_port;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v == 0 || v > 65535) return Errc::url_bad_port;
    port = static_cast<std::uint16_t>(v);
    return Errc::ok;
}

}  // namespace

std::string Url::resource() const {
    std::string out = path.empty() ? std::string("/") : path;
    if (!query.empty()) out.append("?").append(query);
    return out;
}

std::string Url::authority() const {
    std::string out;
    if (host_is_ipv6) out.push_back('[');
    out.append(host);
    if (host_is_ipv6) out.push_back(']');
    if (port != default_port(secure)) out.append(":").append(std::to_string(port));
    return out;
}

std::string Url::str() const { return scheme + "://" + authority() + resource(); }

Errc parse_url(std::string_view text, Url& out) {
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) return Errc::url_malformed;

    // Scheme first, so "http://..." says what is wrong with it whatever follows.
    std::string scheme(text.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), ascii_lower);
    if (scheme != "ws" && scheme != "wss") return Errc::url_bad_scheme;

    if (!std::all_of(text.begin(), text.end(), is_printable)) return Errc::url_malformed;
    if (text.find('#') != std::string_view::npos) return Errc::url_malformed;  // §3

    const std::string_view rest = text.substr(sep + 3);
    const auto auth_end = std::min(rest.find('/'), rest.find('?'));
    const std::string_view authority = rest.substr(0, auth_end);
    const std::string_view tail =
        auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
    if (authority.find('@') != std::string_view::npos) return Errc::url_malformed;  // userinfo

    Url url;
    url.scheme = std::move(scheme);
    url.secure = url.scheme == "wss";
    url.port = default_port(url.secure);

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return Errc::url_bad_host;
        host = authority.substr(1, close - 1);
        const bool ipv6_ok = !host.empty() && host.find(':') != std::string_view::npos &&
                             std::all_of(host.begin(), host.end(),
                                         [](char c) { return is_hex(c) || c == ':' || c == '.'; });
        if (!ipv6_ok) return Errc::url_bad_host;
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return Errc::url_malformed;
            has_port = true;
            port_text = after.substr(1);
        }
        url.host_is_ipv6 = true;
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.find(':') != std::string_view::npos) return Errc::url_bad_host;
            has_port = true;
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
            return Errc::url_bad_host;
        }
    }
    if (has_port) {
        if (const Errc e = parse_port(port_text, url.port); e != Errc::ok) return e;
    }
    url.host.assign(host);

    const auto q = tail.find('?');
    const std::string_view path = tail.substr(0, q);
    const std::string_view query =
        q == std::string_view::npos ? std::string_view{} : tail.substr(q + 1);
    if (!valid_percent_escapes(path) || !valid_percent_escapes(query)) return Errc::url_malformed;
    url.path.assign(path.empty() ? std::string_view("/") : path);
    url.query.assign(query);

    out = std::move(url);
    return Errc::ok;
}

}  // namespace wsb
