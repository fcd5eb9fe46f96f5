// Tests of the graphql-transport-ws codec: the client messages of PROTOCOL.md byte for byte,
// JSON string escaping, the decoder's type/id/payload on the server messages, its skipping of
// nested and escaped values, and every malformed message named.
#include "wsbench/proto/graphql_ws.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace wsb::graphql_ws {
namespace {

TEST(GraphqlWsEncoder, ConnectionInit) {
    std::string out = "kept";
    encode_connection_init(out);
    EXPECT_EQ(out, R"(kept{"type":"connection_init"})");
    out.clear();
    encode_connection_init(out, R"({"token":"abc"})");
    EXPECT_EQ(out, R"({"type":"connection_init","payload":{"token":"abc"}})");
}

TEST(GraphqlWsEncoder, Subscribe) {
    std::string out;
    encode_subscribe(out, "1", "{ hello }");
    EXPECT_EQ(out, R"({"id":"1","type":"subscribe","payload":{"query":"{ hello }"}})");
    out.clear();
    encode_subscribe(out, "op-2", "subscription T($n: Int) {\n  ticks(n: $n) { sentAt }\n}",
                     R"({"n":3})", "T");
    EXPECT_EQ(out, R"({"id":"op-2","type":"subscribe","payload":{"query":"subscription T($n: Int) )"
                   R"({\n  ticks(n: $n) { sentAt }\n}","variables":{"n":3},"operationName":"T"}})");
    // What we write is JSON that says what we meant.
    const auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["payload"]["query"], "subscription T($n: Int) {\n  ticks(n: $n) { sentAt }\n}");
    EXPECT_EQ(j["payload"]["variables"]["n"], 3);
}

TEST(GraphqlWsEncoder, CompletePingPong) {
    std::string out;
    encode_complete(out, "7");
    encode_ping(out);
    encode_pong(out, R"({"t":1})");
    EXPECT_EQ(out,
              R"({"id":"7","type":"complete"}{"type":"ping"}{"type":"pong","payload":{"t":1}})");
}

TEST(GraphqlWsEncoder, JsonStringEscaping) {
    std::string out;
    append_json_string(out, std::string("a\"b\\c\n\r\t\b\f\x01\x1f/\xc3\xa9", 15));
    EXPECT_EQ(out, R"("a\"b\\c\n\r\t\b\f\u0001\u001f/)"
                   "\xc3\xa9\"");
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(),
              std::string("a\"b\\c\n\r\t\b\f\x01\x1f/\xc3\xa9", 15));
}

TEST(GraphqlWsDecoder, ServerMessages) {
    Message m;
    ASSERT_EQ(decode(R"({"type":"connection_ack"})", m), Errc::ok);
    EXPECT_EQ(m.type, Type::connection_ack);
    EXPECT_FALSE(m.has_id);
    EXPECT_EQ(m.payload, "");

    ASSERT_EQ(decode(R"({"id":"1","type":"next","payload":{"data":{"hello":"world"}}})", m),
              Errc::ok);
    EXPECT_EQ(m.type, Type::next);
    EXPECT_TRUE(m.has_id);
    EXPECT_EQ(m.id, "1");
    EXPECT_EQ(m.payload, R"({"data":{"hello":"world"}})");

    ASSERT_EQ(decode(R"({"id":"2","type":"error","payload":[{"message":"boom"}]})", m), Errc::ok);
    EXPECT_EQ(m.type, Type::error);
    EXPECT_EQ(m.payload, R"([{"message":"boom"}])");

    ASSERT_EQ(decode(R"({"id":"2","type":"complete"})", m), Errc::ok);
    EXPECT_EQ(m.type, Type::complete);
    ASSERT_EQ(decode(R"({"type":"ping","payload":{"x":1}})", m), Errc::ok);
    EXPECT_EQ(m.type, Type::ping);
    ASSERT_EQ(decode(R"({"type":"pong"})", m), Errc::ok);
    EXPECT_EQ(m.type, Type::pong);
}

TEST(GraphqlWsDecoder, UnknownTypeKeepsItsText) {
    Message m;
    ASSERT_EQ(decode(R"({"type":"ka","extra":[1,2]})", m), Errc::ok);
    EXPECT_EQ(m.type, Type::unknown);
    EXPECT_EQ(m.type_text, "ka");
}

TEST(GraphqlWsDecoder, SkipsNestedAndEscapedValuesAndWhitespace) {
    const std::string text =
        " \r\n{ \"payload\" : {\"data\":{\"s\":\"a\\\"}]\\\\\",\"u\":\"\\u00e9\\n\","
        "\"a\":[[],{},[{\"k\":[-0.5e+3,1E2,0,true,false,null]}]]}} ,\t"
        "\"other\":{\"type\":\"next\"}, \"id\" : \"x\\\"y\", \"type\":\"next\" }\n";
    Message m;
    ASSERT_EQ(decode(text, m), Errc::ok);
    EXPECT_EQ(m.type, Type::next);
    EXPECT_EQ(m.id, "x\\\"y") << "escapes are left as they are";
    EXPECT_EQ(nlohmann::json::parse(m.payload)["data"]["s"], "a\"}]\\");
    EXPECT_EQ(m.payload.front(), '{');
    EXPECT_EQ(m.payload.back(), '}');
}

TEST(GraphqlWsDecoder, FirstOfRepeatedKeysWins) {
    Message m;
    ASSERT_EQ(
        decode(R"({"type":"next","id":"1","type":"error","id":"2","payload":1,"payload":2})", m),
        Errc::ok);
    EXPECT_EQ(m.type, Type::next);
    EXPECT_EQ(m.id, "1");
    EXPECT_EQ(m.payload, "1");
}

TEST(GraphqlWsDecoder, DeepNestingUpToTheLimit) {
    const auto nested = [](std::size_t depth) {
        // The top-level object is depth 1; the payload's arrays add depth - 1 more.
        return R"({"type":"ping","payload":)" + std::string(depth - 1, '[') +
               std::string(depth - 1, ']') + "}";
    };
    Message m;
    EXPECT_EQ(decode(nested(kMaxDepth), m), Errc::ok);
    std::size_t at = 0;
    EXPECT_EQ(decode(nested(kMaxDepth + 1), m, &at), Errc::too_deep);
    EXPECT_EQ(at, 25 + kMaxDepth - 1);
}

struct Bad {
    const char* name;
    const char* text;
    Errc error;
    std::size_t offset;
};

class GraphqlWsMalformed : public ::testing::TestWithParam<Bad> {};

TEST_P(GraphqlWsMalformed, IsNamed) {
    Message m;
    std::size_t at = 12345;
    EXPECT_EQ(decode(GetParam().text, m, &at), GetParam().error) << GetParam().text;
    EXPECT_EQ(at, GetParam().offset) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Messages, GraphqlWsMalformed,
    ::testing::Values(Bad{"Empty", "", Errc::bad_json, 0},
                      Bad{"Unterminated", R"({"type":"next")", Errc::bad_json, 14},
                      Bad{"UnterminatedString", R"({"type":"nex)", Errc::bad_json, 12},
                      Bad{"BadEscape", R"({"type":"a\x"})", Errc::bad_json, 11},
                      Bad{"ShortUnicodeEscape", R"({"type":"\u12"})", Errc::bad_json, 13},
                      Bad{"ControlCharInString", "{\"type\":\"a\tb\"}", Errc::bad_json, 10},
                      Bad{"TrailingComma", R"({"type":"ping",})", Errc::bad_json, 15},
                      Bad{"MissingColon", R"({"type" "ping"})", Errc::bad_json, 8},
                      Bad{"BareWord", R"({"type":ping})", Errc::bad_json, 8},
                      Bad{"LeadingZero", R"({"type":"ping","p":01})", Errc::bad_json, 20},
                      Bad{"MismatchedBrackets", R"({"type":"ping","payload":[}})", Errc::bad_json,
                          26},
                      Bad{"TrailingData", R"({"type":"ping"} x)", Errc::bad_json, 16},
                      Bad{"TwoObjects", R"({"type":"ping"}{})", Errc::bad_json, 15},
                      Bad{"Array", R"([{"type":"ping"}])", Errc::not_an_object, 0},
                      Bad{"String", R"("ping")", Errc::not_an_object, 0},
                      Bad{"NoType", R"({"id":"1"})", Errc::missing_type, 0},
                      Bad{"TypeNotString", R"({"type":1})", Errc::type_not_string, 0},
                      Bad{"IdNotString", R"({"type":"next","id":1})", Errc::id_not_string, 0},
                      Bad{"NextWithoutId", R"({"type":"next","payload":{}})", Errc::missing_id, 0},
                      Bad{"CompleteWithoutId", R"({"type":"complete"})", Errc::missing_id, 0}),
    [](const ::testing::TestParamInfo<Bad>& param) { return std::string(param.param.name); });

TEST(GraphqlWsNames, TypesErrorsAndCloseCodes) {
    EXPECT_EQ(to_string(Type::next), "next");
    EXPECT_EQ(to_string(Type::unknown), "");
    EXPECT_EQ(to_string(Errc::missing_id), "missing_id");
    EXPECT_EQ(close_code_name(4403), "forbidden");
    EXPECT_EQ(close_code_name(4400), "bad_request");
    EXPECT_EQ(close_code_name(1000), "");
}

}  // namespace
}  // namespace wsb::graphql_ws
