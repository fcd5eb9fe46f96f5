// The WebSocket opening handshake (RFC 6455 §4): building, parsing and checking HTTP heads.
#include "wsbench/handshake.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "wsbench/base64.hpp"

namespace wsb {
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

// tchar (RFC 7230 §3.2.6): the characters of methods and field names.
constexpr bool is_tchar(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// Calls f(element) for each trimmed, non-empty element of a comma-separated list (RFC 7230
// §7), ignoring commas inside quoted strings; stops early and returns true when f does.
template <class F>
bool for_each_element(std::string_view list, F&& f) {
    std::size_t start = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= list.size(); ++i) {
        if (i < list.size()) {
            const char c = list[i];
            if (quoted && c == '\\') {
                if (i + 1 < list.size()) ++i;  // quoted-pair: skip the escaped character
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (quoted || c != ',') continue;
        }
        const auto element = trim(list.substr(start, i - start));
        if (!element.empty() && f(element)) return true;
        start = i + 1;
    }
    return false;
}

// The extension name of a Sec-WebSocket-Extensions element (RFC 6455 §9.1).
std::string_view extension_name(std::string_view element) noexcept {
    return trim(element.substr(0, element.find(';')));
}

// "HTTP/" DIGIT "." DIGIT (RFC 7230 §2.6).
bool is_http_version(std::string_view v) noexcept {
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' &&
           v[6] == '.' && v[7] >= '0' && v[7] <= '9';
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Skips the one empty line RFC 7230 §3.5 says to tolerate before the start line.
std::string_view skip_leading_empty_line(std::string_view s) noexcept {
    if (s.substr(0, 2) == "\r\n") return s.substr(2);
    if (s.substr(0, 1) == "\n") return s.substr(1);
    return s;
}

// Cheap checks on an unfinished head, so garbage fails before the size limit is reached.
// Each looks at a bounded prefix, keeping byte-by-byte feeding linear.
bool could_start_response(std::string_view buffered) noexcept {
    auto s = skip_leading_empty_line(buffered);
    if (s == "\r") return true;
    constexpr std::string_view kPrefix = "HTTP/";
    const auto n = std::min(s.size(), kPrefix.size());
    return s.substr(0, n) == kPrefix.substr(0, n);
}

bool could_start_request(std::string_view buffered) noexcept {
    auto s = skip_leading_empty_line(buffered);
    if (s == "\r") return true;
    constexpr std::size_t kMethodCheck = 32;
    for (std::size_t i = 0; i < std::min(s.size(), kMethodCheck); ++i) {
        if (s[i] == ' ') return i > 0;
        if (!is_tchar(s[i])) return false;
    }
    return true;
}

// Splits a complete head into lines (LF or CRLF endings) and parses the header fields.
class LineReader {
  public:
    explicit LineReader(std::string_view head) : head_(head) {}

    // The next line without its ending; false when none is left or a line has a bare CR.
    bool next(std::string_view& line) noexcept {
        if (pos_ >= head_.size()) return false;
        auto nl = head_.find('\n', pos_);
        if (nl == std::string_view::npos) nl = head_.size();  // cannot happen: head ends in LF
        line = head_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line.find('\r') == std::string_view::npos;
    }

  private:
    std::string_view head_;
    std::size_t pos_ = 0;
};

// Reads field lines up to the empty line (RFC 7230 §3.2). Obsolete line folding is
// rejected, as RFC 7230 §3.2.4 allows, rather than unfolded.
Errc parse_fields(LineReader& lines, HttpHeaders& headers) {
    std::string_view line;
    while (lines.next(line)) {
        if (line.empty()) return Errc::ok;
        if (is_ows(line.front())) return Errc::http_malformed;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return Errc::http_malformed;
        const auto name = line.substr(0, colon);
        if (!is_token(name)) return Errc::http_malformed;  // also "Name :" (§3.2.4)
        headers.add(std::string(name), std::string(trim(line.substr(colon + 1))));
    }
    return Errc::http_malformed;
}

// "HTTP/1.1 101 Switching Protocols"; the SP before an empty reason may be missing.
bool parse_status_line(std::string_view line, HttpResponse& out) {
    if (line.size() < 12 || !is_http_version(line.substr(0, 8)) || line[8] != ' ') return false;
    if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return false;
    if (line.size() > 12 && line[12] != ' ') return false;
    out.version.assign(line.substr(0, 8));
    out.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    out.reason.assign(line.size() > 13 ? line.substr(13) : std::string_view{});
    return true;
}

// "GET /chat HTTP/1.1", single spaces (RFC 7230 §3.1.1).
bool parse_request_line(std::string_view line, HttpRequest& out) {
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return false;
    const auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return false;
    const auto method = line.substr(0, sp1);
    const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const auto version = line.substr(sp2 + 1);
    if (!is_token(method) || target.empty() || !is_http_version(version)) return false;
    out.method.assign(method);
    out.target.assign(target);
    out.version.assign(version);
    return true;
}

template <class Message, class StartLine, class Prefix>
Errc parse_head(std::string_view buffered, Message& out, std::size_t& head_size,
                HttpHeadScanner& scanner, StartLine parse_start, Prefix could_start) {
    const Errc scanned = scanner.scan(buffered);
    if (scanned == Errc::http_incomplete || scanned == Errc::http_head_too_large) {
        // Garbage is malformed however it arrives: judge only the bytes the scanner may look
        // at, so a head cut at max_head gets the same answer whole or in pieces.
        if (!could_start(buffered.substr(0, scanner.max_head()))) return Errc::http_malformed;
        return scanned;
    }
    if (scanned != Errc::ok) return scanned;

    out.headers.clear();
    LineReader lines(buffered.substr(0, scanner.head_size()));
    std::string_view line;
    if (!lines.next(line)) return Errc::http_malformed;
    if (line.empty() && !lines.next(line)) return Errc::http_malformed;
    if (!parse_start(line, out)) return Errc::http_malformed;
    if (const Errc e = parse_fields(lines, out.headers); e != Errc::ok) return e;
    head_size = scanner.head_size();
    return Errc::ok;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

void append_joined(std::string& out, const std::vector<std::string>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) out.append(", ");
        out.append(items[i]);
    }
}

std::string_view standard_reason(int status) noexcept {
    switch (status) {
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 426:
            return "Upgrade Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        default:
            return "";
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
// HttpHeaders

void HttpHeaders::add(std::string name, std::string value) {
    fields_.push_back(HttpField{std::move(name), std::move(value)});
}

std::size_t HttpHeaders::count(std::string_view name) const noexcept {
    return static_cast<std::size_t>(std::count_if(
        fields_.begin(), fields_.end(), [&](const HttpField& f) { return iequals(f.name, name); }));
}

const std::string* HttpHeaders::find(std::string_view name) const noexcept {
    for (const auto& f : fields_) {
        if (iequals(f.name, name)) return &f.value;
    }
    return nullptr;
}

std::string HttpHeaders::combined(std::string_view name) const {
    std::string out;
    bool first = true;
    for (const auto& f : fields_) {
        if (!iequals(f.name, name)) continue;
        if (!first) out.append(", ");
        out.append(f.value);
        first = false;
    }
    return out;
}

std::vector<std::string> HttpHeaders::list(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& f : fields_) {
        if (!iequals(f.name, name)) continue;
        for_each_element(f.value, [&](std::string_view e) {
            out.emplace_back(e);
            return false;
        });
    }
    return out;
}

bool HttpHeaders::has_token(std::string_view name, std::string_view token) const noexcept {
    for (const auto& f : fields_) {
        if (!iequals(f.name, name)) continue;
        if (for_each_element(f.value, [&](std::string_view e) { return iequals(e, token); })) {
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// HttpHeadScanner

namespace {
// Scanner states: inside a line, at the start of a line, after a CR at the start of a line.
constexpr std::uint8_t kInLine = 0;
constexpr std::uint8_t kLineStart = 1;
constexpr std::uint8_t kLineStartCr = 2;
}  // namespace

Errc HttpHeadScanner::scan(std::string_view buffered) noexcept {
    if (result_ != Errc::http_incomplete) return result_;
    if (buffered.size() < scanned_) return Errc::invalid_argument;
    const std::size_t limit = std::min(buffered.size(), max_head_);
    for (std::size_t i = scanned_; i < limit; ++i) {
        const auto c = static_cast<unsigned char>(buffered[i]);
        if (c == '\n') {
            if (state_ != kInLine) {
                scanned_ = head_size_ = i + 1;
                return result_ = Errc::ok;
            }
            state_ = kLineStart;
        } else if (c == '\r') {
            state_ = state_ == kLineStart ? kLineStartCr : kInLine;
        } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
            scanned_ = i;
            return result_ = Errc::http_malformed;
        } else {
            state_ = kInLine;
        }
    }
    scanned_ = limit;
    if (scanned_ >= max_head_) result_ = Errc::http_head_too_large;
    return result_;
}

void HttpHeadScanner::reset() noexcept {
    scanned_ = 0;
    head_size_ = 0;
    state_ = kInLine;
    result_ = Errc::http_incomplete;
}

// ---------------------------------------------------------------------------------------------
// Head parsing

Errc parse_http_response(std::string_view buffered, HttpResponse& out, std::size_t& head_size,
                         HttpHeadScanner& scanner) {
    return parse_head(buffered, out, head_size, scanner, parse_status_line, could_start_response);
}

Errc parse_http_response(std::string_view buffered, HttpResponse& out, std::size_t& head_size,
                         std::size_t max_head) {
    HttpHeadScanner scanner(max_head);
    return parse_http_response(buffered, out, head_size, scanner);
}

Errc parse_http_request(std::string_view buffered, HttpRequest& out, std::size_t& head_size,
                        HttpHeadScanner& scanner) {
    return parse_head(buffered, out, head_size, scanner, parse_request_line, could_start_request);
}

Errc parse_http_request(std::string_view buffered, HttpRequest& out, std::size_t& head_size,
                        std::size_t max_head) {
    HttpHeadScanner scanner(max_head);
    return parse_http_request(buffered, out, head_size, scanner);
}

// ---------------------------------------------------------------------------------------------
// Client side

std::string build_client_request(const ClientRequest& req) {
    // Default fields in the order they are written (RFC 6455 §4.1 lists them in this order).
    static constexpr std::string_view kDefaults[] = {
        "Host",
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions",
        "Origin",
    };
    auto is_default = [](std::string_view name) {
        return std::any_of(std::begin(kDefaults), std::end(kDefaults),
                           [&](std::string_view d) { return iequals(d, name); });
    };

    std::string out;
    std::size_t extra_size = 0;
    for (const auto& [name, value] : req.headers) extra_size += name.size() + value.size() + 4;
    out.reserve(160 + req.host.size() + req.resource.size() + req.key.size() + req.origin.size() +
                extra_size);

    out.append(req.method).append(" ");
    out.append(req.resource.empty() ? std::string_view("/") : std::string_view(req.resource));
    out.append(" ").append(req.http_version).append("\r\n");

    for (const std::string_view name : kDefaults) {
        bool overridden = false;
        for (const auto& [extra_name, extra_value] : req.headers) {
            if (!iequals(extra_name, name)) continue;
            append_field(out, extra_name, extra_value);
            overridden = true;
        }
        if (overridden) continue;
        if (std::any_of(req.omit.begin(), req.omit.end(),
                        [&](const std::string& o) { return iequals(o, name); })) {
            continue;
        }

        if (name == "Host") {
            out.append("Host: ");
            const bool ipv6 = req.host.find(':') != std::string::npos &&
                              (req.host.empty() || req.host.front() != '[');
            if (ipv6) out.push_back('[');
            out.append(req.host);
            if (ipv6) out.push_back(']');
            const std::uint16_t default_port = req.secure ? 443 : 80;
            if (req.port != 0 && req.port != default_port) {
                out.push_back(':');
                out.append(std::to_string(req.port));
            }
            out.append("\r\n");
        } else if (name == "Upgrade") {
            append_field(out, name, "websocket");
        } else if (name == "Connection") {
            append_field(out, name, "Upgrade");
        } else if (name == "Sec-WebSocket-Key") {
            append_field(out, name, req.key);
        } else if (name == "Sec-WebSocket-Version") {
            append_field(out, name, "13");
        } else if (name == "Sec-WebSocket-Protocol") {
            if (req.subprotocols.empty()) continue;
            out.append(name).append(": ");
            append_joined(out, req.subprotocols);
            out.append("\r\n");
        } else if (name == "Sec-WebSocket-Extensions") {
            if (req.extensions.empty()) continue;
            out.append(name).append(": ");
            append_joined(out, req.extensions);
            out.append("\r\n");
        } else if (name == "Origin") {
            if (!req.origin.empty()) append_field(out, name, req.origin);
        }
    }

    for (const auto& [name, value] : req.headers) {
        if (!is_default(name)) append_field(out, name, value);
    }
    out.append("\r\n");
    return out;
}

Errc check_server_response(const HttpResponse& resp, const ClientRequest& sent,
                           std::string* selected_subprotocol) {
    const auto& h = resp.headers;
    if (resp.status != 101) return Errc::handshake_bad_status;

    const std::string* upgrade = h.find("Upgrade");
    if (upgrade == nullptr || h.count("Upgrade") != 1 || !iequals(*upgrade, "websocket")) {
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
            if (!iequals(f.name, "Sec-WebSocket-Protocol")) continue;
            for_each_element(f.value, [&](std::string_view e) {
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
        if (!iequals(f.name, "Sec-WebSocket-Extensions")) continue;
        const bool unknown = for_each_element(f.value, [&](std::string_view e) {
            const auto name = extension_name(e);
            const bool offered = std::any_of(
                sent.extensions.begin(), sent.extensions.end(), [&](const std::string& offer) {
                    // An offer may itself be a list ("a, b; p=1").
                    return for_each_element(offer, [&](std::string_view o) {
                        return iequals(extension_name(o), name);
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
    append_field(out, "Sec-WebSocket-Accept", accept_key);
    if (!subprotocol.empty()) append_field(out, "Sec-WebSocket-Protocol", subprotocol);
    for (const auto& [name, value] : extra) append_field(out, name, value);
    out.append("\r\n");
    return out;
}

std::string build_reject_response(int status, std::string_view reason, const HeaderList& extra,
                                  std::string_view body) {
    std::string out;
    out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
    out.append(reason.empty() ? standard_reason(status) : reason).append("\r\n");
    if (status == 426) append_field(out, "Sec-WebSocket-Version", "13");
    append_field(out, "Connection", "close");
    append_field(out, "Content-Length", std::to_string(body.size()));
    if (!body.empty()) append_field(out, "Content-Type", "text/plain");
    for (const auto& [name, value] : extra) append_field(out, name, value);
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
