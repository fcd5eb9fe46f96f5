// The WebSocket opening handshake (RFC 6455 §4): keys, the client request and the checks each
// side applies to the other's head.
#include "wsbench/handshake.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "wsbench/base64.hpp"

namespace wsb {
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// The extension name of a Sec-WebSocket-Extensions element (RFC 6455 §9.1).
std::string_view extension_name(std::string_view element) noexcept {
    return trim_ows(element.substr(0, element.find(';')));
}

void append_joined(std::string& out, const std::vector<std::string>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) out.append(", ");
        out.append(items[i]);
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Keys

std::string compute_accept_key(std::string_view client_key) {
    // Keys are 24 characters, so the concatenation fits on the stack; longer ones (only from
    // a broken peer) take the heap.
    unsigned char digest[SHA_DIGEST_LENGTH];
    char stack[128];
    const std::size_t n = client_key.size() + kWebSocketGuid.size();
    std::string heap;
    char* buf = stack;
    if (n > sizeof(stack)) {
        heap.resize(n);
        buf = heap.data();
    }
    std::memcpy(buf, client_key.data(), client_key.size());
    std::memcpy(buf + client_key.size(), kWebSocketGuid.data(), kWebSocketGuid.size());
    SHA1(reinterpret_cast<const unsigned char*>(buf), n, digest);
    return base64_encode(digest, sizeof(digest));
}

std::string make_client_key(const std::array<std::uint8_t, 16>& nonce) {
    return base64_encode(nonce.data(), nonce.size());
}

// ---------------------------------------------------------------------------------------------
// Client side

namespace {

// Default fields in the order they are written (RFC 6455 §4.1 lists them in this order).
constexpr std::string_view kDefaultFields[] = {
    "Host",
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
    "Origin",
};

bool is_default_field(std::string_view name) {
    return std::any_of(std::begin(kDefaultFields), std::end(kDefaultFields),
                       [&](std::string_view d) { return iequals_ascii(d, name); });
}

// "Host: name[:port]": IPv6 literals bracketed, the port only when not the scheme's default.
void append_host(std::string& out, const ClientRequest& req) {
    out.append("Host: ");
    const bool ipv6 =
        req.host.find(':') != std::string::npos && (req.host.empty() || req.host.front() != '[');
    if (ipv6) out.push_back('[');
    out.append(req.host);
    if (ipv6) out.push_back(']');
    const std::uint16_t default_port = req.secure ? 443 : 80;
    if (req.port != 0 && req.port != default_port) {
        out.push_back(':');
        out.append(std::to_string(req.port));
    }
    out.append("\r\n");
}

void append_list_field(std::string& out, std::string_view name,
                       const std::vector<std::string>& items) {
    if (items.empty()) return;
    out.append(name).append(": ");
    append_joined(out, items);
    out.append("\r\n");
}

// The default field `name` with the value `req` gives it (nothing for an empty list or origin).
void append_default_field(std::string& out, std::string_view name, const ClientRequest& req) {
    if (name == "Host") {
        append_host(out, req);
    } else if (name == "Upgrade") {
        append_http_field(out, name, "websocket");
    } else if (name == "Connection") {
        append_http_field(out, name, "Upgrade");
    } else if (name == "Sec-WebSocket-Key") {
        append_http_field(out, name, req.key);
    } else if (name == "Sec-WebSocket-Version") {
        append_http_field(out, name, "13");
    } else if (name == "Sec-WebSocket-Protocol") {
        append_list_field(out, name, req.subprotocols);
    } else if (name == "Sec-WebSocket-Extensions") {
        append_list_field(out, name, req.extensions);
    } else if (name == "Origin") {
        if (!req.origin.empty()) append_http_field(out, name, req.origin);
    }
}

}  // namespace

std::string build_client_request(const ClientRequest& req) {
    std::string out;
    std::size_t extra_size = 0;
    for (const auto& [name, value] : req.headers) extra_size += name.size() + value.size() + 4;
    out.reserve(160 + req.host.size() + req.resource.size() + req.key.size() + req.origin.size() +
                extra_size);

    out.append(req.method).append(" ");
    out.append(req.resource.empty() ? std::string_view("/") : std::string_view(req.resource));
    out.append(" ").append(req.http_version).append("\r\n");

    for (const std::string_view name : kDefaultFields) {
        bool overridden = false;
        for (const auto& [extra_name, extra_value] : req.headers) {
            if (!iequals_ascii(extra_name, name)) continue;
            append_http_field(out, extra_name, extra_value);
            overridden = true;
        }
        const bool omitted =
            std::any_of(req.omit.begin(), req.omit.end(),
                        [&](const std::string& o) { return iequals_ascii(o, name); });
        if (!overridden && !omitted) append_default_field(out, name, req);
    }
    for (const auto& [name, value] : req.headers) {
        if (!is_default_field(name)) append_http_field(out, name, value);
    }
    out.append("\r\n");
    return out;
}

Errc check_server_response(const HttpResponse& resp, const ClientRequest& sent,
                           std::string* selected_subprotocol) {
    const auto& h = resp.headers;
    if (resp.status != 101) return Errc::handshake_bad_status;

    const std::string* upgrade = h.find("Upgrade");
    if (upgrade == nullptr || h.count("Upgrade") != 1 || !iequals_ascii(*upgrade, "websocket")) {
        return Errc::handshake_missing_upgrade;
    }
    if (!h.has_token("Connection", "Upgrade")) return Errc::handshake_missing_connection;

    const std::string* accept = h.find("Sec-WebSocket-Accept");
    if (accept == nullptr || h.count("Sec-WebSocket-Accept") != 1 ||
        *accept != compute_accept_key(sent.key)) {
        return Errc::handshake_bad_accept;
    }

    std::string_view chosen;
    if (h.find("Sec-WebSocket-Protocol") != nullptr) {
        std::size_t n = 0;
        for (const auto& f : h.fields()) {
            if (!iequals_ascii(f.name, "Sec-WebSocket-Protocol")) continue;
            for_each_list_element(f.value, [&](std::string_view e) {
                chosen = e;
                return ++n > 1;
            });
        }
        // Exactly one value, and one the client offered (case-sensitive, RFC 7936 §3).
        if (n != 1 || std::find(sent.subprotocols.begin(), sent.subprotocols.end(), chosen) ==
                          sent.subprotocols.end()) {
            return Errc::handshake_bad_subprotocol;
        }
    }

    for (const auto& f : h.fields()) {
        if (!iequals_ascii(f.name, "Sec-WebSocket-Extensions")) continue;
        const bool unknown = for_each_list_element(f.value, [&](std::string_view e) {
            const auto name = extension_name(e);
            const bool offered = std::any_of(
                sent.extensions.begin(), sent.extensions.end(), [&](const std::string& offer) {
                    // An offer may itself be a list ("a, b; p=1").
                    return for_each_list_element(offer, [&](std::string_view o) {
                        return iequals_ascii(extension_name(o), name);
                    });
                });
            return !offered;
        });
        if (unknown) return Errc::handshake_bad_extension;
    }

    if (selected_subprotocol != nullptr) selected_subprotocol->assign(chosen);
    return Errc::ok;
}

// ---------------------------------------------------------------------------------------------
// Server side

Errc check_client_request(const HttpRequest& req, ServerHandshakeInfo& out) {
    const auto& h = req.headers;
    if (req.method != "GET") return Errc::handshake_bad_method;  // methods are case-sensitive
    const auto& v = req.version;
    if (!is_http_version(v) || v[5] < '1' || (v[5] == '1' && v[7] < '1')) {
        return Errc::handshake_bad_http_version;
    }
    const std::string* host = h.find("Host");
    if (host == nullptr || h.count("Host") != 1) return Errc::http_malformed;
    if (!h.has_token("Upgrade", "websocket")) return Errc::handshake_missing_upgrade;
    if (!h.has_token("Connection", "Upgrade")) return Errc::handshake_missing_connection;

    const std::string* key = h.find("Sec-WebSocket-Key");
    if (key == nullptr) return Errc::handshake_missing_key;
    if (h.count("Sec-WebSocket-Key") != 1) return Errc::handshake_bad_key;
    const auto decoded = base64_decode(*key);
    if (!decoded || decoded->size() != 16) return Errc::handshake_bad_key;

    const std::string* version = h.find("Sec-WebSocket-Version");
    if (version == nullptr || h.count("Sec-WebSocket-Version") != 1 || *version != "13") {
        return Errc::handshake_bad_version;
    }

    out.resource = req.target;
    out.host = *host;
    out.key = *key;
    out.accept_key = compute_accept_key(*key);
    out.subprotocols = h.list("Sec-WebSocket-Protocol");
    out.extensions = h.list("Sec-WebSocket-Extensions");
    const std::string* origin = h.find("Origin");
    out.origin = origin != nullptr ? *origin : std::string();
    return Errc::ok;
}

std::string build_server_response(std::string_view accept_key, std::string_view subprotocol,
                                  const HeaderList& extra) {
    std::string out;
    out.reserve(160 + accept_key.size() + subprotocol.size());
    out.append(
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n");
    append_http_field(out, "Sec-WebSocket-Accept", accept_key);
    if (!subprotocol.empty()) append_http_field(out, "Sec-WebSocket-Protocol", subprotocol);
    for (const auto& [name, value] : extra) append_http_field(out, name, value);
    out.append("\r\n");
    return out;
}

std::string build_reject_response(int status, std::string_view reason, const HeaderList& extra,
                                  std::string_view body) {
    std::string out;
    out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
    out.append(reason.empty() ? http_reason_phrase(status) : reason).append("\r\n");
    if (status == 426) append_http_field(out, "Sec-WebSocket-Version", "13");
    append_http_field(out, "Connection", "close");
    append_http_field(out, "Content-Length", std::to_string(body.size()));
    if (!body.empty()) append_http_field(out, "Content-Type", "text/plain");
    for (const auto& [name, value] : extra) append_http_field(out, name, value);
    out.append("\r\n").append(body);
    return out;
}

int reject_status_for(Errc e) noexcept {
    switch (e) {
        case Errc::handshake_bad_version:
            return 426;
        case Errc::http_head_too_large:
            return 431;
        default:
            return 400;
    }
}

}  // namespace wsb
