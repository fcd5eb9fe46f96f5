// The port-space check the load generator runs before connecting: one target offers each
// source address the ephemeral range once; past it a run is refused, past half it is warned.
#include <gtest/gtest.h>

#include <string>

#include "loadgen/run.hpp"

namespace wsb::loadgen {
namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(LoadgenPortSpace, UpToHalfTheRangeIsQuiet) {
    const PortSpace s = check_port_space(14116, 1, 28232);
    EXPECT_EQ(s.fatal, "");
    EXPECT_EQ(s.warning, "");
}

TEST(LoadgenPortSpace, PastHalfTheRangeWarnsAndSuggestsSourceAddresses) {
    const PortSpace s = check_port_space(14117, 1, 28232);
    EXPECT_EQ(s.fatal, "");
    EXPECT_TRUE(has(s.warning, "14117 connections use more than half of the 28232 local ports"))
        << s.warning;
    EXPECT_TRUE(has(s.warning, "--source-ip")) << s.warning;
}

TEST(LoadgenPortSpace, MoreThanTheRangeIsRefused) {
    const PortSpace s = check_port_space(28233, 0, 28232);  // 0: the default address
    EXPECT_TRUE(has(s.fatal, "28233 connections do not fit the 28232 local ports")) << s.fatal;
    EXPECT_TRUE(has(s.fatal, "from 1 source address(es)")) << s.fatal;
    EXPECT_EQ(s.warning, "");
}

TEST(LoadgenPortSpace, EachSourceAddressAddsTheRangeOnce) {
    // 50,000 over 2 addresses fits but is past half (it stalled at ~28k here); over 4 it is not.
    EXPECT_EQ(check_port_space(50000, 2, 28232).fatal, "");
    EXPECT_NE(check_port_space(50000, 2, 28232).warning, "");
    EXPECT_EQ(check_port_space(50000, 4, 28232).warning, "");
    EXPECT_NE(check_port_space(60000, 2, 28232).fatal, "");
}

}  // namespace
}  // namespace wsb::loadgen
