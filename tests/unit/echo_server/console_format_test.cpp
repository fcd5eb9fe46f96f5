// How the server console prints: received messages with the client's id (escaped, cut at a
// UTF-8 boundary), the /list table sorted by id, and durations.
#include "echo_server/console_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsb::echo {
namespace {

std::string received(std::uint64_t id, bool text, const std::string& payload) {
    std::string out;
    format_received(out, id, text, payload);
    return out;
}

TEST(ConsoleFormat, TextPrintsWithTheClientId) {
    EXPECT_EQ(received(7, true, "你好"), "#7 < 你好\n");
}

TEST(ConsoleFormat, ControlCharactersAndNewlinesAreEscaped) {
    EXPECT_EQ(received(1, true, "a\nb\x1b[2J\tc"), "#1 < a\\nb\\x1b[2J\tc\n");
}

TEST(ConsoleFormat, BinaryPrintsItsSizeAndHex) {
    EXPECT_EQ(received(2, false, std::string("\x00\xff\x10", 3)), "#2 < [binary 3 B] 00ff10\n");
}

TEST(ConsoleFormat, LongTextIsCutAtACodePointBoundary) {
    // 1023 ASCII bytes, then a 3-byte character across the kShownBytes cut.
    const std::string text = std::string(kShownBytes - 1, 'a') + "字" + "tail";
    const std::string out = received(3, true, text);
    EXPECT_EQ(out, "#3 < " + std::string(kShownBytes - 1, 'a') + "... (" +
                       std::to_string(text.size()) + " B)\n");
}

TEST(ConsoleFormat, LongBinaryShowsItsFirstBytes) {
    const std::string out = received(4, false, std::string(kShownBytes + 1, '\x01'));
    EXPECT_EQ(out.size(), std::string("#4 < [binary 1025 B] ").size() + 2 * kShownBytes + 4);
    EXPECT_EQ(out.substr(out.size() - 4), "...\n");
}

TEST(ConsoleFormat, DurationsReadAsSecondsMinutesOrHours) {
    EXPECT_EQ(format_duration(0.04), "0.0s");
    EXPECT_EQ(format_duration(12.34), "12.3s");
    EXPECT_EQ(format_duration(185), "3m05s");
    EXPECT_EQ(format_duration(7260), "2h01m");
    EXPECT_EQ(format_duration(-1), "0.0s");
}

TEST(ConsoleFormat, ListIsATableSortedById) {
    std::vector<ClientRow> rows(2);
    rows[0] = {12, "127.0.0.1:40000", "/chat?room=1", "", 3.2, 5, 6};
    rows[1] = {3, "[::1]:5", "/", "chat, superchat", 65, 0, 1};
    std::string out;
    format_list(out, rows);
    EXPECT_EQ(out,
              "ID  PEER             RESOURCE      SUBPROTOCOL      CONNECTED  IN  OUT\n"
              "3   [::1]:5          /             chat, superchat  1m05s      0   1\n"
              "12  127.0.0.1:40000  /chat?room=1  -                3.2s       5   6\n"
              "* 2 open client(s)\n");
}

TEST(ConsoleFormat, AnEmptyListSaysSo) {
    std::string out;
    format_list(out, {});
    EXPECT_EQ(out, "* no open clients\n");
}

}  // namespace
}  // namespace wsb::echo
