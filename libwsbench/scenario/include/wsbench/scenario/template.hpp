// Templates of scenario files ("room-{{conn.id % 10}}"): compiled once into literal and
// variable pieces, rendered per send into a caller's buffer without parsing anything again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsb::scenario {

/// The per-session random source of {{uuid}}, {{rand.int A B}} and {{rand.hex N}}
/// (splitmix64: small, fast, seeded per session so runs can be repeated).
class Rng {
  public:
    explicit Rng(std::uint64_t seed = 0) noexcept : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

  private:
    std::uint64_t state_;
};

/// What a template reads when it is rendered. Time is passed in (only workers read the clock).
struct RenderContext {
    std::uint64_t conn_id = 0;     ///< {{conn.id}}: the connection's global index
    std::uint64_t session_id = 0;  ///< {{session.id}}: the session's global index
    std::uint64_t seq = 0;         ///< {{seq}}: the session's send counter
    std::int64_t now_us = 0;       ///< {{now_us}}, {{now_ms}}: microseconds since the epoch
    const std::vector<std::string>* data_row = nullptr;  ///< {{data.COL}}, by column index
    const std::vector<std::string>* slots = nullptr;     ///< vars and captures, by slot
    Rng* rng = nullptr;                                  ///< {{uuid}}, {{rand.*}}
};

/// The names a template may refer to, fixed when the scenario is loaded.
struct TemplateNames {
    std::vector<std::string> data_columns;  ///< {{data.NAME}}
    std::vector<std::string> slots;         ///< vars and captures ({{NAME}}), slot = index
};

/// How a variable piece is written: as is, or escaped to sit inside a JSON string.
enum class Escape : std::uint8_t { none, json_string };

/// One operand or operator of an expression, in postfix order.
struct ExprOp {
    enum class Kind : std::uint8_t {
        integer,     ///< the literal `value`
        conn_id,     ///< {{conn.id}}
        session_id,  ///< {{session.id}}
        seq,         ///< {{seq}}
        now_ms,      ///< {{now_ms}}
        now_us,      ///< {{now_us}}
        rand_int,    ///< {{rand.int A B}}: uniform in [value, value2]
        rand_hex,    ///< {{rand.hex N}}: N lowercase hex digits (text)
        uuid,        ///< {{uuid}}: a random RFC 4122 version 4 UUID (text)
        data,        ///< {{data.COL}}: column `index` of the session's data row
        slot,        ///< a var or a capture: slot `index`
        add,
        sub,
        mul,
        div,
        mod,
    };
    Kind kind = Kind::integer;
    std::int64_t value = 0;
    std::int64_t value2 = 0;
    std::uint32_t index = 0;
};

/// A piece of a template: literal text, or an expression whose value is written.
struct TemplatePiece {
    std::string literal;       ///< the text of a literal piece
    std::vector<ExprOp> expr;  ///< empty for a literal piece
    Escape escape = Escape::none;
};

/// Why a template did not compile: the message and the offset in the template's text.
struct TemplateError {
    std::size_t offset = 0;
    std::string message;
};

/// A compiled template. Render appends to `out` and allocates only when `out` must grow.
class Template {
  public:
    Template() = default;
    /// A template that is only `text` (no {{...}} looked for).
    static Template literal(std::string text);

    /// Compiles `text`: literal runs and {{expr}} pieces. expr is one of conn.id, session.id,
    /// seq, uuid, now_ms, now_us, env.NAME (read now, must be set), data.COL, rand.int A B,
    /// rand.hex N, a var or capture name, or integer arithmetic (+ - * / %, parentheses) over
    /// integers and those names. Spaces inside {{ }} are free. On error returns false and
    /// fills `err`.
    static bool compile(std::string_view text, const TemplateNames& names, Escape escape,
                        Template& out, TemplateError& err);

    /// Appends the rendered text. Returns false when an arithmetic operand is not an integer
    /// or a division by zero happened (the piece then writes nothing).
    bool render(const RenderContext& ctx, std::string& out) const;

    /// True when the template has no variable piece (render always gives the same text).
    bool is_literal() const noexcept;
    /// True when the template is exactly one expression whose value is an integer.
    bool is_single_integer() const noexcept;
    /// The text the template was compiled from.
    const std::string& source() const noexcept { return source_; }

    /// Appends `other`'s pieces (literal runs merged).
    void append(const Template& other);
    void append_literal(std::string_view text);
    const std::vector<TemplatePiece>& pieces() const noexcept { return pieces_; }

  private:
    std::vector<TemplatePiece> pieces_;
    std::string source_;
};

/// Appends `s` escaped for the inside of a JSON string (RFC 8259 §7).
void append_json_escaped(std::string_view s, std::string& out);

}  // namespace wsb::scenario
