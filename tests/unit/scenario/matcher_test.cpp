// The matcher on incoming messages (json subset, contains, regex, type), JSON paths and
// captures.
#include "wsbench/scenario/matcher.hpp"

#include <gtest/gtest.h>

namespace wsb::scenario {
namespace {

IncomingMessage text(std::string_view s) { return {MessageType::text, s, s.size()}; }

JsonField scalar(std::string key, std::uint32_t index) {
    JsonField f;
    f.key = std::move(key);
    f.value_index = index;
    return f;
}

// {"op": V0, "meta": {"room": V1}, "tags": [V2, V3]}
Matcher nested_matcher() {
    Matcher m;
    m.has_json = true;
    m.json.push_back(scalar("op", 0));
    JsonField meta;
    meta.key = "meta";
    meta.kind = JsonField::Kind::object;
    meta.children.push_back(scalar("room", 1));
    m.json.push_back(meta);
    JsonField tags;
    tags.key = "tags";
    tags.kind = JsonField::Kind::array;
    tags.children.push_back(scalar("", 2));
    tags.children.push_back(scalar("", 3));
    m.json.push_back(tags);
    return m;
}

TEST(JsonPath, CompilesToJsonPointers) {
    std::string p;
    TemplateError err;
    ASSERT_TRUE(json_path_to_pointer("$", p, err));
    EXPECT_EQ(p, "");
    ASSERT_TRUE(json_path_to_pointer("$.a.b[0]", p, err));
    EXPECT_EQ(p, "/a/b/0");
    ASSERT_TRUE(json_path_to_pointer("$['x/y~z'][12].c", p, err));
    EXPECT_EQ(p, "/x~1y~0z/12/c");
}

TEST(JsonPath, RefusesMalformedPathsWithTheOffset) {
    std::string p;
    TemplateError err;
    EXPECT_FALSE(json_path_to_pointer("a.b", p, err));
    EXPECT_EQ(err.offset, 0u);
    EXPECT_FALSE(json_path_to_pointer("$.a..b", p, err));
    EXPECT_EQ(err.offset, 4u);
    EXPECT_FALSE(json_path_to_pointer("$.a[x]", p, err));
    EXPECT_FALSE(json_path_to_pointer("$.a[0", p, err));
    EXPECT_FALSE(json_path_to_pointer("$['a]", p, err));
    EXPECT_FALSE(json_path_to_pointer("$x", p, err));
}

TEST(Matcher, JsonSubsetNestedObjectsAndArrays) {
    const Matcher m = nested_matcher();
    JsonScratch js;
    const BoundValues v{"join", "r1", "a", "7"};
    EXPECT_TRUE(m.matches(
        text(R"({"extra":1,"tags":["a",7],"meta":{"room":"r1","x":[1,2]},"op":"join"})"), v, js));
    EXPECT_FALSE(m.matches(text(R"({"op":"join","meta":{"room":"r2"},"tags":["a",7]})"), v, js));
    EXPECT_FALSE(m.matches(text(R"({"op":"join","meta":{"room":"r1"},"tags":["a"]})"), v, js));
    EXPECT_FALSE(m.matches(text(R"({"op":"join","meta":{"room":"r1"},"tags":["a",7,8]})"), v, js));
    EXPECT_FALSE(m.matches(text(R"({"op":"join","meta":"r1","tags":["a",7]})"), v, js));
    EXPECT_FALSE(m.matches(text(R"({"meta":{"room":"r1"},"tags":["a",7]})"), v, js));
}

TEST(Matcher, ScalarsCompareByTextSoNumbersMatchTemplatedIds) {
    Matcher m;
    m.has_json = true;
    m.json.push_back(scalar("id", 0));
    JsonScratch js;
    EXPECT_TRUE(m.matches(text(R"({"id":17})"), {"17"}, js));
    EXPECT_TRUE(m.matches(text(R"({"id":"17"})"), {"17"}, js));
    EXPECT_TRUE(m.matches(text(R"({ "id" : 17 , "result": null })"), {"17"}, js));
    EXPECT_FALSE(m.matches(text(R"({"id":170})"), {"17"}, js));
    EXPECT_TRUE(m.matches(text(R"({"id":"a\"b"})"), {"a\"b"}, js));  // unescaped
    EXPECT_TRUE(m.matches(text(R"({"id":true})"), {"true"}, js));
    EXPECT_FALSE(m.matches(text(R"({"id":{"x":1}})"), {"17"}, js));
}

TEST(Matcher, NotJsonOrNotAnObjectNeverMatchesAndNeverCrashes) {
    Matcher m;
    m.has_json = true;
    m.json.push_back(scalar("id", 0));
    JsonScratch js;
    for (std::string_view s :
         {"", "{", "[1,2]", "17", "{\"id\":", "not json", "\"id\"", "{\"id\":17", "{\"id\" 17}"}) {
        EXPECT_FALSE(m.matches(text(s), {"17"}, js)) << s;
    }
}

TEST(Matcher, ReadsInPlaceWhenThePayloadHasPadding) {
    Matcher m;
    m.has_json = true;
    m.json.push_back(scalar("op", 0));
    std::string buffer = R"({"op":"tick"})";
    const std::size_t size = buffer.size();
    buffer.resize(size + 64, ' ');
    JsonScratch js;
    EXPECT_TRUE(m.matches({MessageType::text, std::string_view(buffer.data(), size), buffer.size()},
                          {"tick"}, js));
}

TEST(Matcher, ContainsRegexAndTypeAllMustHold) {
    Matcher m;
    m.has_contains = true;
    m.contains_index = 0;
    m.values.push_back(Template::literal("ok"));
    m.regex = std::regex("^id=[0-9]+");
    m.type = MessageType::text;
    JsonScratch js;
    const BoundValues v{"ok"};
    EXPECT_TRUE(m.matches(text("id=12 ok"), v, js));
    EXPECT_FALSE(m.matches(text("id=12 ko"), v, js));
    EXPECT_FALSE(m.matches(text("xid=12 ok"), v, js));
    EXPECT_FALSE(m.matches({MessageType::binary, "id=12 ok", 8}, v, js));
}

TEST(Matcher, BindRendersTheExpectedValues) {
    Matcher m;
    m.values.push_back(Template::literal("a"));
    TemplateNames names;
    Template t;
    TemplateError err;
    ASSERT_TRUE(Template::compile("{{seq}}", names, Escape::none, t, err));
    m.values.push_back(t);
    EXPECT_FALSE(m.is_static());
    RenderContext ctx;
    ctx.seq = 9;
    BoundValues v;
    ASSERT_TRUE(m.bind(ctx, v));
    EXPECT_EQ(v, (BoundValues{"a", "9"}));
}

TEST(Capture, JsonPathTakesStringsUnescapedAndOtherValuesAsJson) {
    JsonScratch js;
    Capture c;
    std::string out;
    const auto msg = text(R"({"session":"s\"1","n":[10,{"k":true}],"o":{"a":1}})");
    c.pointer = "/session";
    ASSERT_TRUE(c.extract(msg, js, out));
    EXPECT_EQ(out, "s\"1");
    c.pointer = "/n/0";
    ASSERT_TRUE(c.extract(msg, js, out));
    EXPECT_EQ(out, "10");
    c.pointer = "/n/1/k";
    ASSERT_TRUE(c.extract(msg, js, out));
    EXPECT_EQ(out, "true");
    c.pointer = "/o";
    ASSERT_TRUE(c.extract(msg, js, out));
    EXPECT_EQ(out, R"({"a":1})");
    c.pointer = "/missing";
    EXPECT_FALSE(c.extract(msg, js, out));
    c.pointer = "/n/5";
    EXPECT_FALSE(c.extract(msg, js, out));
    EXPECT_FALSE(c.extract(text("nope"), js, out));
}

TEST(Capture, RegexGroup) {
    JsonScratch js;
    Capture c;
    c.regex = std::regex("token=([a-z0-9]+)");
    c.group = 1;
    std::string out;
    ASSERT_TRUE(c.extract(text("hello token=ab12; x"), js, out));
    EXPECT_EQ(out, "ab12");
    EXPECT_FALSE(c.extract(text("hello"), js, out));
}

TEST(Capture, IntegerForSentAt) {
    JsonScratch js;
    std::int64_t v = 0;
    ASSERT_TRUE(extract_integer(text(R"({"ts_us":1700000000123456})"), "/ts_us", js, v));
    EXPECT_EQ(v, 1700000000123456);
    ASSERT_TRUE(extract_integer(text(R"({"ts_us":"42"})"), "/ts_us", js, v));
    EXPECT_EQ(v, 42);
    EXPECT_FALSE(extract_integer(text(R"({"ts_us":1.5})"), "/ts_us", js, v));
    EXPECT_FALSE(extract_integer(text(R"({"ts":1})"), "/ts_us", js, v));
}

TEST(Matcher, RulesOnOneMessageShareOneIndexAndANewMessageIsIndexedAgain) {
    Matcher id;
    id.has_json = true;
    id.json.push_back(scalar("id", 0));
    JsonScratch js;
    // One buffer, two messages of the same size at the same address, as a read buffer reuses.
    std::string buffer = R"({"id":"7","x":1})";
    const IncomingMessage msg = text(buffer);
    js.new_message();
    EXPECT_FALSE(id.matches(msg, {"8"}, js));
    EXPECT_TRUE(id.matches(msg, {"7"}, js));  // the same message, rewound
    Capture c;
    c.pointer = "/x";
    std::string out;
    EXPECT_TRUE(c.extract(msg, js, out));
    EXPECT_EQ(out, "1");
    EXPECT_TRUE(id.matches(msg, {"7"}, js));
    buffer.replace(0, buffer.size(), R"({"id":"8","x":2})");
    js.new_message();
    EXPECT_TRUE(id.matches(msg, {"8"}, js));
    EXPECT_FALSE(id.matches(msg, {"7"}, js));
}

TEST(Matcher, ATruncatedJsonMessageMatchesNothing) {
    Matcher id;
    id.has_json = true;
    id.json.push_back(scalar("id", 0));
    JsonScratch js;
    const std::string buffer = R"({"id":"8","x":2 )";
    js.new_message();
    EXPECT_FALSE(id.matches(text(buffer), {"8"}, js));
    EXPECT_FALSE(id.matches(text(buffer), {"8"}, js));
}

}  // namespace
}  // namespace wsb::scenario
