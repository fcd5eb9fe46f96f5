// HTTP/1.1 heads (RFC 7230 §3): header fields, the end-of-head scanner and the head parsers.
#include "wsbench/http.hpp"

#include <algorithm>

namespace wsb {
namespace {
constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

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
        if (!is_http_token(name)) return Errc::http_malformed;  // also "Name :" (§3.2.4)
        headers.add(std::string(name), std::string(trim_ows(line.substr(colon + 1))));
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
    if (!is_http_token(method) || target.empty() || !is_http_version(version)) return false;
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

}  // namespace

// ---------------------------------------------------------------------------------------------
// Text rules

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

bool is_http_token(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

bool is_http_version(std::string_view v) noexcept {
    return v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' &&
           v[6] == '.' && v[7] >= '0' && v[7] <= '9';
}

void append_http_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

std::string http_reply_head(int status, std::string_view content_type, std::size_t content_length,
                            const HeaderList& extra) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
    out.append(http_reason_phrase(status)).append("\r\n");
    append_http_field(out, "Content-Type", content_type);
    append_http_field(out, "Content-Length", std::to_string(content_length));
    append_http_field(out, "Connection", "close");
    for (const auto& [name, value] : extra) append_http_field(out, name, value);
    return out + "\r\n";
}

std::string_view http_reason_phrase(int status) noexcept {
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

// ---------------------------------------------------------------------------------------------
// HttpHeaders

void HttpHeaders::add(std::string name, std::string value) {
    fields_.push_back(HttpField{std::move(name), std::move(value)});
}

std::size_t HttpHeaders::count(std::string_view name) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(fields_.begin(), fields_.end(),
                      [&](const HttpField& f) { return iequals_ascii(f.name, name); }));
}

const std::string* HttpHeaders::find(std::string_view name) const noexcept {
    for (const auto& f : fields_) {
        if (iequals_ascii(f.name, name)) return &f.value;
    }
    return nullptr;
}

std::string HttpHeaders::combined(std::string_view name) const {
    std::string out;
    bool first = true;
    for (const auto& f : fields_) {
        if (!iequals_ascii(f.name, name)) continue;
        if (!first) out.append(", ");
        out.append(f.value);
        first = false;
    }
    return out;
}

std::vector<std::string> HttpHeaders::list(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& f : fields_) {
        if (!iequals_ascii(f.name, name)) continue;
        for_each_list_element(f.value, [&](std::string_view e) {
            out.emplace_back(e);
            return false;
        });
    }
    return out;
}

bool HttpHeaders::has_token(std::string_view name, std::string_view token) const noexcept {
    for (const auto& f : fields_) {
        if (!iequals_ascii(f.name, name)) continue;
        if (for_each_list_element(f.value,
                                  [&](std::string_view e) { return iequals_ascii(e, token); })) {
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

}  // namespace wsb
