// The console's command language: text by default, each slash command with its argument
// checked, and errors that name the command and what is wrong.
#include "client/command.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsb::client {
namespace {

using K = Command::Kind;

TEST(ClientCommand, PlainLinesAreTextAsTyped) {
    const Command c = parse_command("  hello 世界  ");
    EXPECT_EQ(c.kind, K::text);
    EXPECT_EQ(c.payload, "  hello 世界  ");
    EXPECT_EQ(parse_command("").kind, K::text);
}

TEST(ClientCommand, DoubleSlashSendsTextStartingWithOneSlash) {
    const Command c = parse_command("//etc/passwd");
    EXPECT_EQ(c.kind, K::text);
    EXPECT_EQ(c.payload, "/etc/passwd");
}

TEST(ClientCommand, BinaryKeepsTheExactBytesAfterTheSeparator) {
    const Command c = parse_command("/binary  two spaces ");
    EXPECT_EQ(c.kind, K::binary);
    EXPECT_EQ(c.payload, " two spaces ");
}

TEST(ClientCommand, HexAcceptsSpacesAndColonsAndBothCases) {
    const Command c = parse_command("/hex 00ff 10:20 Ab");
    ASSERT_EQ(c.kind, K::binary) << c.payload;
    EXPECT_EQ(c.payload, std::string("\x00\xff\x10\x20\xab", 5));
}

TEST(ClientCommand, HexRejectsOddDigitsAndNamesTheBadCharacter) {
    Command c = parse_command("/hex 0ff");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/hex: odd number of hex digits");
    c = parse_command("/hex 00g1");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/hex: 'g' at column 3 is not a hex digit");
    c = parse_command("/hex 0 0");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/hex: a lone hex digit before column 2");
}

TEST(ClientCommand, Base64DecodesOrSaysWhy) {
    Command c = parse_command("/base64 AAEC/w==");
    ASSERT_EQ(c.kind, K::binary) << c.payload;
    EXPECT_EQ(c.payload, std::string("\x00\x01\x02\xff", 4));
    c = parse_command("/base64 AAE");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_NE(c.payload.find("/base64"), std::string::npos);
}

TEST(ClientCommand, JsonIsValidatedAndSentCompact) {
    Command c = parse_command("/json { \"a\" : [1, 2], \"b\": \"回答\" }");
    ASSERT_EQ(c.kind, K::json) << c.payload;
    EXPECT_EQ(c.payload, "{\"a\":[1,2],\"b\":\"回答\"}");
    c = parse_command("/json {\"a\": }");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload.rfind("/json: invalid JSON: parse error at line 1, column 7", 0), 0u)
        << c.payload;
    EXPECT_EQ(parse_command("/json").kind, K::error);
}

// Found by client_command_fuzz: nlohmann::json throws out_of_range, not parse_error, for a
// number beyond double, and the console died of the uncaught exception.
TEST(ClientCommand, JsonNumberOverflowIsAnErrorNotACrash) {
    const Command c = parse_command("/json {\"a\": 3.2E852995683}");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/json: invalid JSON: number overflow parsing '3.2E852995683'");
}

TEST(ClientCommand, FileNeedsAPath) {
    Command c = parse_command("/file /tmp/x.bin");
    EXPECT_EQ(c.kind, K::file);
    EXPECT_EQ(c.payload, "/tmp/x.bin");
    EXPECT_EQ(parse_command("/file").kind, K::error);
}

TEST(ClientCommand, PingTakesAnOptionalPayloadOfAtMost125Bytes) {
    Command c = parse_command("/ping");
    EXPECT_EQ(c.kind, K::ping);
    EXPECT_EQ(c.payload, "");
    c = parse_command("/ping abc");
    EXPECT_EQ(c.payload, "abc");
    EXPECT_EQ(parse_command("/ping " + std::string(125, 'x')).kind, K::ping);
    c = parse_command("/ping " + std::string(126, 'x'));
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/ping: the payload is 126 bytes; a ping carries at most 125");
}

TEST(ClientCommand, CloseDefaultsTo1000AndTakesCodeAndReason) {
    Command c = parse_command("/close");
    EXPECT_EQ(c.kind, K::close);
    EXPECT_EQ(c.code, 1000);
    EXPECT_EQ(c.payload, "");
    c = parse_command("/close 4000 bye now");
    EXPECT_EQ(c.kind, K::close);
    EXPECT_EQ(c.code, 4000);
    EXPECT_EQ(c.payload, "bye now");
}

// RFC 6455 §7.4: 1005, 1006 and 1015 are never sent; 0-999 and 1016-2999 are not codes.
class ClientCloseCodes : public ::testing::TestWithParam<const char*> {};

TEST_P(ClientCloseCodes, CodesNoCloseFrameMayCarryAreRefused) {
    const Command c = parse_command(std::string("/close ") + GetParam());
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload.rfind("/close ", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Rfc6455Section7_4, ClientCloseCodes,
                         ::testing::Values("999", "1004", "1005", "1006", "1015", "2999", "5000",
                                           "65536", "99999999999", "abc", "10x"));

TEST(ClientCommand, CloseReasonMustFitAndBeUtf8) {
    EXPECT_EQ(parse_command("/close 1000 " + std::string(123, 'r')).kind, K::close);
    const Command c = parse_command("/close 1000 " + std::string(124, 'r'));
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/close: the reason is 124 bytes; at most 123 fit a close frame");
    EXPECT_EQ(parse_command("/close 1000 \xff").kind, K::error);
}

TEST(ClientCommand, SimpleCommandsTakeNoArgument) {
    EXPECT_EQ(parse_command("/quit").kind, K::quit);
    EXPECT_EQ(parse_command("/help").kind, K::help);
    EXPECT_EQ(parse_command("/reconnect").kind, K::reconnect);
    const Command c = parse_command("/quit now");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "/quit takes no argument");
}

TEST(ClientCommand, UnknownCommandsAreErrorsNotMessages) {
    const Command c = parse_command("/frobnicate 1");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_EQ(c.payload, "unknown command /frobnicate (/help lists them; // sends a '/')");
}

TEST(ClientCommand, HelpListsEveryCommand) {
    const std::string help = command_help();
    for (const char* name : {"/binary", "/hex", "/base64", "/file", "/json", "/ping", "/close",
                             "/reconnect", "/help", "/quit"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}

}  // namespace
}  // namespace wsb::client
