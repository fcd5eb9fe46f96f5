// Data feeds: CSV (RFC 4180) with a header row, and JSON Lines.
#include "wsbench/scenario/data_feed.hpp"

#include <gtest/gtest.h>

namespace wsb::scenario {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(Csv, HeaderAndRowsWithQuotesAndCrlf) {
    DataFeed f;
    DataFeedError err;
    ASSERT_TRUE(
        parse_csv("user,token\r\nalice,\"a,b\"\r\n\"bo\"\"b\",\"x\ny\"\n\ncarol,\n", f, err))
        << err.message;
    EXPECT_EQ(f.columns, (std::vector<std::string>{"user", "token"}));
    EXPECT_EQ(f.rows, (Rows{{"alice", "a,b"}, {"bo\"b", "x\ny"}, {"carol", ""}}));
    EXPECT_EQ(f.row_for(0)[0], "alice");
    EXPECT_EQ(f.row_for(4)[0], "bo\"b");  // round robin
}

TEST(Csv, ErrorsNameTheLine) {
    DataFeed f;
    DataFeedError err;
    EXPECT_FALSE(parse_csv("a,b\n1,2\n3\n", f, err));
    EXPECT_EQ(err.line, 3u);
    EXPECT_NE(err.message.find("1 fields"), std::string::npos);
    EXPECT_FALSE(parse_csv("a,b\n1,\"2\n", f, err));
    EXPECT_EQ(err.line, 2u);
    EXPECT_NE(err.message.find("closing quote"), std::string::npos);
    EXPECT_FALSE(parse_csv("a,a\n1,2\n", f, err));
    EXPECT_NE(err.message.find("twice"), std::string::npos);
    EXPECT_FALSE(parse_csv("a,b\n", f, err));
    EXPECT_NE(err.message.find("no rows"), std::string::npos);
    EXPECT_FALSE(parse_csv("", f, err));
    EXPECT_FALSE(parse_csv("a,\n1,2\n", f, err));
    EXPECT_FALSE(parse_csv("a\nx\"y\n", f, err));
}

TEST(Jsonl, ObjectsPerLineColumnsFromTheFirst) {
    DataFeed f;
    DataFeedError err;
    ASSERT_TRUE(parse_jsonl(
        "{\"user\":\"al\\\"ice\",\"n\":1}\n\n{\"n\":2,\"user\":\"bob\",\"x\":0}\r\n", f, err))
        << err.message;
    EXPECT_EQ(f.columns, (std::vector<std::string>{"n", "user"}));
    EXPECT_EQ(f.rows, (Rows{{"1", "al\"ice"}, {"2", "bob"}}));
}

TEST(Jsonl, ErrorsNameTheLine) {
    DataFeed f;
    DataFeedError err;
    EXPECT_FALSE(parse_jsonl("{\"a\":1}\n[1]\n", f, err));
    EXPECT_EQ(err.line, 2u);
    EXPECT_FALSE(parse_jsonl("{\"a\":1}\n{\"b\":1}\n", f, err));
    EXPECT_NE(err.message.find("'a' is missing"), std::string::npos);
    EXPECT_FALSE(parse_jsonl("\n\n", f, err));
    EXPECT_FALSE(parse_jsonl("{}\n", f, err));
}

}  // namespace
}  // namespace wsb::scenario
