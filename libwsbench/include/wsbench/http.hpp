// HTTP/1.1 heads (RFC 7230 §3) as the WebSocket opening handshake uses them: header fields,
// a resumable end-of-head scanner, request and response head parsers, and the small text rules
// (tokens, comma-separated lists, case-insensitive names) both sides of a handshake check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wsbench/error.hpp"

namespace wsb {

/// Extra or overriding header fields, in the order they are written: {name, value}.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// Default limit on the size of an HTTP head (start line, fields and the blank line).
inline constexpr std::size_t kDefaultMaxHttpHead = 16384;

// ---------------------------------------------------------------------------------------------
// Text rules (RFC 7230 §3.2, §3.2.6, §7)

/// True when `a` and `b` are equal ASCII case-insensitively (header names, tokens).
bool iequals_ascii(std::string_view a, std::string_view b) noexcept;

/// `s` without leading and trailing OWS (spaces and horizontal tabs, RFC 7230 §3.2.3).
std::string_view trim_ows(std::string_view s) noexcept;

/// True when `s` is a non-empty token (RFC 7230 §3.2.6): the characters of methods and field
/// names.
bool is_http_token(std::string_view s) noexcept;

/// True for "HTTP/" DIGIT "." DIGIT (RFC 7230 §2.6).
bool is_http_version(std::string_view v) noexcept;

/// Calls f(element) for each trimmed, non-empty element of a comma-separated list (RFC 7230
/// §7), ignoring commas inside quoted strings; stops early and returns true when f does.
template <class F>
bool for_each_list_element(std::string_view list, F&& f) {
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
        const auto element = trim_ows(list.substr(start, i - start));
        if (!element.empty() && f(element)) return true;
        start = i + 1;
    }
    return false;
}

/// Appends "name: value\r\n" to `out`.
void append_http_field(std::string& out, std::string_view name, std::string_view value);

/// The standard reason phrase of `status` ("Switching Protocols", "Bad Request", ...) for the
/// statuses a WebSocket server answers with; "" for others.
std::string_view http_reason_phrase(int status) noexcept;

/// The head of a whole reply that closes the connection (the small HTTP listeners of the
/// tools): status line, Content-Type, Content-Length, `Connection: close`, then `extra`.
std::string http_reply_head(int status, std::string_view content_type, std::size_t content_length,
                            const HeaderList& extra = {});

// ---------------------------------------------------------------------------------------------
// Heads (RFC 7230 §3)

/// One header field as received: name with its case preserved, value with leading and
/// trailing whitespace (OWS, RFC 7230 §3.2) removed.
struct HttpField {
    std::string name;
    std::string value;
};

/// The header fields of a head, in arrival order. Lookups compare names ASCII
/// case-insensitively (RFC 7230 §3.2); repeated fields are kept, and the list accessors treat
/// them as one comma-separated list (RFC 7230 §3.2.2, §7).
class HttpHeaders {
  public:
    /// Appends a field; no validation (builders may need odd names).
    void add(std::string name, std::string value);
    /// Removes every field.
    void clear() noexcept { fields_.clear(); }

    const std::vector<HttpField>& fields() const noexcept { return fields_; }
    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }

    /// Number of fields called `name`.
    std::size_t count(std::string_view name) const noexcept;
    /// Value of the first field called `name`, or nullptr.
    const std::string* find(std::string_view name) const noexcept;
    /// Every value of `name` joined with ", " (RFC 7230 §3.2.2); empty when absent.
    std::string combined(std::string_view name) const;
    /// The elements of the comma-separated lists in every field called `name`, trimmed, empty
    /// elements dropped (RFC 7230 §7); commas inside quoted strings do not split. Extension
    /// elements keep their parameters ("permessage-deflate; client_max_window_bits").
    std::vector<std::string> list(std::string_view name) const;
    /// True when an element of list(name) equals `token`, ASCII case-insensitively
    /// (`Connection: keep-alive, Upgrade` has the token "upgrade"). Allocates nothing.
    bool has_token(std::string_view name, std::string_view token) const noexcept;

  private:
    std::vector<HttpField> fields_;
};

/// A parsed response head: `HTTP/1.1 101 Switching Protocols`.
struct HttpResponse {
    std::string version;  ///< "HTTP/1.1"
    int status = 0;       ///< three digits
    std::string reason;   ///< may be empty
    HttpHeaders headers;
};

/// A parsed request head: `GET /chat HTTP/1.1`.
struct HttpRequest {
    std::string method;   ///< case-sensitive token (RFC 7231 §4.1)
    std::string target;   ///< request-target as sent
    std::string version;  ///< "HTTP/1.1"
    HttpHeaders headers;
};

/// Finds the end of an HTTP head in a growing buffer without rescanning: each call examines
/// only the bytes added since the previous one, so feeding a head one byte at a time costs
/// O(n) in total. The head ends at the first empty line; CRLF and, leniently, bare LF line
/// endings are both recognised (RFC 7230 §3.5), so CRLFCRLF, LFLF, CRLFLF and LFCRLF all end
/// it. Control characters other than HT, CR and LF are rejected as soon as they arrive, so
/// binary garbage fails fast instead of waiting for the size limit.
class HttpHeadScanner {
  public:
    explicit HttpHeadScanner(std::size_t max_head = kDefaultMaxHttpHead) noexcept
        : max_head_(max_head) {}

    /// Scans `buffered`: every byte received so far on the connection, starting with the
    /// head; each call must pass the previous buffer plus zero or more new bytes. Returns
    /// Errc::ok once the head is complete (see head_size()), Errc::http_incomplete while more
    /// bytes are needed, Errc::http_head_too_large when max_head bytes hold no end of head,
    /// Errc::http_malformed on a forbidden control byte, Errc::invalid_argument when the
    /// buffer shrank. The result is sticky until reset().
    Errc scan(std::string_view buffered) noexcept;

    /// Size of the head including the terminating empty line; valid after scan() returned
    /// ok. Bytes from here on (frames sent right after the handshake) belong to the caller.
    std::size_t head_size() const noexcept { return head_size_; }
    std::size_t max_head() const noexcept { return max_head_; }

    /// Forgets everything scanned, ready for a new head.
    void reset() noexcept;

  private:
    std::size_t max_head_;
    std::size_t scanned_ = 0;
    std::size_t head_size_ = 0;
    std::uint8_t state_ = 0;
    Errc result_ = Errc::http_incomplete;
};

/// Parses the response head at the start of `buffered` (RFC 7230 §3.1.2 status line, §3.2
/// fields). On Errc::ok fills `out` and sets `head_size` to the bytes the head used;
/// `buffered.substr(head_size)` is what the server sent after it. Returns
/// Errc::http_incomplete while the head is unfinished (and the bytes so far could still
/// start a response), Errc::http_head_too_large when max_head bytes that could start a
/// response do not hold it, Errc::http_malformed for anything that is not an HTTP/x.y
/// response head (obsolete line folding included), whether it arrived whole or in pieces. One
/// leading empty line is ignored (RFC 7230 §3.5). Scans the whole buffer on every call; use the
/// scanner overload when data arrives in many small pieces.
Errc parse_http_response(std::string_view buffered, HttpResponse& out, std::size_t& head_size,
                         std::size_t max_head = kDefaultMaxHttpHead);

/// As above, but resumes `scanner` (which also holds the size limit) so repeated calls on a
/// growing buffer cost O(new bytes) until the head is complete.
Errc parse_http_response(std::string_view buffered, HttpResponse& out, std::size_t& head_size,
                         HttpHeadScanner& scanner);

/// Parses the request head at the start of `buffered` (RFC 7230 §3.1.1 request line, §3.2
/// fields); same contract and error codes as parse_http_response(). A method, target or
/// version that is well-formed but unacceptable for a WebSocket handshake parses fine:
/// check_client_request() judges it.
Errc parse_http_request(std::string_view buffered, HttpRequest& out, std::size_t& head_size,
                        std::size_t max_head = kDefaultMaxHttpHead);

/// As above, resuming `scanner`.
Errc parse_http_request(std::string_view buffered, HttpRequest& out, std::size_t& head_size,
                        HttpHeadScanner& scanner);

}  // namespace wsb
