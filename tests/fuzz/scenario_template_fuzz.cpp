// libFuzzer target for the template engine: any text compiles or is refused with an offset
// inside it; a compiled template renders (or reports a failed arithmetic) without crashing;
// text without "{{" renders as itself; a text value rendered with JSON escaping inside quotes
// is a valid JSON string whose value is the raw rendering.
//
// Input: [seq: 2 bytes][conn id: 2 bytes][template text...]
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "wsbench/scenario/template.hpp"

using namespace wsb::scenario;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    const std::uint16_t seq = in.u16();
    const std::uint16_t conn = in.u16();
    const std::string_view text(reinterpret_cast<const char*>(in.rest()), in.rest_size());
    const TemplateNames names{{"user", "n"}, {"room", "sid"}};
    const std::vector<std::string> row{"al\"ice\n", "12"};
    const std::vector<std::string> slots{"r\\1", "-3"};

    Template t;
    TemplateError err;
    if (!Template::compile(text, names, Escape::none, t, err)) {
        FUZZ_CHECK(err.offset <= text.size());
        FUZZ_CHECK(!err.message.empty());
        return 0;
    }
    RenderContext ctx;
    ctx.seq = seq;
    ctx.conn_id = conn;
    ctx.session_id = conn;
    ctx.now_us = 1'700'000'000'000'000;
    ctx.data_row = &row;
    ctx.slots = &slots;
    Rng rng(seq);
    ctx.rng = &rng;
    std::string raw;
    const bool ok = t.render(ctx, raw);
    if (text.find("{{") == std::string_view::npos) FUZZ_CHECK(ok && raw == text);

    // The same text compiled for a JSON string: escaping must give back the raw rendering.
    Template j;
    FUZZ_CHECK(Template::compile(text, names, Escape::json_string, j, err));
    if (!t.is_literal() && ok) {
        bool pieces_only = true;  // literal runs are not escaped: check variable output only
        for (const TemplatePiece& p : j.pieces()) pieces_only = pieces_only && !p.expr.empty();
        if (pieces_only) {
            Rng again(seq);
            ctx.rng = &again;
            std::string escaped = "\"";
            FUZZ_CHECK(j.render(ctx, escaped));
            escaped += "\"";
            Rng first(seq);
            ctx.rng = &first;
            raw.clear();
            FUZZ_CHECK(t.render(ctx, raw));
            const nlohmann::json parsed = nlohmann::json::parse(escaped, nullptr, false);
            FUZZ_CHECK(!parsed.is_discarded() && parsed.is_string());
            FUZZ_CHECK(parsed.get<std::string>() == raw);
        }
    }
    return 0;
}
