// The template engine: built-ins, data, vars and captures, arithmetic, JSON escaping, and
// compile errors with their offsets.
#include "wsbench/scenario/template.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

namespace wsb::scenario {
namespace {

struct Fixture {
    TemplateNames names{{"user", "token"}, {"room", "sid"}};
    std::vector<std::string> row{"alice", "t\"0k"};
    std::vector<std::string> slots{"room-7", "42"};
    Rng rng{1};
    RenderContext ctx() {
        RenderContext c;
        c.conn_id = 17;
        c.session_id = 23;
        c.seq = 5;
        c.now_us = 1'700'000'123'456;
        c.data_row = &row;
        c.slots = &slots;
        c.rng = &rng;
        return c;
    }
    std::string render(std::string_view text, Escape escape = Escape::none) {
        Template t;
        TemplateError err;
        EXPECT_TRUE(Template::compile(text, names, escape, t, err)) << text << ": " << err.message;
        std::string out;
        EXPECT_TRUE(t.render(ctx(), out)) << text;
        return out;
    }
    TemplateError error(std::string_view text) {
        Template t;
        TemplateError err;
        EXPECT_FALSE(Template::compile(text, names, Escape::none, t, err)) << text;
        return err;
    }
};

TEST(Template, LiteralTextIsKeptAsIs) {
    Fixture f;
    EXPECT_EQ(f.render("plain {text} } {"), "plain {text} } {");
    EXPECT_EQ(f.render(""), "");
}

TEST(Template, BuiltinsRenderTheContext) {
    Fixture f;
    EXPECT_EQ(f.render("{{conn.id}}/{{session.id}}/{{seq}}"), "17/23/5");
    EXPECT_EQ(f.render("{{ now_us }} {{now_ms}}"), "1700000123456 1700000123");
}

TEST(Template, DataVarsAndCapturesByName) {
    Fixture f;
    EXPECT_EQ(f.render("{{data.user}}:{{room}}:{{sid}}"), "alice:room-7:42");
}

TEST(Template, ArithmeticWithPrecedenceAndParentheses) {
    Fixture f;
    EXPECT_EQ(f.render("room-{{conn.id % 10}}"), "room-7");
    EXPECT_EQ(f.render("{{1 + 2 * 3}}"), "7");
    EXPECT_EQ(f.render("{{(1 + 2) * 3}}"), "9");
    EXPECT_EQ(f.render("{{seq - 10}}"), "-5");
    EXPECT_EQ(f.render("{{sid / 4 + conn.id}}"), "27");  // a captured integer in arithmetic
}

TEST(Template, ArithmeticOnTextOrDivisionByZeroFailsTheRender) {
    Fixture f;
    Template t;
    TemplateError err;
    ASSERT_TRUE(Template::compile("x{{room + 1}}y", f.names, Escape::none, t, err));
    std::string out;
    EXPECT_FALSE(t.render(f.ctx(), out));
    EXPECT_EQ(out, "xy");
    ASSERT_TRUE(Template::compile("{{seq / (conn.id - 17)}}", f.names, Escape::none, t, err));
    out.clear();
    EXPECT_FALSE(t.render(f.ctx(), out));
}

TEST(Template, RandomValuesHaveTheirShape) {
    Fixture f;
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string v = f.render("{{rand.int 3 5}}");
        EXPECT_TRUE(v == "3" || v == "4" || v == "5") << v;
        seen.insert(v);
        const std::string hex = f.render("{{rand.hex 21}}");
        EXPECT_EQ(hex.size(), 21u);
        EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
    }
    EXPECT_EQ(seen.size(), 3u);  // every value of the range comes up
    const std::string uuid = f.render("{{uuid}}");
    ASSERT_EQ(uuid.size(), 36u);
    EXPECT_EQ(uuid[8], '-');
    EXPECT_EQ(uuid[14], '4');                                          // version 4
    EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);  // variant 10
    EXPECT_NE(f.render("{{uuid}}"), uuid);
}

TEST(Template, EnvironmentIsReadWhenCompiled) {
    Fixture f;
    ::setenv("WSB_TEMPLATE_TEST", "s3cr\"t", 1);
    EXPECT_EQ(f.render("Bearer {{env.WSB_TEMPLATE_TEST}}"), "Bearer s3cr\"t");
    EXPECT_EQ(f.render("{{env.WSB_TEMPLATE_TEST}}", Escape::json_string), "s3cr\\\"t");
    ::unsetenv("WSB_TEMPLATE_TEST_UNSET");
    EXPECT_NE(f.error("{{env.WSB_TEMPLATE_TEST_UNSET}}").message.find("is not set"),
              std::string::npos);
}

TEST(Template, JsonEscapingAppliesToTextValues) {
    Fixture f;
    EXPECT_EQ(f.render("{{data.token}}", Escape::json_string), "t\\\"0k");
    EXPECT_EQ(f.render("{{seq}}", Escape::json_string), "5");
}

TEST(Template, SingleIntegerIsDetected) {
    Fixture f;
    Template t;
    TemplateError err;
    ASSERT_TRUE(Template::compile("{{seq}}", f.names, Escape::none, t, err));
    EXPECT_TRUE(t.is_single_integer());
    ASSERT_TRUE(Template::compile("{{conn.id % 3}}", f.names, Escape::none, t, err));
    EXPECT_TRUE(t.is_single_integer());
    ASSERT_TRUE(Template::compile("{{sid}}", f.names, Escape::none, t, err));
    EXPECT_FALSE(t.is_single_integer());  // a capture is text
    ASSERT_TRUE(Template::compile("n{{seq}}", f.names, Escape::none, t, err));
    EXPECT_FALSE(t.is_single_integer());
    EXPECT_FALSE(t.is_literal());
}

TEST(Template, ErrorsNameWhatAndWhere) {
    Fixture f;
    TemplateError e = f.error("ab{{seq");
    EXPECT_EQ(e.offset, 2u);
    EXPECT_NE(e.message.find("'}}'"), std::string::npos);
    e = f.error("x{{nope}}");
    EXPECT_EQ(e.offset, 3u);
    EXPECT_NE(e.message.find("unknown name 'nope'"), std::string::npos);
    e = f.error("{{data.email}}");
    EXPECT_NE(e.message.find("no column 'email'"), std::string::npos);
    EXPECT_NE(f.error("{{seq +}}").message.find("expected a value"), std::string::npos);
    EXPECT_NE(f.error("{{rand.int 5 1}}").message.find("A <= B"), std::string::npos);
    EXPECT_NE(f.error("{{rand.hex 0}}").message.find("rand.hex"), std::string::npos);
    EXPECT_NE(f.error("{{uuid + 1}}").message.find("not integers"), std::string::npos);
    EXPECT_NE(f.error("{{(seq}}").message.find("')'"), std::string::npos);
    EXPECT_NE(f.error("{{}}").message.find("expected a value"), std::string::npos);
    EXPECT_NE(f.error("{{" + std::string(10000, '(') + "}}").message.find("too deep"),
              std::string::npos);  // found by scenario_template_fuzz: a stack overflow
    EXPECT_NE(f.error("{{99999999999999999999}}").message.find("integer"), std::string::npos);
}

TEST(Template, OverflowFailsTheRenderInsteadOfWrapping) {
    Fixture f;
    Template t;
    TemplateError err;
    ASSERT_TRUE(Template::compile("{{9223372036854775807 + seq}}", f.names, Escape::none, t, err));
    std::string out;
    EXPECT_FALSE(t.render(f.ctx(), out));
    ASSERT_TRUE(Template::compile("{{-9223372036854775807 - 1}}", f.names, Escape::none, t, err));
    out.clear();
    EXPECT_TRUE(t.render(f.ctx(), out));
    EXPECT_EQ(out, "-9223372036854775808");
}

TEST(Template, RenderAppendsWithoutGrowingAWarmBuffer) {
    Fixture f;
    Template t;
    TemplateError err;
    ASSERT_TRUE(Template::compile(R"({"id":{{seq}},"room":"{{room}}"})", f.names,
                                  Escape::json_string, t, err));
    std::string out;
    out.reserve(256);
    const auto* data = out.data();
    for (int i = 0; i < 100; ++i) {
        out.clear();
        ASSERT_TRUE(t.render(f.ctx(), out));
    }
    EXPECT_EQ(out, R"({"id":5,"room":"room-7"})");
    EXPECT_EQ(out.data(), data);
}

}  // namespace
}  // namespace wsb::scenario
