// -n and --until: when a client run is complete by what it received.
#include "client/exit_rules.hpp"

#include <gtest/gtest.h>

namespace wsb::client {
namespace {

TEST(ClientExitRules, NoRulesNeverComplete) {
    ExitRules r(0, "");
    EXPECT_FALSE(r.any());
    EXPECT_FALSE(r.on_message("x"));
    EXPECT_FALSE(r.met());
}

TEST(ClientExitRules, CountCompletesOnTheNthMessage) {
    ExitRules r(3, "");
    EXPECT_TRUE(r.any());
    EXPECT_FALSE(r.on_message("a"));
    EXPECT_FALSE(r.on_message("b"));
    EXPECT_EQ(r.awaited(), "-n 3 (2 received)");
    EXPECT_TRUE(r.on_message("c"));
    EXPECT_TRUE(r.met());
}

TEST(ClientExitRules, UntilSearchesEachPayload) {
    ExitRules r(0, "ready|done [0-9]+");
    EXPECT_FALSE(r.on_message("starting"));
    EXPECT_FALSE(r.on_message("done soon"));
    EXPECT_TRUE(r.on_message("all done 42 now"));
    EXPECT_EQ(r.awaited(), "--until 'ready|done [0-9]+'");
}

TEST(ClientExitRules, EitherRuleCompletes) {
    ExitRules r(5, "^bye$");
    EXPECT_TRUE(r.on_message("bye"));
    EXPECT_EQ(r.awaited(), "-n 5 (1 received) or --until '^bye$'");
}

TEST(ClientExitRules, UntilMatchesBinaryPayloadBytes) {
    ExitRules r(0, "\\x01\\x02");
    EXPECT_TRUE(r.on_message(std::string("\x00\x01\x02", 3)));
}

TEST(ClientExitRules, ABadPatternThrows) {
    EXPECT_THROW(ExitRules(0, "(unclosed"), std::regex_error);
}

}  // namespace
}  // namespace wsb::client
