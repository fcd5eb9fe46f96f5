// The client's output: markers and timestamps on a terminal, bare lines in pipe mode, binary
// as hex, base64 or raw bytes, JSON pretty-printed, control characters escaped on a terminal.
#include "client/format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsb::client {
namespace {

constexpr ClockTime kAt{9, 5, 7, 42};

std::string fmt(Direction dir, bool binary, std::string_view payload, FormatOptions o) {
    std::string out;
    format_message(out, dir, binary, payload, o, kAt);
    return out;
}

FormatOptions terminal() {
    FormatOptions o;
    o.terminal = true;
    return o;
}

TEST(ClientFormat, TerminalLinesCarryTimeAndDirection) {
    EXPECT_EQ(fmt(Direction::in, false, "回答你好", terminal()), "09:05:07.042 < 回答你好\n");
    EXPECT_EQ(fmt(Direction::out, false, "hi", terminal()), "09:05:07.042 > hi\n");
}

TEST(ClientFormat, NotesAreMarkedApartFromMessages) {
    std::string out;
    format_note(out, "connected", kAt);
    EXPECT_EQ(out, "09:05:07.042 * connected\n");
}

TEST(ClientFormat, TerminalEscapesControlCharactersButTabAndNewline) {
    EXPECT_EQ(fmt(Direction::in, false, "a\x1b[2Jb\tc\nd\x7f", terminal()),
              "09:05:07.042 < a\\x1b[2Jb\tc\nd\\x7f\n");
}

TEST(ClientFormat, TerminalShowsBinarySizeAndBytes) {
    const std::string bytes("\x00\xff\x10", 3);
    EXPECT_EQ(fmt(Direction::in, true, bytes, terminal()), "09:05:07.042 < [binary 3 B] 00ff10\n");
    FormatOptions o = terminal();
    o.binary_as = BinaryAs::base64;
    EXPECT_EQ(fmt(Direction::in, true, bytes, o), "09:05:07.042 < [binary 3 B] AP8Q\n");
    o.binary_as = BinaryAs::raw;  // a terminal cannot show raw bytes: hex
    EXPECT_EQ(fmt(Direction::in, true, bytes, o), "09:05:07.042 < [binary 3 B] 00ff10\n");
}

TEST(ClientFormat, PipeModePrintsPayloadsOnly) {
    const FormatOptions o;
    EXPECT_EQ(fmt(Direction::in, false, "a\x1b", o), "a\x1b\n");  // exact, not escaped
    EXPECT_EQ(fmt(Direction::in, true, std::string("\x01\xfe", 2), o), "01fe\n");
}

TEST(ClientFormat, PipeModeRawBinaryIsExactBytesWithoutNewline) {
    FormatOptions o;
    o.binary_as = BinaryAs::raw;
    const std::string bytes("\x00\n\xff", 3);
    EXPECT_EQ(fmt(Direction::in, true, bytes, o), bytes);
    o.binary_as = BinaryAs::base64;
    EXPECT_EQ(fmt(Direction::in, true, bytes, o), "AAr/\n");
}

TEST(ClientFormat, JsonIsPrettyPrintedOnlyWhenItParses) {
    FormatOptions o;
    o.json = true;
    EXPECT_EQ(fmt(Direction::in, false, "{\"a\":[1,2]}", o),
              "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
    EXPECT_EQ(fmt(Direction::in, false, "not {json", o), "not {json\n");
    EXPECT_EQ(fmt(Direction::in, false, "[1e999]", o), "[1e999]\n");  // overflow: as it is
    FormatOptions t = terminal();
    t.json = true;
    EXPECT_EQ(fmt(Direction::in, false, "{\"k\":\"v\"}", t),
              "09:05:07.042 < {\n  \"k\": \"v\"\n}\n");
}

TEST(ClientFormat, HexIsLowerCaseWithoutSeparators) {
    std::string out;
    append_hex(out, std::string("\x00\x0a\xAB", 3));
    EXPECT_EQ(out, "000aab");
}

}  // namespace
}  // namespace wsb::client
