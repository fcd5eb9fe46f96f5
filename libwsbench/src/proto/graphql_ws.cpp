// graphql-transport-ws encoders and the allocation-free decoder of one server message.
#include "wsbench/proto/graphql_ws.hpp"

#include <array>

namespace wsb::graphql_ws {
namespace {

constexpr std::string_view kTypes[] = {
    "",     "connection_init", "connection_ack", "ping", "pong", "subscribe",
    "next", "error",           "complete",
};

constexpr std::string_view kErrors[] = {
    "ok",           "bad_json",        "not_an_object", "too_deep",
    "missing_type", "type_not_string", "id_not_string", "missing_id",
};

bool is_ws(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// A validating JSON scanner over one text: skips values, reads string contents raw.
class Scanner {
  public:
    explicit Scanner(std::string_view text) noexcept
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

    void ws() noexcept {
        while (p_ < end_ && is_ws(*p_)) ++p_;
    }
    bool at(char c) const noexcept { return p_ < end_ && *p_ == c; }
    bool eat(char c) noexcept {
        if (!at(c)) return fail(Errc::bad_json);
        ++p_;
        return true;
    }
    bool done() const noexcept { return p_ == end_; }
    const char* pos() const noexcept { return p_; }

    /// A string at p_; `contents` is what lies between the quotes, escapes as they are.
    bool string(std::string_view& contents) noexcept {
        if (!eat('"')) return false;
        const char* start = p_;
        while (p_ < end_) {
            const char c = *p_;
            if (c == '"') {
                contents = std::string_view(start, static_cast<std::size_t>(p_ - start));
                ++p_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) return fail(Errc::bad_json);
            if (c == '\\' && !escape()) return false;
            if (c != '\\') ++p_;
        }
        return fail(Errc::bad_json);
    }

    /// Any value at p_ (after whitespace), nested ones included, `depth` levels deep already.
    bool value(std::size_t depth) noexcept;

    bool fail(Errc e) noexcept {
        if (error_ == Errc::ok) {
            error_ = e;
            error_at_ = static_cast<std::size_t>(p_ - begin_);
        }
        return false;
    }
    Errc error() const noexcept { return error_; }
    std::size_t error_at() const noexcept { return error_at_; }

  private:
    bool escape() noexcept {
        ++p_;  // the backslash
        if (p_ == end_) return fail(Errc::bad_json);
        const char e = *p_;
        if (e == 'u') {
            for (int i = 1; i <= 4; ++i) {
                if (p_ + i >= end_ || !is_hex(p_[i])) {
                    p_ += i;
                    return fail(Errc::bad_json);
                }
            }
            p_ += 5;
            return true;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
            return fail(Errc::bad_json);
        }
        ++p_;
        return true;
    }

    bool digits() noexcept {
        if (p_ == end_ || !is_digit(*p_)) return fail(Errc::bad_json);
        while (p_ < end_ && is_digit(*p_)) ++p_;
        return true;
    }

    bool number() noexcept {
        if (at('-')) ++p_;
        if (at('0')) {
            ++p_;
        } else if (!digits()) {
            return false;
        }
        if (at('.')) {
            ++p_;
            if (!digits()) return false;
        }
        if (at('e') || at('E')) {
            ++p_;
            if (at('+') || at('-')) ++p_;
            if (!digits()) return false;
        }
        return true;
    }

    bool literal(std::string_view word) noexcept {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word) {
            return fail(Errc::bad_json);
        }
        p_ += word.size();
        return true;
    }

    /// A scalar (string, number, literal) at p_.
    bool scalar() noexcept {
        std::string_view ignored;
        switch (p_ < end_ ? *p_ : '\0') {
            case '"':
                return string(ignored);
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    /// Whether the container at nesting level `level` (0-based) is an object.
    bool is_object(std::size_t level) const noexcept {
        return (objects_[level / 64] >> (level % 64)) & 1u;
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    Errc error_ = Errc::ok;
    std::size_t error_at_ = 0;
    std::array<std::uint64_t, kMaxDepth / 64 + 1> objects_{};  // a bit per open container
};

bool Scanner::value(std::size_t depth) noexcept {
    // Iterative, so that deep nesting costs no stack: `open` containers are tracked in bits.
    std::size_t open = 0;
    for (;;) {
        ws();
        // A value starts here: a container opens, or a scalar is skipped.
        if (at('{') || at('[')) {
            const bool object = *p_ == '{';
            if (depth + open + 1 > kMaxDepth) return fail(Errc::too_deep);
            auto& word = objects_[open / 64];
            const std::uint64_t bit = std::uint64_t{1} << (open % 64);
            word = object ? (word | bit) : (word & ~bit);
            ++open;
            ++p_;
            ws();
            if (at(object ? '}' : ']')) {
                ++p_;
                --open;
            } else if (object) {
                std::string_view key;
                if (!string(key)) return false;
                ws();
                if (!eat(':')) return false;
                continue;
            } else {
                continue;
            }
        } else if (!scalar()) {
            return false;
        }
        // After a value: close containers or go on to the next member or element.
        for (;;) {
            if (open == 0) return true;
            ws();
            const bool object = is_object(open - 1);
            if (at(object ? '}' : ']')) {
                ++p_;
                --open;
                continue;
            }
            if (!eat(',')) return false;
            if (object) {
                ws();
                std::string_view key;
                if (!string(key)) return false;
                ws();
                if (!eat(':')) return false;
            }
            break;
        }
    }
}

Type type_from(std::string_view text) noexcept {
    for (std::size_t i = 1; i < std::size(kTypes); ++i) {
        if (kTypes[i] == text) return static_cast<Type>(i);
    }
    return Type::unknown;
}

void encode_simple(std::string& out, std::string_view type, std::string_view payload_json) {
    out.append(R"({"type":")");
    out.append(type);
    out.push_back('"');
    if (!payload_json.empty()) {
        out.append(R"(,"payload":)");
        out.append(payload_json);
    }
    out.push_back('}');
}

/// What a member of the top-level object said, kept until the whole text proved well-formed.
struct Members {
    bool type_seen = false;
    bool type_string = false;
    bool id_seen = false;
    bool id_string = false;
    bool payload_seen = false;
};

bool read_member(Scanner& s, std::string_view key, Members& m, Message& out) noexcept {
    const char* start = s.pos();
    const bool string = s.at('"');
    if (!s.value(1)) return false;
    const std::string_view text(start, static_cast<std::size_t>(s.pos() - start));
    if (key == "type" && !m.type_seen) {
        m.type_seen = true;
        m.type_string = string;
        if (string) out.type_text = text.substr(1, text.size() - 2);
    } else if (key == "id" && !m.id_seen) {
        m.id_seen = true;
        m.id_string = string;
        if (string) out.id = text.substr(1, text.size() - 2);
    } else if (key == "payload" && !m.payload_seen) {
        m.payload_seen = true;
        out.payload = text;
    }
    return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t from = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + from, i - from);
        from = i + 1;
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default:
                out.append("\\u00");
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
        }
    }
    out.append(s.data() + from, s.size() - from);
    out.push_back('"');
}

void encode_connection_init(std::string& out, std::string_view payload_json) {
    encode_simple(out, "connection_init", payload_json);
}

void encode_subscribe(std::string& out, std::string_view id, std::string_view query,
                      std::string_view variables_json, std::string_view operation_name) {
    out.append(R"({"id":)");
    append_json_string(out, id);
    out.append(R"(,"type":"subscribe","payload":{"query":)");
    append_json_string(out, query);
    if (!variables_json.empty()) {
        out.append(R"(,"variables":)");
        out.append(variables_json);
    }
    if (!operation_name.empty()) {
        out.append(R"(,"operationName":)");
        append_json_string(out, operation_name);
    }
    out.append("}}");
}

void encode_complete(std::string& out, std::string_view id) {
    out.append(R"({"id":)");
    append_json_string(out, id);
    out.append(R"(,"type":"complete"})");
}

void encode_ping(std::string& out, std::string_view payload_json) {
    encode_simple(out, "ping", payload_json);
}

void encode_pong(std::string& out, std::string_view payload_json) {
    encode_simple(out, "pong", payload_json);
}

std::string_view to_string(Type t) noexcept {
    const auto i = static_cast<std::size_t>(t);
    return i < std::size(kTypes) ? kTypes[i] : std::string_view{};
}

std::string_view to_string(Errc e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < std::size(kErrors) ? kErrors[i] : std::string_view{"unknown"};
}

Errc decode(std::string_view text, Message& out, std::size_t* error_offset) noexcept {
    out = Message{};
    Scanner s(text);
    auto failed = [&](Errc e) {
        if (error_offset != nullptr) *error_offset = s.error() != Errc::ok ? s.error_at() : 0;
        return s.error() != Errc::ok ? s.error() : e;
    };
    s.ws();
    if (!s.at('{')) {
        // Well-formed JSON that is not an object is named as such.
        if (!s.value(0)) return failed(Errc::bad_json);
        s.ws();
        if (!s.done()) s.fail(Errc::bad_json);
        return failed(Errc::not_an_object);
    }
    s.eat('{');
    s.ws();
    Members m;
    if (s.at('}')) {
        s.eat('}');
    } else {
        for (;;) {
            std::string_view key;
            if (!s.string(key)) return failed(Errc::bad_json);
            s.ws();
            if (!s.eat(':')) return failed(Errc::bad_json);
            s.ws();
            if (!read_member(s, key, m, out)) return failed(Errc::bad_json);
            s.ws();
            if (s.at('}')) {
                s.eat('}');
                break;
            }
            if (!s.eat(',')) return failed(Errc::bad_json);
            s.ws();
        }
    }
    s.ws();
    if (!s.done()) {
        s.fail(Errc::bad_json);
        return failed(Errc::bad_json);
    }
    if (!m.type_seen) return failed(Errc::missing_type);
    if (!m.type_string) return failed(Errc::type_not_string);
    if (m.id_seen && !m.id_string) return failed(Errc::id_not_string);
    out.has_id = m.id_seen;
    out.type = type_from(out.type_text);
    if (!out.has_id &&
        (out.type == Type::next || out.type == Type::error || out.type == Type::complete)) {
        return failed(Errc::missing_id);
    }
    return Errc::ok;
}

std::string_view close_code_name(std::uint16_t code) noexcept {
    switch (code) {
        case 4400:
            return "bad_request";
        case 4401:
            return "unauthorized";
        case 4403:
            return "forbidden";
        case 4406:
            return "subprotocol_not_acceptable";
        case 4408:
            return "connection_initialisation_timeout";
        case 4409:
            return "subscriber_already_exists";
        case 4429:
            return "too_many_initialisation_requests";
        case 4500:
            return "internal_server_error";
        default:
            return {};
    }
}

}  // namespace wsb::graphql_ws
