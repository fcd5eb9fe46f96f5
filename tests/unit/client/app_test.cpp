// How a run's ending becomes its exit code and its one-line note (docs/client.md, "Exit codes").
#include "client/app.hpp"

#include <gtest/gtest.h>

namespace wsb::client {
namespace {

using K = Ending::Kind;

Ending ending(K kind, std::uint16_t code = 0, std::string reason = {}, bool by_us = false) {
    Ending e;
    e.kind = kind;
    e.code = code;
    e.reason = std::move(reason);
    e.by_us = by_us;
    return e;
}

TEST(ClientExitCode, AServerCloseWith1000IsSuccessAndAnyOtherCodeIsNot) {
    EXPECT_EQ(exit_code_for(ending(K::closed, 1000), std::nullopt), ExitCode::ok);
    EXPECT_EQ(exit_code_for(ending(K::closed, 1001), std::nullopt), ExitCode::check_failed);
    EXPECT_EQ(exit_code_for(ending(K::closed, 4000), std::nullopt), ExitCode::check_failed);
    EXPECT_EQ(exit_code_for(ending(K::closed, 0), std::nullopt), ExitCode::check_failed);
}

TEST(ClientExitCode, AClosingHandshakeWeStartedEndsWithTheCodeWeChose) {
    EXPECT_EQ(exit_code_for(ending(K::closed, 4000, "", true), ExitCode::ok), ExitCode::ok);
    EXPECT_EQ(exit_code_for(ending(K::closed, 1000, "", true), ExitCode::check_failed),
              ExitCode::check_failed);
    // ...but not when the server never answered it or the connection broke meanwhile.
    EXPECT_EQ(exit_code_for(ending(K::close_timeout), ExitCode::ok), ExitCode::check_failed);
    EXPECT_EQ(exit_code_for(ending(K::lost), ExitCode::ok), ExitCode::check_failed);
}

TEST(ClientExitCode, LossesAndProtocolErrorsAreFailures) {
    EXPECT_EQ(exit_code_for(ending(K::lost), std::nullopt), ExitCode::check_failed);
    EXPECT_EQ(exit_code_for(ending(K::protocol_error, 1007), std::nullopt), ExitCode::check_failed);
}

TEST(ClientExitCode, NoConnectionIsCannotRun) {
    for (K k : {K::connect_failed, K::handshake_failed, K::connect_timeout}) {
        EXPECT_EQ(exit_code_for(ending(k), std::nullopt), ExitCode::cannot_run);
    }
}

TEST(ClientDescribe, NamesTheCloseCodeAndQuotesTheReason) {
    EXPECT_EQ(describe(ending(K::closed, 1001, "bye")),
              "closed by the server: 1001 (going away) 'bye'");
    EXPECT_EQ(describe(ending(K::closed, 4000, "再见", true)),
              "closed: the server answered with 4000 '再见'");
    EXPECT_EQ(describe(ending(K::closed, 0)), "closed by the server: no status code (1005)");
    Ending lost = ending(K::lost);
    lost.message = "connection lost";
    EXPECT_EQ(describe(lost), "connection lost");
}

}  // namespace
}  // namespace wsb::client
