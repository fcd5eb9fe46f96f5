// STOMP 1.2 frame encoder, incremental decoder and heart-beat negotiation.
#include "wsbench/proto/stomp.hpp"

#include <algorithm>
#include <cstring>

namespace wsb::stomp {
namespace {

constexpr std::string_view kCommands[] = {
    "",     "CONNECT", "STOMP",  "CONNECTED", "SEND",       "SUBSCRIBE", "UNSUBSCRIBE", "ACK",
    "NACK", "BEGIN",   "COMMIT", "ABORT",     "DISCONNECT", "MESSAGE",   "RECEIPT",     "ERROR",
};

struct ErrcEntry {
    std::string_view id;
    std::string_view message;
};

constexpr ErrcEntry kErrors[] = {
    {"ok", "no error"},
    {"frame_too_large", "no complete frame within max_frame_size"},
    {"bad_eol", "a CR not followed by LF"},
    {"nul_in_headers", "a NUL before the blank line that ends the headers"},
    {"bad_header", "a header line without ':' or with an empty name"},
    {"bad_escape", "a backslash not followed by \\, n, c or r"},
    {"bad_content_length", "content-length is not a decimal number of bytes"},
    {"missing_nul", "the content-length bytes of the body are not followed by NUL"},
};

/// A decimal number without sign or spaces that fits `max`; false otherwise.
template <typename T>
bool parse_decimal(std::string_view s, T max, T& out) noexcept {
    if (s.empty()) return false;
    T v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        const T d = static_cast<T>(c - '0');
        if (v > (max - d) / 10) return false;
        v = static_cast<T>(v * 10 + d);
    }
    out = v;
    return true;
}

/// `line` without the CR of a CRLF line end.
std::string_view strip_cr(std::string_view line) noexcept {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::string printable(char c) {
    if (c >= 0x21 && c <= 0x7e) return std::string(1, c);
    static constexpr char kHex[] = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(c);
    return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
}

}  // namespace

std::string_view to_string(Command c) noexcept {
    const auto i = static_cast<std::size_t>(c);
    return i < std::size(kCommands) ? kCommands[i] : std::string_view{};
}

Command command_from(std::string_view text) noexcept {
    for (std::size_t i = 1; i < std::size(kCommands); ++i) {
        if (kCommands[i] == text) return static_cast<Command>(i);
    }
    return Command::unknown;
}

std::string_view to_string(Errc e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < std::size(kErrors) ? kErrors[i].id : std::string_view{"unknown"};
}

bool escapes_headers(std::string_view command) noexcept {
    return command != "CONNECT" && command != "CONNECTED";
}

void append_escaped(std::string& out, std::string_view s) {
    std::size_t from = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const char* esc = c == '\\'   ? "\\\\"
                          : c == '\n' ? "\\n"
                          : c == ':'  ? "\\c"
                          : c == '\r' ? "\\r"
                                      : nullptr;
        if (esc == nullptr) continue;
        out.append(s.data() + from, i - from);
        out.append(esc, 2);
        from = i + 1;
    }
    out.append(s.data() + from, s.size() - from);
}

void encode_frame(std::string& out, std::string_view command, const Header* headers,
                  std::size_t header_count, std::string_view body, ContentLength content_length) {
    const bool escape = escapes_headers(command);
    out.append(command);
    out.push_back('\n');
    for (std::size_t i = 0; i < header_count; ++i) {
        if (escape) {
            append_escaped(out, headers[i].name);
            out.push_back(':');
            append_escaped(out, headers[i].value);
        } else {
            out.append(headers[i].name);
            out.push_back(':');
            out.append(headers[i].value);
        }
        out.push_back('\n');
    }
    if (content_length == ContentLength::always ||
        (content_length == ContentLength::if_body && !body.empty())) {
        out.append("content-length:");
        char digits[24];
        std::size_t n = 0;
        std::size_t v = body.size();
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (n > 0) out.push_back(digits[--n]);
        out.push_back('\n');
    }
    out.push_back('\n');
    out.append(body);
    out.push_back('\0');
}

const Header* Frame::find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < header_count; ++i) {
        if (headers[i].name == name) return &headers[i];
    }
    return nullptr;
}

std::string_view Frame::header(std::string_view name) const noexcept {
    const Header* h = find(name);
    return h != nullptr ? h->value : std::string_view{};
}

void Decoder::feed(const char* data, std::size_t size) {
    if (error_ != Errc::ok) return;
    if (pos_ == size_) {
        // Everything before was used: decode the caller's bytes in place.
        base_ += size_;
        buf_.clear();
        in_buf_ = false;
        cur_ = data;
        size_ = size;
        pos_ = scan_ = checked_ = body_start_ = 0;
        return;
    }
    if (in_buf_) {
        buf_.erase(0, pos_);
    } else {
        buf_.assign(cur_ + pos_, size_ - pos_);
        in_buf_ = true;
    }
    shift();
    if (size > 0) buf_.append(data, size);
    cur_ = buf_.data();
    size_ = buf_.size();
}

void Decoder::shift() noexcept {
    // The unfinished frame moved to the front of buf_: offsets follow it.
    base_ += pos_;
    scan_ = scan_ > pos_ ? scan_ - pos_ : 0;
    checked_ = checked_ > pos_ ? checked_ - pos_ : 0;
    body_start_ = body_start_ > pos_ ? body_start_ - pos_ : 0;
    pos_ = 0;
}

Decoder::Event Decoder::stash() {
    if (!in_buf_ && pos_ < size_) {
        // The caller's bytes may go away after this: keep the unfinished frame.
        buf_.assign(cur_ + pos_, size_ - pos_);
        in_buf_ = true;
        shift();
        cur_ = buf_.data();
        size_ = buf_.size();
    }
    return Event::need_more;
}

void Decoder::reset() noexcept {
    buf_.clear();
    in_buf_ = false;
    cur_ = nullptr;
    size_ = pos_ = scan_ = checked_ = body_start_ = body_length_ = 0;
    has_length_ = false;
    state_ = State::frame_start;
    base_ = 0;
    headers_.clear();
    values_.clear();
    error_ = Errc::ok;
    error_offset_ = 0;
    error_text_.clear();
}

Decoder::Event Decoder::fail(Errc e, std::size_t at, std::string_view detail) {
    error_ = e;
    error_offset_ = base_ + at;
    error_text_.assign(to_string(e));
    error_text_ += ": ";
    error_text_ += kErrors[static_cast<std::size_t>(e)].message;
    if (!detail.empty()) {
        error_text_ += " (";
        error_text_ += detail;
        error_text_ += ')';
    }
    error_text_ += " at byte " + std::to_string(error_offset_);
    if (state_ != State::frame_start) {
        error_text_ += " in the frame that starts at byte " + std::to_string(base_ + pos_);
    }
    return Event::error;
}

Decoder::Event Decoder::next(Frame& frame) {
    if (error_ != Errc::ok) return Event::error;
    if (state_ == State::frame_start) {
        if (pos_ == size_) return stash();
        const char c = cur_[pos_];
        if (c == '\n') {
            ++pos_;
            return Event::heartbeat;
        }
        if (c == '\r') {
            if (pos_ + 1 == size_) return stash();
            if (cur_[pos_ + 1] != '\n') return fail(Errc::bad_eol, pos_);
            pos_ += 2;
            return Event::heartbeat;
        }
        state_ = State::headers;
        scan_ = checked_ = pos_;
    }
    if (state_ == State::headers) {
        const Event ev = scan_headers();
        if (state_ != State::body) return ev;
    }
    // The body: content-length bytes and a NUL, else up to the first NUL, within the limit.
    if (has_length_) {
        const std::size_t end = body_start_ + body_length_;
        if (end >= size_) return stash();
        if (cur_[end] != '\0') return fail(Errc::missing_nul, end, "found " + printable(cur_[end]));
        return complete(end, frame);
    }
    const std::size_t limit = pos_ + std::min(options_.max_frame_size, size_ - pos_);
    const void* nul = scan_ < limit ? std::memchr(cur_ + scan_, '\0', limit - scan_) : nullptr;
    if (nul == nullptr) {
        scan_ = limit;
        if (size_ - pos_ > options_.max_frame_size) {
            return fail(Errc::frame_too_large, pos_ + options_.max_frame_size,
                        "no NUL within " + std::to_string(options_.max_frame_size) + " bytes");
        }
        return stash();
    }
    return complete(static_cast<std::size_t>(static_cast<const char*>(nul) - cur_), frame);
}

Decoder::Event Decoder::scan_headers() {
    // scan_ is the start of the next line; only the first max_frame_size bytes of the frame
    // are looked at, so that the outcome does not depend on how the stream was split.
    const std::size_t limit = pos_ + std::min(options_.max_frame_size, size_ - pos_);
    while (scan_ < limit) {
        const void* found = std::memchr(cur_ + scan_, '\n', limit - scan_);
        if (found == nullptr) break;
        const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(found) - cur_);
        const std::string_view line(cur_ + scan_, nl - scan_);
        const std::size_t zero = line.find('\0');
        if (zero != std::string_view::npos) return fail(Errc::nul_in_headers, scan_ + zero);
        const std::size_t cr = line.find('\r');
        if (cr != std::string_view::npos && cr + 1 != line.size()) {
            return fail(Errc::bad_eol, scan_ + cr);
        }
        const bool blank = scan_ != pos_ && strip_cr(line).empty();
        scan_ = nl + 1;
        if (blank) {
            body_start_ = scan_;
            return find_content_length();
        }
    }
    // No blank line yet. A NUL in the unfinished line fails now rather than at the limit:
    // a frame that forgot its blank line ("SEND\n\0") is named at once.
    checked_ = std::max(checked_, scan_);
    const void* zero = std::memchr(cur_ + checked_, '\0', limit - checked_);
    if (zero != nullptr) {
        return fail(Errc::nul_in_headers,
                    static_cast<std::size_t>(static_cast<const char*>(zero) - cur_));
    }
    checked_ = limit;
    if (size_ - pos_ > options_.max_frame_size) {
        return fail(Errc::frame_too_large, pos_ + options_.max_frame_size,
                    "headers longer than " + std::to_string(options_.max_frame_size) + " bytes");
    }
    return stash();
}

Decoder::Event Decoder::find_content_length() {
    // The first content-length header wins (§"Repeated Header Entries"); its name and digits
    // never need unescaping.
    has_length_ = false;
    const char* p = static_cast<const char*>(std::memchr(cur_ + pos_, '\n', body_start_ - pos_));
    std::size_t at = static_cast<std::size_t>(p - cur_) + 1;
    while (at + 1 < body_start_) {
        const std::size_t nl = static_cast<std::size_t>(
            static_cast<const char*>(std::memchr(cur_ + at, '\n', body_start_ - at)) - cur_);
        const std::string_view line = strip_cr(std::string_view(cur_ + at, nl - at));
        constexpr std::string_view kName = "content-length:";
        if (line.substr(0, kName.size()) == kName) {
            const std::string_view value = line.substr(kName.size());
            std::size_t n = 0;
            if (!parse_decimal<std::size_t>(value, SIZE_MAX, n)) {
                return fail(Errc::bad_content_length, at + kName.size(),
                            "'" + std::string(value.substr(0, 40)) + "'");
            }
            const std::size_t head = body_start_ - pos_ + 1;  // and the NUL
            if (head > options_.max_frame_size || n > options_.max_frame_size - head) {
                return fail(Errc::frame_too_large, at + kName.size(),
                            "content-length " + std::to_string(n) + " over max_frame_size " +
                                std::to_string(options_.max_frame_size));
            }
            has_length_ = true;
            body_length_ = n;
            break;
        }
        at = nl + 1;
    }
    state_ = State::body;
    scan_ = body_start_;
    return Event::need_more;
}

bool Decoder::unescape(std::string_view in, std::string_view& out, std::size_t& bad) {
    const std::size_t start = values_.size();
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c != '\\') {
            values_.push_back(c);
            continue;
        }
        const char e = i + 1 < in.size() ? in[i + 1] : '\0';
        const char r = e == '\\' ? '\\' : e == 'n' ? '\n' : e == 'c' ? ':' : e == 'r' ? '\r' : 0;
        if (r == 0) {
            bad = static_cast<std::size_t>(in.data() + i - cur_);
            return false;
        }
        values_.push_back(r);
        ++i;
    }
    out = std::string_view(values_.data() + start, values_.size() - start);
    return true;
}

Decoder::Event Decoder::parse_header_line(const char* line, std::size_t size, bool escaped) {
    const std::string_view text = strip_cr(std::string_view(line, size));
    const std::size_t colon = text.find(':');
    const std::size_t at = static_cast<std::size_t>(line - cur_);
    if (colon == std::string_view::npos || colon == 0) {
        return fail(Errc::bad_header, at, "'" + std::string(text.substr(0, 40)) + "'");
    }
    Header h{text.substr(0, colon), text.substr(colon + 1)};
    if (escaped) {
        std::size_t bad = 0;
        for (std::string_view* part : {&h.name, &h.value}) {
            if (part->find('\\') == std::string_view::npos) continue;
            if (!unescape(*part, *part, bad)) {
                const std::string esc =
                    bad + 1 < body_start_ ? "'\\" + printable(cur_[bad + 1]) + "'" : "'\\'";
                return fail(Errc::bad_escape, bad,
                            esc + " in header '" + std::string(text.substr(0, colon)) + "'");
            }
        }
    }
    headers_.push_back(h);
    return Event::frame;
}

Decoder::Event Decoder::complete(std::size_t nul, Frame& frame) {
    const char* first_nl =
        static_cast<const char*>(std::memchr(cur_ + pos_, '\n', body_start_ - pos_));
    const std::string_view command =
        strip_cr(std::string_view(cur_ + pos_, static_cast<std::size_t>(first_nl - cur_) - pos_));
    const bool escaped = escapes_headers(command);
    headers_.clear();
    values_.clear();
    values_.reserve(body_start_ - pos_);  // unescaping shrinks: no reallocation under views
    std::size_t at = static_cast<std::size_t>(first_nl - cur_) + 1;
    while (at + 1 < body_start_) {
        const std::size_t nl = static_cast<std::size_t>(
            static_cast<const char*>(std::memchr(cur_ + at, '\n', body_start_ - at)) - cur_);
        if (nl == at || (nl == at + 1 && cur_[at] == '\r')) break;  // the blank line
        if (parse_header_line(cur_ + at, nl - at, escaped) == Event::error) return Event::error;
        at = nl + 1;
    }
    frame.command = command_from(command);
    frame.command_text = command;
    frame.headers = headers_.data();
    frame.header_count = headers_.size();
    frame.body = std::string_view(cur_ + body_start_, nul - body_start_);
    pos_ = scan_ = nul + 1;
    state_ = State::frame_start;
    has_length_ = false;
    return Event::frame;
}

bool parse_heart_beat(std::string_view value, std::uint32_t& x, std::uint32_t& y) noexcept {
    const std::size_t comma = value.find(',');
    if (comma == std::string_view::npos) return false;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    if (!parse_decimal<std::uint32_t>(value.substr(0, comma), UINT32_MAX, a) ||
        !parse_decimal<std::uint32_t>(value.substr(comma + 1), UINT32_MAX, b)) {
        return false;
    }
    x = a;
    y = b;
    return true;
}

bool negotiate_heart_beat(std::uint32_t cx, std::uint32_t cy, std::string_view server,
                          HeartBeat& out) noexcept {
    out = HeartBeat{};
    std::uint32_t sx = 0;
    std::uint32_t sy = 0;
    if (!server.empty() && !parse_heart_beat(server, sx, sy)) return false;
    out.send_ms = cx == 0 || sy == 0 ? 0 : std::max(cx, sy);
    out.receive_ms = sx == 0 || cy == 0 ? 0 : std::max(sx, cy);
    return true;
}

}  // namespace wsb::stomp
