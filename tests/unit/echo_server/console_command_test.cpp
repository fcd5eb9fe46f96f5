// The server console's command language: text for every client by default, each slash command
// with its argument checked, and errors that name the command and what is wrong.
#include "echo_server/console_command.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsb::echo {
namespace {

using K = ConsoleCommand::Kind;

TEST(ConsoleCommand, PlainLinesAreTextForEveryClientAsTyped) {
    const ConsoleCommand c = parse_console_command("  hello 世界  ");
    EXPECT_EQ(c.kind, K::text);
    EXPECT_EQ(c.payload, "  hello 世界  ");
    EXPECT_EQ(c.id, 0u);
}

TEST(ConsoleCommand, AnEmptyLineDoesNothing) { EXPECT_EQ(parse_console_command("").kind, K::none); }

TEST(ConsoleCommand, DoubleSlashSendsTextStartingWithOneSlash) {
    const ConsoleCommand c = parse_console_command("//etc/passwd");
    EXPECT_EQ(c.kind, K::text);
    EXPECT_EQ(c.payload, "/etc/passwd");
}

TEST(ConsoleCommand, TextThatIsNotUtf8IsRefused) {
    const ConsoleCommand c = parse_console_command("caf\xe9");
    EXPECT_EQ(c.kind, K::error);
    EXPECT_NE(c.payload.find("not UTF-8"), std::string::npos) << c.payload;
}

TEST(ConsoleCommand, BinaryKeepsTheExactBytesAfterTheSeparator) {
    const ConsoleCommand c = parse_console_command("/binary  two spaces ");
    EXPECT_EQ(c.kind, K::binary);
    EXPECT_EQ(c.payload, " two spaces ");
}

TEST(ConsoleCommand, HexAcceptsSpacesAndColonsAndBothCases) {
    const ConsoleCommand c = parse_console_command("/hex 00ff 10:20 Ab");
    ASSERT_EQ(c.kind, K::binary) << c.payload;
    EXPECT_EQ(c.payload, std::string("\x00\xff\x10\x20\xab", 5));
}

TEST(ConsoleCommand, BadHexNamesTheProblem) {
    EXPECT_EQ(parse_console_command("/hex 0ff").payload, "/hex: odd number of hex digits");
    EXPECT_EQ(parse_console_command("/hex 0g").payload, "/hex: 'g' at column 2 is not a hex digit");
}

TEST(ConsoleCommand, FileNeedsAPath) {
    EXPECT_EQ(parse_console_command("/file").kind, K::error);
    const ConsoleCommand c = parse_console_command("/file  /tmp/x y ");
    EXPECT_EQ(c.kind, K::file);
    EXPECT_EQ(c.payload, "/tmp/x y");
}

TEST(ConsoleCommand, SendGoesToOneClientWithTheRestAsText) {
    const ConsoleCommand c = parse_console_command("/send 12 hi  there ");
    ASSERT_EQ(c.kind, K::text) << c.payload;
    EXPECT_EQ(c.id, 12u);
    EXPECT_EQ(c.payload, "hi  there ");
}

TEST(ConsoleCommand, SendRefusesAMissingOrBadId) {
    EXPECT_EQ(parse_console_command("/send").payload,
              "/send: which client? (/send ID TEXT; /list)");
    EXPECT_EQ(parse_console_command("/send x hi").payload,
              "/send 'x': expected a client id as /list shows");
    EXPECT_EQ(parse_console_command("/send 0 hi").kind, K::error);
    EXPECT_EQ(parse_console_command("/send -1 hi").kind, K::error);
    EXPECT_EQ(parse_console_command("/send 99999999999999999999999 hi").kind, K::error);
}

TEST(ConsoleCommand, CloseTakesAnIdThenAnOptionalCodeAndReason) {
    ConsoleCommand c = parse_console_command("/close 3");
    ASSERT_EQ(c.kind, K::close) << c.payload;
    EXPECT_EQ(c.id, 3u);
    EXPECT_EQ(c.code, 1000);
    EXPECT_EQ(c.payload, "");
    c = parse_console_command("/close 3 4000 going home ");
    ASSERT_EQ(c.kind, K::close) << c.payload;
    EXPECT_EQ(c.code, 4000);
    EXPECT_EQ(c.payload, "going home");
}

TEST(ConsoleCommand, CloseRefusesCodesNoCloseFrameMayCarry) {
    // RFC 6455 §7.4: 1005, 1006 and 1015 are never sent; 5000 and above are not defined.
    for (const char* code : {"999", "1004", "1005", "1006", "1015", "2999", "5000", "65536"}) {
        const ConsoleCommand c = parse_console_command(std::string("/close 1 ") + code);
        EXPECT_EQ(c.kind, K::error) << code;
    }
    EXPECT_EQ(parse_console_command("/close 1 1006").payload,
              "/close 1006: not a code a close frame may carry (1000-1003, 1007-1014, "
              "3000-4999)");
    EXPECT_EQ(parse_console_command("/close 1 bye").payload,
              "/close 'bye': expected a close code such as 1000 or 4000");
    EXPECT_EQ(parse_console_command("/close").kind, K::error);
    EXPECT_EQ(parse_console_command("/close x").payload,
              "/close 'x': expected a client id as /list shows");
}

TEST(ConsoleCommand, CloseReasonMustFitAFrameAndBeUtf8) {
    EXPECT_EQ(parse_console_command("/close 1 1000 " + std::string(123, 'a')).kind, K::close);
    EXPECT_EQ(parse_console_command("/close 1 1000 " + std::string(124, 'a')).payload,
              "/close: the reason is 124 bytes; at most 123 fit a close frame");
    EXPECT_EQ(parse_console_command("/close 1 1000 \xff").kind, K::error);
}

TEST(ConsoleCommand, CloseAllTakesAnOptionalCodeAndReason) {
    ConsoleCommand c = parse_console_command("/close-all");
    ASSERT_EQ(c.kind, K::close);
    EXPECT_EQ(c.id, 0u);
    EXPECT_EQ(c.code, 1000);
    c = parse_console_command("/close-all 1001 maintenance");
    ASSERT_EQ(c.kind, K::close) << c.payload;
    EXPECT_EQ(c.id, 0u);
    EXPECT_EQ(c.code, 1001);
    EXPECT_EQ(c.payload, "maintenance");
    EXPECT_EQ(parse_console_command("/close-all 7").payload,
              "/close-all 7: not a code a close frame may carry (1000-1003, 1007-1014, "
              "3000-4999)");
}

TEST(ConsoleCommand, BareCommandsTakeNoArgument) {
    EXPECT_EQ(parse_console_command("/list").kind, K::list);
    EXPECT_EQ(parse_console_command("/stats").kind, K::stats);
    EXPECT_EQ(parse_console_command("/help").kind, K::help);
    EXPECT_EQ(parse_console_command("/quit").kind, K::quit);
    EXPECT_EQ(parse_console_command("/list all").payload, "/list takes no argument");
}

TEST(ConsoleCommand, UnknownCommandsAreNamed) {
    EXPECT_EQ(parse_console_command("/frobnicate 1").payload,
              "unknown command /frobnicate (/help lists them; // sends a '/')");
    EXPECT_EQ(parse_console_command("/").kind, K::error);
}

TEST(ConsoleCommand, HelpListsEveryCommand) {
    const std::string help = console_help();
    for (const char* name : {"/binary", "/hex", "/file", "/send", "/list", "/close ", "/close-all",
                             "/stats", "/help", "/quit"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}

}  // namespace
}  // namespace wsb::echo
