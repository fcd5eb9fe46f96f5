// The template compiler (a small recursive-descent parser of {{...}} expressions into postfix
// operations) and the renderer, which evaluates them on a fixed stack.
#include "wsbench/scenario/template.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>

namespace wsb::scenario {
namespace {

using Kind = ExprOp::Kind;

constexpr std::size_t kMaxExprOps = 64;  // bounds the render stack
constexpr int kMaxParentheses = 16;      // bounds the parser's recursion
constexpr std::int64_t kMaxHexDigits = 4096;

bool is_text_kind(Kind k) {
    return k == Kind::rand_hex || k == Kind::uuid || k == Kind::data || k == Kind::slot;
}

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

// Parses one {{...}} expression into postfix operations.
class ExprParser {
  public:
    ExprParser(std::string_view text, std::size_t base, const TemplateNames& names,
               std::vector<ExprOp>& out, std::string& literal_env, TemplateError& err)
        : s_(text), base_(base), names_(names), out_(out), env_(literal_env), err_(err) {}

    // True on success. An expression that is only env.NAME sets `is_env` and leaves `out`
    // empty: its value is a literal.
    bool parse(bool& is_env) {
        skip_space();
        if (s_.substr(pos_).rfind("env.", 0) == 0) {
            is_env = true;
            return parse_env();
        }
        if (!sum()) return false;
        skip_space();
        if (pos_ != s_.size()) return fail("unexpected '" + std::string(1, s_[pos_]) + "'");
        if (out_.size() > kMaxExprOps) return fail("the expression is too long");
        return true;
    }

  private:
    bool fail(std::string message) {
        err_.offset = base_ + pos_;
        err_.message = std::move(message);
        return false;
    }
    void skip_space() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
    }
    bool eat(char c) {
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    std::string_view ident() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && (is_ident_char(s_[pos_]) || s_[pos_] == '.')) ++pos_;
        return s_.substr(start, pos_ - start);
    }
    bool integer(std::int64_t& v) {
        skip_space();
        const std::size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        const auto r = std::from_chars(s_.data() + start, s_.data() + pos_, v);
        if (r.ec != std::errc() || r.ptr != s_.data() + pos_) {
            pos_ = start;
            return fail("expected an integer");
        }
        return true;
    }
    bool parse_env() {
        pos_ += 4;
        const std::string name(ident());
        skip_space();
        if (name.empty() || pos_ != s_.size()) return fail("expected {{env.NAME}}");
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return fail("the environment variable " + name + " is not set");
        env_ = value;
        return true;
    }
    bool sum() {
        if (!product()) return false;
        for (;;) {
            if (eat('+')) {
                if (!product()) return false;
                push_op(Kind::add);
            } else if (eat('-')) {
                if (!product()) return false;
                push_op(Kind::sub);
            } else {
                return true;
            }
        }
    }
    bool product() {
        if (!primary()) return false;
        for (;;) {
            Kind k;
            if (eat('*')) {
                k = Kind::mul;
            } else if (eat('/')) {
                k = Kind::div;
            } else if (eat('%')) {
                k = Kind::mod;
            } else {
                return true;
            }
            if (!primary()) return false;
            push_op(k);
        }
    }
    void push_op(Kind k) {
        ExprOp op;
        op.kind = k;
        out_.push_back(op);
    }
    bool primary() {
        skip_space();
        if (pos_ >= s_.size()) return fail("expected a value");
        const char c = s_[pos_];
        if (c == '(') {
            if (++depth_ > kMaxParentheses) return fail("parentheses nested too deep");
            ++pos_;
            if (!sum()) return false;
            if (!eat(')')) return fail("expected ')'");
            --depth_;
            return true;
        }
        if ((c >= '0' && c <= '9') || c == '-') {
            ExprOp op;
            if (!integer(op.value)) return false;
            out_.push_back(op);
            return true;
        }
        if (!is_ident_start(c)) return fail("unexpected '" + std::string(1, c) + "'");
        const std::size_t at = pos_;
        return name(ident(), at);
    }
    bool name(std::string_view n, std::size_t at) {
        ExprOp op;
        if (n == "conn.id") {
            op.kind = Kind::conn_id;
        } else if (n == "session.id") {
            op.kind = Kind::session_id;
        } else if (n == "seq") {
            op.kind = Kind::seq;
        } else if (n == "now_ms") {
            op.kind = Kind::now_ms;
        } else if (n == "now_us") {
            op.kind = Kind::now_us;
        } else if (n == "uuid") {
            op.kind = Kind::uuid;
        } else if (n == "rand.int") {
            op.kind = Kind::rand_int;
            if (!integer(op.value) || !integer(op.value2)) return false;
            if (op.value2 < op.value) return fail("rand.int A B needs A <= B");
        } else if (n == "rand.hex") {
            op.kind = Kind::rand_hex;
            if (!integer(op.value)) return false;
            if (op.value < 1 || op.value > kMaxHexDigits) {
                return fail("rand.hex N needs N from 1 to " + std::to_string(kMaxHexDigits));
            }
        } else if (n.rfind("data.", 0) == 0) {
            op.kind = Kind::data;
            if (!find(names_.data_columns, n.substr(5), op.index)) {
                pos_ = at;
                return fail(names_.data_columns.empty()
                                ? "{{" + std::string(n) + "}} but the scenario has no data feed"
                                : "the data feed has no column '" + std::string(n.substr(5)) + "'");
            }
        } else if (find(names_.slots, n, op.index)) {
            op.kind = Kind::slot;
        } else {
            pos_ = at;
            return fail("unknown name '" + std::string(n) +
                        "' (not a built-in, a var or a capture)");
        }
        out_.push_back(op);
        return true;
    }
    static bool find(const std::vector<std::string>& list, std::string_view n,
                     std::uint32_t& index) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i] == n) {
                index = static_cast<std::uint32_t>(i);
                return true;
            }
        }
        return false;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::size_t base_;
    const TemplateNames& names_;
    std::vector<ExprOp>& out_;
    std::string& env_;
    TemplateError& err_;
};

// Integer arithmetic text: an operand written as text must be a whole decimal integer.
bool text_integer(std::string_view s, std::int64_t& v) {
    if (s.empty()) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void append_integer(std::int64_t v, std::string& out) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_hex(Rng& rng, std::int64_t digits, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t bits = 0;
    for (std::int64_t i = 0; i < digits; ++i) {
        if (i % 16 == 0) bits = rng.next();
        out.push_back(kHex[bits & 0xF]);
        bits >>= 4;
    }
}

void append_uuid(Rng& rng, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint8_t b[16];
    const std::uint64_t hi = rng.next();
    const std::uint64_t lo = rng.next();
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<std::uint8_t>(hi >> (8 * i));
        b[8 + i] = static_cast<std::uint8_t>(lo >> (8 * i));
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4 (RFC 4122 §4.4)
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // variant 10
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[b[i] >> 4]);
        out.push_back(kHex[b[i] & 0xF]);
    }
}

std::string_view text_of(const ExprOp& op, const RenderContext& ctx) {
    const std::vector<std::string>* list = op.kind == Kind::data ? ctx.data_row : ctx.slots;
    if (list == nullptr || op.index >= list->size()) return {};
    return (*list)[op.index];
}

std::uint64_t random_below(Rng& rng, std::uint64_t n) {
    return n == 0 ? rng.next() : rng.next() % n;
}

// The integer value of an operand; false when it has none.
bool integer_of(const ExprOp& op, const RenderContext& ctx, std::int64_t& v) {
    switch (op.kind) {
        case Kind::integer:
            v = op.value;
            return true;
        case Kind::conn_id:
            v = static_cast<std::int64_t>(ctx.conn_id);
            return true;
        case Kind::session_id:
            v = static_cast<std::int64_t>(ctx.session_id);
            return true;
        case Kind::seq:
            v = static_cast<std::int64_t>(ctx.seq);
            return true;
        case Kind::now_ms:
            v = ctx.now_us / 1000;
            return true;
        case Kind::now_us:
            v = ctx.now_us;
            return true;
        case Kind::rand_int: {
            if (ctx.rng == nullptr) return false;
            const auto span = static_cast<std::uint64_t>(op.value2) -
                              static_cast<std::uint64_t>(op.value) + 1;  // 0: the whole range
            v = static_cast<std::int64_t>(static_cast<std::uint64_t>(op.value) +
                                          random_below(*ctx.rng, span));
            return true;
        }
        case Kind::data:
        case Kind::slot:
            return text_integer(text_of(op, ctx), v);
        default:
            return false;
    }
}

bool apply(Kind k, std::int64_t a, std::int64_t b, std::int64_t& r) {
    switch (k) {
        case Kind::add:
            return !__builtin_add_overflow(a, b, &r);
        case Kind::sub:
            return !__builtin_sub_overflow(a, b, &r);
        case Kind::mul:
            return !__builtin_mul_overflow(a, b, &r);
        case Kind::div:
        case Kind::mod:
            if (b == 0 || (a == std::numeric_limits<std::int64_t>::min() && b == -1)) return false;
            r = k == Kind::div ? a / b : a % b;
            return true;
        default:
            return false;
    }
}

bool is_operator(Kind k) {
    return k == Kind::add || k == Kind::sub || k == Kind::mul || k == Kind::div || k == Kind::mod;
}

// Evaluates a postfix expression of more than one operation to an integer.
bool evaluate(const std::vector<ExprOp>& expr, const RenderContext& ctx, std::int64_t& result) {
    std::int64_t stack[kMaxExprOps + 1];
    std::size_t depth = 0;
    for (const ExprOp& op : expr) {
        if (is_operator(op.kind)) {
            if (depth < 2) return false;
            std::int64_t r = 0;
            if (!apply(op.kind, stack[depth - 2], stack[depth - 1], r)) return false;
            stack[depth - 2] = r;
            --depth;
        } else {
            if (depth > kMaxExprOps || !integer_of(op, ctx, stack[depth])) return false;
            ++depth;
        }
    }
    if (depth != 1) return false;
    result = stack[0];
    return true;
}

// Writes one variable piece's value (raw) to `out`.
bool render_value(const TemplatePiece& piece, const RenderContext& ctx, std::string& out) {
    const ExprOp& first = piece.expr.front();
    if (piece.expr.size() == 1) {
        switch (first.kind) {
            case Kind::uuid:
                if (ctx.rng == nullptr) return false;
                append_uuid(*ctx.rng, out);
                return true;
            case Kind::rand_hex:
                if (ctx.rng == nullptr) return false;
                append_hex(*ctx.rng, first.value, out);
                return true;
            case Kind::data:
            case Kind::slot:
                out.append(text_of(first, ctx));
                return true;
            default:
                break;
        }
    }
    std::int64_t v = 0;
    if (!evaluate(piece.expr, ctx, v)) return false;
    append_integer(v, out);
    return true;
}

}  // namespace

void append_json_escaped(std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(ch);
                }
        }
    }
}

Template Template::literal(std::string text) {
    Template t;
    t.source_ = text;
    t.append_literal(text);
    return t;
}

bool Template::compile(std::string_view text, const TemplateNames& names, Escape escape,
                       Template& out, TemplateError& err) {
    Template t;
    t.source_ = std::string(text);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            t.append_literal(text.substr(pos));
            break;
        }
        t.append_literal(text.substr(pos, open - pos));
        const std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            err.offset = open;
            err.message = "'{{' without its '}}'";
            return false;
        }
        TemplatePiece piece;
        piece.escape = escape;
        std::string env_value;
        bool is_env = false;
        ExprParser parser(text.substr(open + 2, close - open - 2), open + 2, names, piece.expr,
                          env_value, err);
        if (!parser.parse(is_env)) return false;
        if (is_env) {
            if (escape == Escape::json_string) {
                std::string escaped;
                append_json_escaped(env_value, escaped);
                env_value = std::move(escaped);
            }
            t.append_literal(env_value);
        } else {
            for (const ExprOp& op : piece.expr) {
                if (piece.expr.size() > 1 && (op.kind == Kind::uuid || op.kind == Kind::rand_hex)) {
                    err.offset = open + 2;
                    err.message = "uuid and rand.hex are text, not integers for arithmetic";
                    return false;
                }
            }
            t.pieces_.push_back(std::move(piece));
        }
        pos = close + 2;
    }
    out = std::move(t);
    return true;
}

bool Template::render(const RenderContext& ctx, std::string& out) const {
    bool ok = true;
    for (const TemplatePiece& piece : pieces_) {
        if (piece.expr.empty()) {
            out.append(piece.literal);
            continue;
        }
        if (piece.escape == Escape::none) {
            ok = render_value(piece, ctx, out) && ok;
            continue;
        }
        // Only text from data, captures and vars can need escaping.
        const ExprOp& first = piece.expr.front();
        if (piece.expr.size() == 1 && (first.kind == Kind::data || first.kind == Kind::slot)) {
            append_json_escaped(text_of(first, ctx), out);
        } else {
            ok = render_value(piece, ctx, out) && ok;
        }
    }
    return ok;
}

bool Template::is_literal() const noexcept {
    for (const TemplatePiece& p : pieces_) {
        if (!p.expr.empty()) return false;
    }
    return true;
}

bool Template::is_single_integer() const noexcept {
    if (pieces_.size() != 1 || pieces_.front().expr.empty()) return false;
    const auto& expr = pieces_.front().expr;
    if (expr.size() > 1) return true;  // arithmetic
    return !is_text_kind(expr.front().kind);
}

void Template::append(const Template& other) {
    for (const TemplatePiece& p : other.pieces_) {
        if (p.expr.empty()) {
            append_literal(p.literal);
        } else {
            pieces_.push_back(p);
        }
    }
    source_ += other.source_;
}

void Template::append_literal(std::string_view text) {
    if (text.empty()) return;
    if (!pieces_.empty() && pieces_.back().expr.empty()) {
        pieces_.back().literal.append(text);
        return;
    }
    TemplatePiece p;
    p.literal = std::string(text);
    pieces_.push_back(std::move(p));
}

}  // namespace wsb::scenario
